/**
 * executeAsync / getAsyncExecution against the local warehouse over real HTTP: direct and
 * non-direct results, pickup from another connection, cancel, results after cancel, ids the
 * server does not know, malformed ids, several readers and row offsets, close.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AsyncExecutionStatus,
  AsyncExecutionUnrecoverableResultError,
  type Connection,
  DirectResultNotRecoverableError,
  InvalidHandleError,
  QueryNotFoundError,
  ServerOperationError,
} from '../../src/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { SLOW_SQL, type TestProxy, connectTo, startProxy } from '../support/driver-fixtures.js';
import { waitFor } from '../support/wait.js';

describe('asynchronous execution', () => {
  // `eager` returns direct results like Databricks; `lazy` does not wait for them. Tests that need a
  // query to stay on the server also ask for no direct result (a tiny query may still finish in time).
  let eager: LocalWarehouse;
  let lazy: LocalWarehouse;
  let proxy: TestProxy;
  let viaProxy: Connection;
  let first: Connection;
  let second: Connection;

  before(async () => {
    eager = await startLocalWarehouse();
    lazy = await startLocalWarehouse({ directResultsWaitMs: 0 });
    proxy = await startProxy(eager.serverHostname);
    viaProxy = await connectTo(eager, { serverHostname: proxy.url });
    first = await connectTo(lazy, { maxRowsPerFetch: 1_000 });
    second = await connectTo(lazy, { maxRowsPerFetch: 1_000 });
  });

  after(async () => {
    await Promise.allSettled([viaProxy.close(), first.close(), second.close()]);
    await proxy.close();
    await Promise.all([eager.close(), lazy.close()]);
  });

  it('returns a quick query as a direct result, read without any network call', async () => {
    const query = await viaProxy.executeAsync('SELECT 1 AS one, :word AS word', { word: 'hi' });
    assert.equal(query.returnedAsDirectResult, true);
    assert.equal(query.status, AsyncExecutionStatus.FINISHED);
    assert.equal(query.isFinished, true);
    const before = proxy.seen;
    assert.equal(await query.syncStatus(), AsyncExecutionStatus.FINISHED);
    const rows = await (await query.getResults()).fetchAll();
    assert.deepEqual(rows, [{ one: 1, word: 'hi' }]);
    // A direct result can be read again, from any offset, still without the network.
    assert.deepEqual(await (await query.getResults({ startRowOffset: 1 })).fetchAll(), []);
    assert.equal(proxy.seen, before, 'no HTTP request after ExecuteStatement');
  });

  it('refuses to serialize a direct result, and the server does not know its id', async () => {
    const query = await viaProxy.executeAsync('SELECT 42 AS answer');
    assert.equal(query.returnedAsDirectResult, true);
    assert.throws(
      () => query.serialize(),
      (error: unknown) => {
        assert.ok(error instanceof DirectResultNotRecoverableError);
        assert.equal(error.queryId, query.queryId);
        assert.match(error.message, /direct result/);
        return true;
      },
    );
    await assert.rejects(viaProxy.getAsyncExecution(query.queryId, query.querySecret), (error: unknown) => {
      return error instanceof QueryNotFoundError && error.queryId === query.queryId;
    });
  });

  it('runs a query that is not a direct result, serializes it, and reads it', async () => {
    const query = await first.executeAsync('SELECT * FROM RANGE(2500)', undefined, { directResults: false });
    assert.equal(query.returnedAsDirectResult, false);
    assert.equal(query.serialize(), `${query.queryId}:${query.querySecret}`);
    assert.match(query.queryId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const rows = await (await query.getResults()).fetchAll();
    assert.equal(rows.length, 2500);
    assert.equal(rows[2499]?.id, 2499n);
    assert.equal(query.status, AsyncExecutionStatus.FINISHED);
    await query.close();
  });

  it('picks a query up from a second connection after the first one closed', async () => {
    const starter = await connectTo(lazy);
    const query = await starter.executeAsync('SELECT :param `p`, * FROM RANGE(3000)', { param: 'foo' }, { directResults: false });
    const serialized = query.serialize();
    await starter.close();
    const picked = await second.getAsyncExecution(serialized);
    assert.equal(picked.queryId, query.queryId);
    const rows = await (await picked.getResults()).fetchAll();
    assert.equal(rows.length, 3000);
    assert.deepEqual(rows[0], { p: 'foo', id: 0n });
    await picked.close();
  });

  it('lets two handles each read the whole result, and a reader start at a row offset', async () => {
    const query = await first.executeAsync('SELECT id, id * 2 AS twice FROM RANGE(4500)', undefined, { directResults: false });
    const other = await second.getAsyncExecution(query.queryId, query.querySecret);
    const [mine, theirs] = await Promise.all([(await query.getResults()).fetchAll(), (await other.getResults()).fetchAll()]);
    assert.equal(mine.length, 4500);
    assert.deepEqual(theirs, mine);
    // Reading again, e.g. after a crash, from row 4321.
    const tail = await (await other.getResults({ startRowOffset: 4321 })).fetchAll();
    assert.equal(tail.length, 179);
    assert.deepEqual(tail[0], { id: 4321n, twice: 8642n });
    const arrow = await (await query.getResults({ startRowOffset: 4000 })).fetchArrow();
    assert.equal(arrow.numRows, 500);
    await query.close();
    await other.close();
  });

  it('cancels a running query from another connection; its results are unrecoverable', async () => {
    const query = await first.executeAsync(SLOW_SQL);
    assert.equal(query.isRunning, true);
    const remote = await second.getAsyncExecution(query.queryId, query.querySecret);
    assert.equal(remote.status, AsyncExecutionStatus.RUNNING);
    await remote.cancel();
    await remote.cancel(); // idempotent
    await waitFor('the cancel to land', async () => (await query.syncStatus()) !== AsyncExecutionStatus.RUNNING);
    assert.equal(query.status, AsyncExecutionStatus.CANCELED);
    assert.equal(query.isCanceled, true);
    await assert.rejects(query.getResults(), (error: unknown) => {
      assert.ok(error instanceof AsyncExecutionUnrecoverableResultError);
      assert.equal(error.status, 'CANCELED');
      assert.equal(error.queryId, query.queryId);
      assert.match(error.message, /CANCELED/);
      return true;
    });
    await query.close();
  });

  it('throws, from getResults of a query that failed while running, its message and sqlState as execute() does', async () => {
    const sql = "SELECT CAST(x AS INT) AS n FROM (SELECT 'abc' AS x)";
    const fromExecute = await first.execute(sql).then(
      () => assert.fail('the statement fails'),
      (error: unknown) => error,
    );
    const query = await first.executeAsync(sql);
    await assert.rejects(query.getResults(), (error: unknown) => {
      assert.ok(error instanceof ServerOperationError, `got ${String(error)}`);
      assert.equal(error.sqlState, '22018');
      assert.equal(error.queryId, query.queryId);
      assert.match(error.message, /Could not convert string 'abc'/);
      assert.ok(fromExecute instanceof ServerOperationError);
      assert.equal(error.name, fromExecute.name);
      assert.equal(error.sqlState, fromExecute.sqlState);
      return true;
    });
    assert.equal(query.status, AsyncExecutionStatus.ABORTED);
    assert.equal(query.error?.sqlState, '22018');
  });

  it('reports a query the server does not know as not found, distinct from a failure', async () => {
    const queryId = randomUUID();
    await assert.rejects(first.getAsyncExecution(queryId, randomUUID()), (error: unknown) => {
      assert.ok(error instanceof QueryNotFoundError);
      assert.equal(error.queryId, queryId);
      return true;
    });
  });

  it('rejects malformed ids and secrets before any network call, naming the bad part', async () => {
    const before = proxy.seen;
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => viaProxy.getAsyncExecution('nope', randomUUID()), 'queryId'],
      [() => viaProxy.getAsyncExecution(randomUUID(), '1234'), 'querySecret'],
      [() => viaProxy.getAsyncExecution(`${randomUUID()}:${randomUUID()}:extra`), 'serialized'],
      [() => viaProxy.getAsyncExecution(randomUUID()), 'serialized'],
    ];
    for (const [call, part] of cases) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof InvalidHandleError, String(error));
        assert.equal(error.part, part);
        assert.ok(error.message.includes(part));
        return true;
      });
    }
    assert.equal(proxy.seen, before);
  });

  it('runs many calls at once on one connection, each getting its own answer', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => (await first.execute(`SELECT ${i} AS n, * FROM RANGE(${i + 1})`)).fetchAll()),
    );
    results.forEach((rows, i) => {
      assert.equal(rows.length, i + 1);
      assert.ok(rows.every((row) => row.n === i));
    });
  });

  it('closes the query of execute() once its rows are read, or when the result set is closed', async () => {
    const recordOf = (statement: string) => lazy.history().find((record) => record.statement === statement);
    const readAll = 'SELECT * FROM RANGE(1234)';
    await (await first.execute(readAll, undefined, { directResults: false })).fetchAll();
    await waitFor('the read query to be closed', () => recordOf(readAll)?.state === 'CLOSED');
    const abandoned = 'SELECT * FROM RANGE(4321)';
    const result = await first.execute(abandoned, undefined, { directResults: false });
    await result.fetchMany(10);
    assert.notEqual(recordOf(abandoned)?.state, 'CLOSED');
    await result.close();
    await result.close();
    assert.equal(recordOf(abandoned)?.state, 'CLOSED');
  });

  it('frees results on close(): the query is then not found, and close is idempotent', async () => {
    const query = await first.executeAsync('SELECT * FROM RANGE(10)', undefined, { directResults: false });
    await query.getResults();
    await query.close();
    await query.close();
    await assert.rejects(second.getAsyncExecution(query.serialize()), QueryNotFoundError);
  });
});
