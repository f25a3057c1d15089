/**
 * SET parameters the warehouse applies, through our driver: ANSI mode (Databricks' ANSI_MODE
 * and Spark's spark.sql.ansi.enabled) and the session time zone (SET TIME ZONE, TIMEZONE,
 * spark.sql.session.timeZone), per session, with SET key / SET answering as Databricks does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerOperationError, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';

async function rows(connection: Connection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.execute(sql)).fetchAll();
}

async function sqlStateOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ServerOperationError) return error.sqlState;
    throw error;
  }
}

/** Whether the session's hour(current_timestamp()) is the hour in `zone` (read before or after it). */
async function hourMatches(connection: Connection, zone: string): Promise<boolean> {
  const hourIn = (): number =>
    Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
  const before = hourIn();
  const [row] = await rows(connection, 'SELECT hour(current_timestamp()) AS h');
  return [before, hourIn()].includes(Number(row?.h));
}

describe('SET parameters the local warehouse applies', () => {
  let warehouse: LocalWarehouse;
  let mine: Connection;
  let other: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({});
    mine = await connectTo(warehouse);
    other = await connectTo(warehouse);
  });
  after(async () => {
    await mine?.close();
    await other?.close();
    await warehouse?.close();
  });

  it('answers the defaults of a SQL warehouse: ANSI mode on, time zone UTC', async () => {
    assert.deepEqual(await rows(mine, 'SET spark.sql.ansi.enabled'), [{ key: 'spark.sql.ansi.enabled', value: 'true' }]);
    assert.deepEqual(await rows(mine, 'SET TIMEZONE'), [{ key: 'TIMEZONE', value: 'Etc/UTC' }]);
    assert.deepEqual(await rows(mine, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
    const listed = (await rows(mine, 'SET')).map((row) => row.key);
    assert.ok(listed.includes('spark.sql.ansi.enabled') && listed.includes('spark.sql.session.timeZone'), String(listed));
  });

  it('with ANSI mode off, gives NULL for an invalid CAST and a division by zero, in that session only', async () => {
    assert.deepEqual(await rows(mine, 'SET ANSI_MODE = false'), [{ key: 'ANSI_MODE', value: 'false' }]);
    assert.deepEqual(await rows(mine, 'SET spark.sql.ansi.enabled'), [{ key: 'spark.sql.ansi.enabled', value: 'false' }]);
    assert.deepEqual(await rows(mine, "SELECT CAST('abc' AS INT) AS i, 1 / 0 AS q, 7 DIV 0 AS d, 7 % 0 AS m"), [
      { i: null, q: null, d: null, m: null },
    ]);
    assert.equal(await sqlStateOf(rows(other, "SELECT CAST('abc' AS INT) AS i")), '22018');
    assert.equal(await sqlStateOf(rows(other, 'SELECT 1 / 0 AS q')), '22012');
    await rows(mine, 'SET spark.sql.ansi.enabled = true');
    assert.equal(await sqlStateOf(rows(mine, "SELECT CAST('abc' AS INT) AS i")), '22018');
  });

  it('runs a session in the time zone it set, and no other session', async () => {
    await rows(mine, "SET TIME ZONE 'Asia/Tokyo'");
    assert.deepEqual(await rows(mine, 'SET spark.sql.session.timeZone'), [
      { key: 'spark.sql.session.timeZone', value: 'Asia/Tokyo' },
    ]);
    assert.deepEqual(await rows(mine, 'SELECT current_timezone() AS tz'), [{ tz: 'Asia/Tokyo' }]);
    assert.deepEqual(await rows(other, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
    // current_timestamp() renders in the session's zone: the hour is Tokyo's (or UTC's) hour.
    assert.ok(await hourMatches(mine, 'Asia/Tokyo'), 'hour in Tokyo');
    assert.ok(await hourMatches(other, 'UTC'), 'hour in UTC');
    await rows(mine, "SET spark.sql.session.timeZone = '-05:00'");
    assert.ok(await hourMatches(mine, 'America/Panama'), 'hour at -05:00'); // UTC-5 all year
    await rows(mine, 'SET TIME ZONE LOCAL');
    assert.deepEqual(await rows(mine, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
  });

  it('refuses a bad value with INVALID_CONF_VALUE and keeps the old one', async () => {
    await assert.rejects(rows(mine, "SET TIME ZONE 'Mars/Olympus_Mons'"), (error: Error) => {
      assert.ok(error instanceof ServerOperationError);
      assert.equal(error.sqlState, '22022');
      assert.match(error.message, /INVALID_CONF_VALUE.*Mars\/Olympus_Mons/);
      return true;
    });
    assert.equal(await sqlStateOf(rows(mine, 'SET ANSI_MODE = maybe')), '22022');
    assert.deepEqual(await rows(mine, 'SET ANSI_MODE'), [{ key: 'ANSI_MODE', value: 'true' }]);
    assert.deepEqual(await rows(mine, 'SELECT current_timezone() AS tz'), [{ tz: 'Etc/UTC' }]);
  });
});
