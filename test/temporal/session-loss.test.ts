/**
 * A worker whose warehouse session goes away: real Temporal dev server, real local warehouses
 * restarted on the same port. A restart while the worker is idle does not break the next
 * workflows; a restart mid-poll fails that workflow with the documented SqlQueryNotFound and
 * the next workflows on the same worker succeed; while the warehouse cannot be reached, the
 * workflow's status (and the CLI's live progress) says which activity keeps failing and why;
 * sessions that expire between polls do not stop a long query or the next one.
 * Long statements are held by the warehouse (`holdStatements`) until the test releases them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { withLiveProgress } from '../../src/cli/progress.js';
import { startSqlQuery } from '../../src/temporal/client.js';
import { findFreePort } from '../../src/temporal/dev-server.js';
import type { SqlWorker } from '../../src/temporal/worker.js';
import { startLocalWarehouse, type LocalWarehouse, type LocalWarehouseOptions } from '../../src/warehouse/index.js';
import { startProxy, type TestProxy } from '../support/driver-fixtures.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { waitFor } from '../support/wait.js';

describe('a worker whose warehouse session goes away', () => {
  let env: TemporalTestEnv;
  let port: number;
  const token = 'session-loss-token';
  let warehouse: LocalWarehouse;
  const gate = new StatementGate();
  const options = (): LocalWarehouseOptions => ({ port, token, directResultsWaitMs: 200, holdStatements: gate.hold });
  const restartWarehouse = async (): Promise<void> => {
    await warehouse.close();
    warehouse = await startLocalWarehouse(options());
  };
  /** A worker on its own task queue, talking to the restartable warehouse at `serverHostname`. */
  const newWorker = (serverHostname: string, retry?: { totalTimeoutMs: number; minDelayMs: number }): Promise<SqlWorker> =>
    env.newWorker(undefined, { warehouse: { serverHostname, httpPath: warehouse.httpPath, accessToken: token, retry } });

  before(async () => {
    env = await startTemporalTestEnv();
    port = await findFreePort();
    warehouse = await startLocalWarehouse(options());
  });
  after(async () => {
    await warehouse?.close();
    await env?.close();
  });

  it('runs new workflows after the warehouse restarted while the worker was idle', async () => {
    const worker = await newWorker(warehouse.serverHostname);
    const results = await worker.runUntil(async () => {
      const before = await startSqlQuery(env.client, { statement: 'SELECT 1 AS one' }, { taskQueue: worker.taskQueue });
      assert.deepEqual((await before.result()).rows, [{ one: 1 }]);
      await restartWarehouse();
      const direct = await startSqlQuery(env.client, { statement: 'SELECT 2 AS two' }, { taskQueue: worker.taskQueue });
      const polled = await startSqlQuery(
        env.client,
        { statement: heldSql('polled'), pollIntervalMs: 200 },
        { taskQueue: worker.taskQueue },
      );
      await waitForStatus(polled, (s) => s.polls >= 1);
      await gate.release('polled');
      return Promise.all([direct.result(), polled.result()]);
    });
    assert.deepEqual(results[0].rows, [{ two: 2 }]);
    assert.deepEqual(results[1].rows, [{ tag: 'polled' }]);
    assert.equal(results[1].returnedAsDirectResult, false);
  });

  it('fails a query lost in a restart mid-poll with SqlQueryNotFound, then runs the next workflows', async () => {
    const worker = await newWorker(warehouse.serverHostname);
    const { failure, next } = await worker.runUntil(async () => {
      const lost = await startSqlQuery(
        env.client,
        { statement: heldSql('lost'), pollIntervalMs: 200 },
        { taskQueue: worker.taskQueue },
      );
      await waitForStatus(lost, (s) => s.state === 'RUNNING' && s.polls >= 1);
      await restartWarehouse();
      const failure = await lost.result().then(
        () => assert.fail('the lost query cannot finish'),
        (error: unknown) => error,
      );
      const next = await startSqlQuery(env.client, { statement: 'SELECT 3 AS three' }, { taskQueue: worker.taskQueue });
      return { failure, next: await next.result() };
    });
    assert.ok(failure instanceof WorkflowFailedError);
    assert.ok(failure.cause instanceof ApplicationFailure, `cause is ${String(failure.cause)}`);
    assert.equal(failure.cause.type, 'SqlQueryNotFound');
    assert.match(failure.cause.message, /forgot the query: it restarted/);
    assert.deepEqual(next.rows, [{ three: 3 }]);
  });

  it('reports in status and live progress while an activity keeps failing, and clears it once it succeeds', async () => {
    const proxy: TestProxy = await startProxy(warehouse.serverHostname);
    const worker = await newWorker(proxy.url, { totalTimeoutMs: 1_000, minDelayMs: 100 });
    try {
      const { troubled, recovered, progress } = await worker.runUntil(async () => {
        const handle = await startSqlQuery(
          env.client,
          { statement: heldSql('outage'), pollIntervalMs: 200 },
          { taskQueue: worker.taskQueue },
        );
        await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
        const out = new PassThrough();
        let printed = '';
        out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
        const watching = withLiveProgress(env.client, handle.workflowId, handle.result(), 100, out as never);

        proxy.setPlan(() => ({ status: 502 })); // the warehouse is unreachable
        const troubled = await waitForStatus(handle, (s) => (s.retrying?.attempts ?? 0) >= 2, { timeoutMs: 60_000 });
        // The live view may lag a few seconds: a status query waits while a poll's attempt holds the workflow task.
        await waitFor('the live progress to show the retrying poll', () => printed.includes(' - retrying '), {
          timeoutMs: 60_000,
        });
        proxy.setPlan(() => 'forward');
        const pollsBefore = troubled.polls;
        const recovered = await waitForStatus(handle, (s) => !s.retrying && s.polls > pollsBefore, { timeoutMs: 60_000 });

        await gate.release('outage');
        const result = await watching;
        assert.deepEqual(result.rows, [{ tag: 'outage' }]);
        return { troubled, recovered, progress: printed };
      });
      assert.equal(troubled.state, 'RUNNING');
      assert.equal(troubled.retrying?.activity, 'syncQueryStatus');
      assert.equal(troubled.retrying?.lastError.type, 'RequestError');
      assert.match(troubled.retrying?.lastError.message ?? '', /HTTP 502/);
      assert.ok(Date.parse(troubled.retrying?.since ?? '') <= Date.parse(troubled.retrying?.lastFailedAt ?? ''));
      assert.equal(recovered.retrying, undefined);
      assert.match(
        progress,
        /\[RUNNING\].* - retrying syncQueryStatus: attempt \d+ failed, failing since .*: RequestError: .*HTTP 502/,
      );
    } finally {
      await proxy.close();
    }
  });

  it('completes a long query, and the next one, when the session expires between polls', async () => {
    const expiring = await startLocalWarehouse({ holdStatements: gate.hold });
    const worker = await env.newWorker(undefined, {
      warehouse: { serverHostname: expiring.serverHostname, httpPath: expiring.httpPath, accessToken: expiring.accessToken },
    });
    try {
      const { long, next } = await worker.runUntil(async () => {
        const handle = await startSqlQuery(
          env.client,
          { statement: heldSql('expiring'), pollIntervalMs: 200 },
          { taskQueue: worker.taskQueue },
        );
        // The session that submitted the statement ends while the workflow polls it.
        const { polls: polled } = await waitForStatus(handle, (s) => s.polls >= 1);
        assert.ok(expiring.expireSessions() >= 1, 'the worker had a session open');
        await waitForStatus(handle, (s) => s.polls >= polled + 2);
        await gate.release('expiring');
        const long = await handle.result();
        const after = await startSqlQuery(env.client, { statement: 'SELECT 5 AS five' }, { taskQueue: worker.taskQueue });
        return { long, next: await after.result() };
      });
      assert.deepEqual(long.rows, [{ tag: 'expiring' }]);
      assert.deepEqual(next.rows, [{ five: 5 }]);
      assert.equal(expiring.history().filter((r) => r.statement === 'SELECT 5 AS five').length, 1, 'submitted once');
    } finally {
      await expiring.close();
    }
  });
});
