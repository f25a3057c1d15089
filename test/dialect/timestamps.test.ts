/**
 * What a user sees of TIMESTAMP values and the session time zone, through our driver. A
 * Databricks TIMESTAMP is an instant shown in the session's time zone: a literal without a zone
 * is in that zone, one with a zone (`Z`, `+02:00`) is that instant (the Databricks TIMESTAMP
 * type reference). The warehouse holds the session's wall-clock time (docs/sql-dialect.md,
 * "TIMESTAMP and the session time zone"): in a UTC session, Databricks' default, values, parts
 * and text all agree with Databricks; in another zone the parts and text do, and the value on
 * the wire is that wall-clock time read as UTC, which the last test pins down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerOperationError } from '../../src/index.js';
import { rowsOf, useLocalWarehouse } from '../support/driver-fixtures.js';

describe('TIMESTAMP literals and the session time zone', () => {
  const local = useLocalWarehouse({ sessions: 2 });

  it('in a UTC session, reads a zone in the literal as that instant', async () => {
    const [row] = await rowsOf(
      local.connection,
      "SELECT TIMESTAMP'2024-01-01T08:00:00+02:00' AS offset, TIMESTAMP'2024-01-01 00:00:00Z' AS zulu, CAST(TIMESTAMP'2024-01-01T08:00:00+02:00' AS STRING) AS text",
    );
    assert.equal((row!.offset as Date).toISOString(), '2024-01-01T06:00:00.000Z');
    assert.equal((row!.zulu as Date).toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal(row!.text, '2024-01-01 06:00:00');
  });

  it("in another session zone, shows a literal's parts and text in that zone, as Databricks does", async () => {
    const session = local.otherConnection;
    await rowsOf(session, "SET TIME ZONE 'America/Los_Angeles'");
    const [row] = await rowsOf(
      session,
      "SELECT hour(TIMESTAMP'2024-01-01 00:00:00Z') AS zulu_hour, CAST(TIMESTAMP'2024-01-01 00:00:00Z' AS STRING) AS zulu_text, hour(TIMESTAMP'2024-01-01 00:00:00') AS local_hour, date_format(TIMESTAMP'2024-01-01T12:00:00+09:00', 'yyyy-MM-dd HH:mm') AS seoul_noon",
    );
    assert.deepEqual(
      { ...row, zulu_hour: Number(row!.zulu_hour), local_hour: Number(row!.local_hour) },
      {
        zulu_hour: 16,
        zulu_text: '2023-12-31 16:00:00',
        local_hour: 0,
        seoul_noon: '2023-12-31 19:00',
      },
    );
    // The first session keeps UTC.
    const [utc] = await rowsOf(local.connection, "SELECT hour(TIMESTAMP'2024-01-01 00:00:00Z') AS h");
    assert.equal(Number(utc!.h), 0);
  });

  it('sends a literal as its wall-clock time in the session zone, read as UTC (documented difference)', async () => {
    const [row] = await rowsOf(
      local.otherConnection,
      "SELECT TIMESTAMP'2024-01-01 00:00:00Z' AS literal, current_timestamp() AS now",
    );
    // Databricks sends the instant 2024-01-01T00:00:00Z; the warehouse the Los Angeles wall clock.
    assert.equal((row!.literal as Date).toISOString(), '2023-12-31T16:00:00.000Z');
    // current_timestamp() is the instant itself.
    assert.ok(Math.abs((row!.now as Date).getTime() - Date.now()) < 60_000, String(row!.now));
  });

  it('refuses a datetime pattern letter it cannot spell, naming it', async () => {
    await assert.rejects(rowsOf(local.connection, "SELECT date_format(DATE'2016-04-08', 'G yyyy')"), (error) => {
      assert.ok(error instanceof ServerOperationError);
      assert.equal(error.sqlState, '0A000');
      assert.match(error.message, /pattern letter 'G'/);
      return true;
    });
  });
});
