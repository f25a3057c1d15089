/**
 * Session state through our driver against the local warehouse: a temporary view, USE SCHEMA
 * and SET made by one statement are seen by the session's next statements and by no other
 * session; a cancel still interrupts only its own statement.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLOW_SQL, rowsOf, sqlStateOf, useLocalWarehouse } from '../support/driver-fixtures.js';
import { waitFor } from '../support/wait.js';

describe('session state on the local warehouse', () => {
  const local = useLocalWarehouse({ sessions: 2 });

  it('keeps a temporary view for the session that made it, and from no other', async () => {
    await rowsOf(local.connection, 'CREATE OR REPLACE TEMPORARY VIEW answers AS SELECT 42 AS answer');
    assert.deepEqual(await rowsOf(local.connection, 'SELECT answer FROM answers'), [{ answer: 42 }]);
    assert.equal(await sqlStateOf(rowsOf(local.otherConnection, 'SELECT answer FROM answers')), '42P01');
    await rowsOf(local.connection, 'DROP VIEW answers');
    assert.equal(await sqlStateOf(rowsOf(local.connection, 'SELECT answer FROM answers')), '42P01');
  });

  it('resolves names in the schema chosen by USE SCHEMA, for that session only', async () => {
    await rowsOf(local.connection, 'CREATE SCHEMA IF NOT EXISTS sales');
    await rowsOf(local.connection, 'CREATE OR REPLACE TABLE sales.orders AS SELECT 7 AS id');
    await rowsOf(local.connection, 'USE SCHEMA sales');
    assert.deepEqual(await rowsOf(local.connection, 'SELECT id FROM orders'), [{ id: 7 }]);
    assert.equal(await sqlStateOf(rowsOf(local.otherConnection, 'SELECT id FROM orders')), '42P01');
    assert.equal(await sqlStateOf(rowsOf(local.connection, 'USE SCHEMA no_such_schema')), '3F000');
    await rowsOf(local.connection, 'USE main.default');
    assert.equal(await sqlStateOf(rowsOf(local.connection, 'SELECT id FROM orders')), '42P01');
  });

  it('answers SET key with the value the session set, and other sessions with none', async () => {
    assert.deepEqual(await rowsOf(local.connection, "SET pipeline.run_date = '2024-01-31'"), [
      { key: 'pipeline.run_date', value: '2024-01-31' },
    ]);
    assert.deepEqual(await rowsOf(local.connection, 'SET pipeline.run_date'), [
      { key: 'pipeline.run_date', value: '2024-01-31' },
    ]);
    assert.deepEqual(await rowsOf(local.otherConnection, 'SET pipeline.run_date'), [
      { key: 'pipeline.run_date', value: '<undefined>' },
    ]);
  });

  it('cancels one statement of a session while another one of the same session, using its view, completes', async () => {
    await rowsOf(local.connection, 'CREATE OR REPLACE TEMP VIEW small AS SELECT * FROM range(3)');
    const slow = await local.connection.executeAsync(SLOW_SQL, undefined, { directResults: false });
    await waitFor('the slow statement to run', async () => (await slow.syncStatus()) !== undefined && slow.isRunning, {
      timeoutMs: 60_000,
    });
    const quick = local.connection.execute('SELECT count(*) AS n FROM small');
    await slow.cancel();
    assert.deepEqual(await (await quick).fetchAll(), [{ n: 3n }]);
    await waitFor('the cancel', async () => (await slow.syncStatus()) !== undefined && !slow.isRunning, { timeoutMs: 60_000 });
    assert.ok(slow.isCanceled, 'the slow statement ends cancelled');
  });
});
