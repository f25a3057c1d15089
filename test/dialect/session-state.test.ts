/**
 * Session state through our driver against the local warehouse: a temporary view, USE SCHEMA
 * and SET made by one statement are seen by the session's next statements and by no other
 * session; a cancel still interrupts only its own statement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerOperationError, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo, SLOW_SQL } from '../support/driver-fixtures.js';
import { waitFor } from '../support/wait.js';

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

describe('session state on the local warehouse', () => {
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

  it('keeps a temporary view for the session that made it, and from no other', async () => {
    await rows(mine, 'CREATE OR REPLACE TEMPORARY VIEW answers AS SELECT 42 AS answer');
    assert.deepEqual(await rows(mine, 'SELECT answer FROM answers'), [{ answer: 42 }]);
    assert.equal(await sqlStateOf(rows(other, 'SELECT answer FROM answers')), '42P01');
    await rows(mine, 'DROP VIEW answers');
    assert.equal(await sqlStateOf(rows(mine, 'SELECT answer FROM answers')), '42P01');
  });

  it('resolves names in the schema chosen by USE SCHEMA, for that session only', async () => {
    await rows(mine, 'CREATE SCHEMA IF NOT EXISTS sales');
    await rows(mine, 'CREATE OR REPLACE TABLE sales.orders AS SELECT 7 AS id');
    await rows(mine, 'USE SCHEMA sales');
    assert.deepEqual(await rows(mine, 'SELECT id FROM orders'), [{ id: 7 }]);
    assert.equal(await sqlStateOf(rows(other, 'SELECT id FROM orders')), '42P01');
    assert.equal(await sqlStateOf(rows(mine, 'USE SCHEMA no_such_schema')), '3F000');
    await rows(mine, 'USE main.default');
    assert.equal(await sqlStateOf(rows(mine, 'SELECT id FROM orders')), '42P01');
  });

  it('answers SET key with the value the session set, and other sessions with none', async () => {
    assert.deepEqual(await rows(mine, "SET pipeline.run_date = '2024-01-31'"), [
      { key: 'pipeline.run_date', value: '2024-01-31' },
    ]);
    assert.deepEqual(await rows(mine, 'SET pipeline.run_date'), [{ key: 'pipeline.run_date', value: '2024-01-31' }]);
    assert.deepEqual(await rows(other, 'SET pipeline.run_date'), [{ key: 'pipeline.run_date', value: '<undefined>' }]);
  });

  it('cancels one statement of a session while another one of the same session, using its view, completes', async () => {
    await rows(mine, 'CREATE OR REPLACE TEMP VIEW small AS SELECT * FROM range(3)');
    const slow = await mine.executeAsync(SLOW_SQL, undefined, { directResults: false });
    await waitFor('the slow statement to run', async () => (await slow.syncStatus()) !== undefined && slow.isRunning, {
      timeoutMs: 60_000,
    });
    const quick = mine.execute('SELECT count(*) AS n FROM small');
    await slow.cancel();
    assert.deepEqual(await (await quick).fetchAll(), [{ n: 3n }]);
    await waitFor('the cancel', async () => (await slow.syncStatus()) !== undefined && !slow.isRunning, { timeoutMs: 60_000 });
    assert.ok(slow.isCanceled, 'the slow statement ends cancelled');
  });
});
