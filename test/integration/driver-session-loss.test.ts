/**
 * A driver Connection whose session the warehouse lost, over real HTTP to a real local
 * warehouse that restarts on the same port: the connection reopens its session and goes on;
 * a query that ran on the old warehouse process is reported as not found; when the session
 * cannot be reopened, SessionLostError says so and the statement did not run; a session that
 * expires while a long query is polled does not stop the query or the next statement.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { AsyncExecutionStatus, type Connection, QueryNotFoundError, SessionLostError } from '../../src/index.js';
import { findFreePort } from '../../src/temporal/dev-server.js';
import { type LocalWarehouse, type LocalWarehouseOptions, startLocalWarehouse } from '../../src/warehouse/index.js';
import { type TestProxy, connectTo, startProxy } from '../support/driver-fixtures.js';
import { waitFor } from '../support/wait.js';

/** Statements ending in `-- held` wait in RUNNING until released (the rest run at once). */
function heldStatements() {
  const releases = new Map<string, () => void>();
  return {
    hold: ({ statement }: { statement: string }): Promise<void> =>
      statement.endsWith('-- held') ? new Promise((resolve) => releases.set(statement, resolve)) : Promise.resolve(),
    async release(statement: string): Promise<void> {
      await waitFor(`'${statement}' to be held`, () => releases.has(statement));
      releases.get(statement)?.();
    },
  };
}

/** A local warehouse on a fixed port and token, so a restarted one answers the same address. */
async function restartableWarehouse(options: LocalWarehouseOptions = {}) {
  const port = await findFreePort();
  const token = 'session-loss-token';
  let current: LocalWarehouse = await startLocalWarehouse({ ...options, port, token });
  return {
    get current(): LocalWarehouse {
      return current;
    },
    /** Stops the warehouse process's server and starts a new one: every session and query is forgotten. */
    async restart(): Promise<void> {
      await current.close();
      current = await startLocalWarehouse({ ...options, port, token });
    },
    close: () => current.close(),
  };
}

async function one(connection: Connection, sql: string): Promise<unknown> {
  const rows = await (await connection.execute(sql)).fetchAll();
  return rows[0];
}

describe('a connection whose session the warehouse lost', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of opened.splice(0).reverse()) await item.close().catch(() => undefined);
  });
  after(async () => {
    for (const item of opened.splice(0).reverse()) await item.close().catch(() => undefined);
  });

  it('reopens the session after the warehouse restarted while it was idle', async () => {
    const warehouse = await restartableWarehouse();
    opened.push(warehouse);
    const connection = await connectTo(warehouse.current);
    opened.push(connection);
    assert.deepEqual(await one(connection, 'SELECT 1 AS before'), { before: 1 });

    await warehouse.restart();

    assert.deepEqual(await one(connection, 'SELECT 2 AS after'), { after: 2 });
    const query = await connection.executeAsync('SELECT 3 AS again');
    assert.deepEqual(await (await query.getResults()).fetchAll(), [{ again: 3 }]);
    assert.equal(warehouse.current.history().filter((r) => r.statement === 'SELECT 2 AS after').length, 1, 'ran once');
    await connection.close();
  });

  it('reports a query of the old warehouse process as not found, and runs the next statement', async () => {
    const held = heldStatements();
    const warehouse = await restartableWarehouse({ directResultsWaitMs: 0, holdStatements: held.hold });
    opened.push(warehouse);
    const connection = await connectTo(warehouse.current);
    opened.push(connection);
    const query = await connection.executeAsync('SELECT 0 AS lost -- held', undefined, { directResults: false });
    assert.equal(query.status, AsyncExecutionStatus.RUNNING);

    await warehouse.restart();

    await assert.rejects(query.syncStatus(), (error: unknown) => {
      assert.ok(error instanceof QueryNotFoundError, `got ${String(error)}`);
      assert.equal(error.queryId, query.queryId);
      return true;
    });
    await assert.rejects(connection.getAsyncExecution(query.serialize()), QueryNotFoundError);
    assert.deepEqual(await one(connection, 'SELECT 4 AS next'), { next: 4 });
  });

  it('finishes a query polled past its session expiry, then runs the next statement on a new session', async () => {
    const held = heldStatements();
    const warehouse = await startLocalWarehouse({ holdStatements: held.hold });
    opened.push(warehouse);
    const connection = await connectTo(warehouse);
    opened.push(connection);
    const sql = 'SELECT 7 AS long -- held';
    const query = await connection.executeAsync(sql, undefined, { directResults: false });
    // The session ends while the statement runs; status polls name no session and go on.
    assert.equal(warehouse.expireSessions(), 1, 'the connection had one open session');
    for (let i = 0; i < 3; i++) assert.equal(await query.syncStatus(), AsyncExecutionStatus.RUNNING);
    await held.release(sql);
    assert.deepEqual(await (await query.getResults()).fetchAll(), [{ long: 7 }]);
    await query.close();
    assert.deepEqual(await one(connection, 'SELECT 8 AS next'), { next: 8 });
    assert.equal(warehouse.history().filter((r) => r.statement === 'SELECT 8 AS next').length, 1, 'ran once');
    assert.equal(warehouse.expireSessions(), 1, 'one session open after the reopen, none left behind');
  });

  it('throws SessionLostError, and runs nothing, when the session cannot be reopened', async () => {
    const warehouse = await restartableWarehouse();
    opened.push(warehouse);
    const proxy: TestProxy = await startProxy(warehouse.current.serverHostname);
    opened.push(proxy);
    const connection = await connectTo(warehouse.current, {
      serverHostname: proxy.url,
      retry: { minDelayMs: 10, maxDelayMs: 20, maxAttempts: 2, totalTimeoutMs: 5_000 },
    });
    opened.push(connection);
    await warehouse.restart();
    // The ExecuteStatement that finds the session gone passes; every later request (the
    // OpenSession that would replace it) is answered 500 by the proxy.
    const first = proxy.seen + 1;
    proxy.setPlan((n) => (n <= first ? 'forward' : { status: 500 }));

    const sql = 'SELECT 5 AS never';
    await assert.rejects(connection.execute(sql), (error: unknown) => {
      assert.ok(error instanceof SessionLostError, `got ${String(error)}`);
      assert.equal(error.name, 'SessionLostError');
      assert.equal(error.call, 'ExecuteStatement');
      assert.match(error.message, /session/i);
      assert.match(error.message, /reopening a session failed: .*HTTP 500/);
      return true;
    });
    assert.equal(warehouse.current.history().filter((r) => r.statement === sql).length, 0, 'never ran');

    // Once the warehouse is reachable again, the same connection recovers.
    proxy.setPlan(() => 'forward');
    assert.deepEqual(await one(connection, 'SELECT 6 AS recovered'), { recovered: 6 });
  });
});
