/**
 * The two snippets of the seed (shared/seed/async-execution.txt), in TypeScript, against the
 * local warehouse over real HTTP, with the connection read from DATABRICKS_* as in the seed.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { AsyncExecutionStatus, AsyncExecutionUnrecoverableResultError, connect } from '../../src/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';

/** The seed polls every 5 seconds; a test can afford a shorter pace. */
const POLL_MS = 50;

describe('the seed snippets', () => {
  let warehouse: LocalWarehouse;
  const saved = { ...process.env };

  before(async () => {
    // Databricks waits about 5 s for a direct result; a short wait keeps the big query asynchronous.
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 300 });
  });

  afterEach(() => {
    for (const name of ['DATABRICKS_HOST', 'DATABRICKS_HTTP_PATH', 'DATABRICKS_TOKEN']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  after(async () => {
    await warehouse.close();
  });

  function exportEnvironment(): void {
    process.env.DATABRICKS_HOST = warehouse.serverHostname;
    process.env.DATABRICKS_HTTP_PATH = warehouse.httpPath;
    process.env.DATABRICKS_TOKEN = warehouse.accessToken;
  }

  it('snippet 1: execute_async, poll while running, fetch all', async () => {
    exportEnvironment();
    const connection = await connect();
    try {
      const query = await connection.executeAsync('SELECT :param `p`, * FROM RANGE(10)', { param: 'foo' });
      while (query.isRunning) {
        await delay(POLL_MS);
        await query.syncStatus();
      }
      const result = await (await query.getResults()).fetchAll();
      assert.deepEqual(
        result,
        Array.from({ length: 10 }, (_, i) => ({ p: 'foo', id: BigInt(i) })),
      );
    } finally {
      await connection.close();
    }
  });

  it('snippet 2: RANGE(1000000000) started on one connection, picked up on another', async () => {
    exportEnvironment();
    let queryIdAndSecret: string;
    const starting = await connect();
    try {
      const query = await starting.executeAsync('SELECT :param `p`, * FROM RANGE(1000000000)', { param: 'foo' });
      assert.equal(query.returnedAsDirectResult, false, 'Queries that return direct results cannot be picked up');
      queryIdAndSecret = query.serialize();
    } finally {
      await starting.close();
    }
    // The connection above is closed; the query keeps running on the server.
    const connection = await connect();
    try {
      const [queryId, querySecret] = queryIdAndSecret.split(':') as [string, string];
      const query = await connection.getAsyncExecution(queryId, querySecret);
      assert.equal(query.status, AsyncExecutionStatus.RUNNING);
      // A billion rows would take this small machine far too long to fetch: the seed's loop is
      // cut short by a cancel, and get_results() then raises, as the seed's comment says.
      await query.cancel();
      while (query.isRunning) {
        await delay(POLL_MS);
        await query.syncStatus();
      }
      await assert.rejects(query.getResults(), AsyncExecutionUnrecoverableResultError);
    } finally {
      await connection.close();
    }
  });

  it('snippet 2 to the end, on a result this machine can fetch', async () => {
    exportEnvironment();
    let queryIdAndSecret: string;
    const starting = await connect();
    try {
      const query = await starting.executeAsync('SELECT :param `p`, * FROM RANGE(300000)', { param: 'foo' });
      assert.equal(query.returnedAsDirectResult, false);
      queryIdAndSecret = query.serialize();
    } finally {
      await starting.close();
    }
    const connection = await connect();
    try {
      const [queryId, querySecret] = queryIdAndSecret.split(':') as [string, string];
      const query = await connection.getAsyncExecution(queryId, querySecret);
      while (query.isRunning) {
        await delay(POLL_MS);
        await query.syncStatus();
      }
      const result = await (await query.getResults()).fetchAll();
      assert.equal(result.length, 300_000);
      assert.deepEqual(result[299_999], { p: 'foo', id: 299_999n });
      await query.close();
    } finally {
      await connection.close();
    }
  });
});
