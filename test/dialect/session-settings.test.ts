/**
 * SET parameters the warehouse applies, through our driver: ANSI mode (Databricks' ANSI_MODE
 * and Spark's spark.sql.ansi.enabled) and the session time zone (SET TIME ZONE, TIMEZONE,
 * spark.sql.session.timeZone), per session, with SET key / SET answering as Databricks does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerOperationError, type Connection } from '../../src/index.js';
import { rowsOf, sqlStateOf, useLocalWarehouse } from '../support/driver-fixtures.js';

/** Whether the session's hour(current_timestamp()) is the hour in `zone` (read before or after it). */
async function hourMatches(connection: Connection, zone: string): Promise<boolean> {
  const hourIn = (): number =>
    Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
  const before = hourIn();
  const [row] = await rowsOf(connection, 'SELECT hour(current_timestamp()) AS h');
  return [before, hourIn()].includes(Number(row?.h));
}

describe('SET parameters the local warehouse applies', () => {
  const local = useLocalWarehouse({ sessions: 2 });

  it('answers the defaults of a SQL warehouse: ANSI mode on, time zone UTC', async () => {
    assert.deepEqual(await rowsOf(local.connection, 'SET spark.sql.ansi.enabled'), [
      { key: 'spark.sql.ansi.enabled', value: 'true' },
    ]);
    assert.deepEqual(await rowsOf(local.connection, 'SET TIMEZONE'), [{ key: 'TIMEZONE', value: 'Etc/UTC' }]);
    assert.deepEqual(await rowsOf(local.connection, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
    const listed = (await rowsOf(local.connection, 'SET')).map((row) => row.key);
    assert.ok(listed.includes('spark.sql.ansi.enabled') && listed.includes('spark.sql.session.timeZone'), String(listed));
  });

  it('with ANSI mode off, gives NULL for an invalid CAST and a division by zero, in that session only', async () => {
    assert.deepEqual(await rowsOf(local.connection, 'SET ANSI_MODE = false'), [{ key: 'ANSI_MODE', value: 'false' }]);
    assert.deepEqual(await rowsOf(local.connection, 'SET spark.sql.ansi.enabled'), [
      { key: 'spark.sql.ansi.enabled', value: 'false' },
    ]);
    assert.deepEqual(await rowsOf(local.connection, "SELECT CAST('abc' AS INT) AS i, 1 / 0 AS q, 7 DIV 0 AS d, 7 % 0 AS m"), [
      { i: null, q: null, d: null, m: null },
    ]);
    assert.equal(await sqlStateOf(rowsOf(local.otherConnection, "SELECT CAST('abc' AS INT) AS i")), '22018');
    assert.equal(await sqlStateOf(rowsOf(local.otherConnection, 'SELECT 1 / 0 AS q')), '22012');
    await rowsOf(local.connection, 'SET spark.sql.ansi.enabled = true');
    assert.equal(await sqlStateOf(rowsOf(local.connection, "SELECT CAST('abc' AS INT) AS i")), '22018');
  });

  it('runs a session in the time zone it set, and no other session', async () => {
    await rowsOf(local.connection, "SET TIME ZONE 'Asia/Tokyo'");
    assert.deepEqual(await rowsOf(local.connection, 'SET spark.sql.session.timeZone'), [
      { key: 'spark.sql.session.timeZone', value: 'Asia/Tokyo' },
    ]);
    assert.deepEqual(await rowsOf(local.connection, 'SELECT current_timezone() AS tz'), [{ tz: 'Asia/Tokyo' }]);
    assert.deepEqual(await rowsOf(local.otherConnection, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
    // current_timestamp() renders in the session's zone: the hour is Tokyo's (or UTC's) hour.
    assert.ok(await hourMatches(local.connection, 'Asia/Tokyo'), 'hour in Tokyo');
    assert.ok(await hourMatches(local.otherConnection, 'UTC'), 'hour in UTC');
    await rowsOf(local.connection, "SET spark.sql.session.timeZone = '-05:00'");
    assert.ok(await hourMatches(local.connection, 'America/Panama'), 'hour at -05:00'); // UTC-5 all year
    await rowsOf(local.connection, 'SET TIME ZONE LOCAL');
    assert.deepEqual(await rowsOf(local.connection, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
  });

  it('refuses a bad value with INVALID_CONF_VALUE and keeps the old one', async () => {
    await assert.rejects(rowsOf(local.connection, "SET TIME ZONE 'Mars/Olympus_Mons'"), (error: Error) => {
      assert.ok(error instanceof ServerOperationError);
      assert.equal(error.sqlState, '22022');
      assert.match(error.message, /INVALID_CONF_VALUE.*Mars\/Olympus_Mons/);
      return true;
    });
    assert.equal(await sqlStateOf(rowsOf(local.connection, 'SET ANSI_MODE = maybe')), '22022');
    assert.deepEqual(await rowsOf(local.connection, 'SET ANSI_MODE'), [{ key: 'ANSI_MODE', value: 'true' }]);
    assert.deepEqual(await rowsOf(local.connection, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
  });
});
