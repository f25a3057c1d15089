/**
 * The README's asynchronous-execution examples (driver section), against the local warehouse
 * over real HTTP, with the connection read from DATABRICKS_* as there.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { type AsyncExecution, AsyncExecutionStatus, AsyncExecutionUnrecoverableResultError, connect } from '../../src/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { waitFor } from '../support/wait.js';

/** The README polls every 5 seconds; a test can afford a shorter pace. */
const POLL_MS = 50;

/** The README's `while (query.isRunning)` poll, with a deadline. */
async function untilDone(query: AsyncExecution): Promise<void> {
  await waitFor(
    `query ${query.queryId} to end`,
    async () => {
      await query.syncStatus();
      return !query.isRunning;
    },
    { intervalMs: POLL_MS, timeoutMs: 120_000 },
  );
}

describe("the README's asynchronous-execution examples", () => {
  let warehouse: LocalWarehouse;
  const saved = { ...process.env };

  before(async () => {
    // Databricks waits about 5 s for a direct result; no wait keeps every query asynchronous, so
    // each one can be picked up from another connection whatever this machine's speed.
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 0 });
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
      await untilDone(query);
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
      // A billion rows would take this small machine far too long to fetch: the poll is cut
      // short by a cancel, and getResults() then throws, as the README says.
      await query.cancel();
      await untilDone(query);
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
      await untilDone(query);
      const result = await (await query.getResults()).fetchAll();
      assert.equal(result.length, 300_000);
      assert.deepEqual(result[299_999], { p: 'foo', id: 299_999n });
      await query.close();
    } finally {
      await connection.close();
    }
  });
});
