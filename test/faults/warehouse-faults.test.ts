/**
 * Warehouse faults from the loopback fault proxy between the worker and the warehouse: 503 and
 * 429 with Retry-After, connection resets, stalls past the request timeout and truncated bodies.
 * Status, fetch and close ride them out within the driver's retry budget; past it, Temporal's
 * activity retries take over and the workflow's status names the cause; a submit refused with
 * 429/503 is provably not submitted and is retried. Then the cancel races: twice, during fetch,
 * after the end. (A warehouse restarted mid-query, the query lost: SqlQueryNotFound, in
 * test/temporal/sql-query-workflow.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { cancelSqlQuery, startSqlQuery } from '../../src/temporal/client.js';
import { createSqlWorker, type SqlWorker } from '../../src/temporal/worker.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';
import { FaultProxy } from './support/fault-proxy.js';

const ROWS = 2_000;

describe('warehouse faults between the worker and the warehouse', () => {
  let env: TemporalTestEnv;
  let proxy: FaultProxy;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 0, holdStatements: gate.hold, maxConcurrentStatements: 8 });
    proxy = await FaultProxy.start(env.warehouse.serverHostname);
  });
  after(async () => {
    await proxy?.close();
    await env?.close();
  });

  /** A worker that reaches the warehouse through the proxy, with short driver limits so the faults take seconds. */
  const proxiedWorker = (): Promise<SqlWorker> =>
    createSqlWorker({
      connection: env.address,
      taskQueue: `faults-${randomUUID()}`,
      workflowBundle: env.bundle,
      resultDirectory: env.resultDirectory,
      warehouse: {
        serverHostname: proxy.url,
        httpPath: env.warehouse.httpPath,
        accessToken: env.warehouse.accessToken,
        requestTimeoutMs: 2_000,
        retry: { minDelayMs: 100, maxDelayMs: 500, totalTimeoutMs: 6_000 },
      },
      workerOptions: { stickyQueueScheduleToStartTimeout: '2 seconds' },
    });
  const runs = (sql: string) => env.warehouse.history().filter((r) => r.statement === sql);

  /** The attempt numbers of each activity's last start (a local one's from its marker), from the workflow's history. */
  async function attempts(handle: WorkflowHandle): Promise<Record<string, number>> {
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = new Map<string, string>();
    const out: Record<string, number> = {};
    for (const e of events) {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name) scheduled.set(String(e.eventId), name);
      const started = e.activityTaskStartedEventAttributes;
      if (started) {
        const activity = scheduled.get(String(started.scheduledEventId)) ?? '?';
        out[activity] = Math.max(out[activity] ?? 0, started.attempt ?? 0);
      }
      const marker = e.markerRecordedEventAttributes;
      const data = marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
      if (data) {
        const local = JSON.parse(Buffer.from(data).toString()) as { activity_type: string; attempt: number };
        out[local.activity_type] = Math.max(out[local.activity_type] ?? 0, local.attempt);
      }
    }
    return out;
  }

  it('rides out 503/429 with Retry-After, resets, a stall and truncated bodies within the retry budget', async () => {
    proxy.clearRules();
    proxy
      .add({ method: 'GetOperationStatus', action: { kind: 'status', status: 503, retryAfterSeconds: 1 }, times: 1 })
      .add({ method: 'GetOperationStatus', action: { kind: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 })
      .add({ method: 'GetOperationStatus', action: { kind: 'reset' }, times: 1 })
      .add({ method: 'GetOperationStatus', action: { kind: 'stall' }, times: 1 })
      .add({ method: 'FetchResults', action: { kind: 'truncate' }, times: 1 })
      .add({ method: 'FetchResults', action: { kind: 'reset-after' }, times: 1 })
      .add({ method: 'CloseOperation', action: { kind: 'status', status: 503 }, times: 1 });
    const sql = `SELECT id, 'ride-out' AS tag FROM RANGE(${ROWS})`;
    const worker = await proxiedWorker();
    const { result, handle } = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      return { handle, result: await handle.result() };
    });
    assert.equal(result.state, 'FINISHED');
    assert.equal(result.rowCount, ROWS);
    assert.equal(new Set(result.rows?.map((r) => Number(r.id))).size, ROWS, 'every row once');
    assert.equal(runs(sql).length, 1, 'ran once');
    for (const kind of ['status', 'reset', 'stall', 'truncate', 'reset-after'] as const) {
      assert.ok(
        proxy.calls.some((c) => c.outcome === kind),
        `the proxy injected ${kind}`,
      );
    }
    assert.deepEqual(
      await attempts(handle),
      { submitQuery: 1, syncQueryStatus: 1, fetchQueryResults: 1, closeQuery: 1 },
      'all within one attempt',
    );
  });

  it('past the retry budget, Temporal retries the activity and the status names the cause meanwhile', async () => {
    proxy.clearRules();
    const sql = heldSql('past-budget');
    const worker = await proxiedWorker();
    const { result, handle } = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      proxy.add({ method: 'GetOperationStatus', action: { kind: 'status', status: 503 } });
      const status = await waitForStatus(handle, (s) => s.retrying !== undefined, { timeoutMs: 60_000 });
      assert.equal(status.retrying?.activity, 'syncQueryStatus');
      assert.match(status.retrying?.lastError.message ?? '', /503/, 'the cause is named');
      proxy.clearRules();
      await gate.release('past-budget');
      return { handle, result: await handle.result() };
    });
    assert.equal(result.state, 'FINISHED');
    assert.deepEqual(result.rows, [{ tag: 'past-budget' }]);
    assert.equal(runs(sql).length, 1, 'ran once');
    assert.ok((await attempts(handle)).syncQueryStatus! >= 2, 'Temporal retried the status activity');
  });

  it('503s past every retry: the workflow cancels and closes the statement, then fails naming the cause', async () => {
    proxy.clearRules();
    const sql = heldSql('retries-run-out');
    const worker = await proxiedWorker();
    const closesBefore = proxy.count('CloseOperation', 'forward');
    const { handle, failure } = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        { statement: sql, pollIntervalMs: 200, maxActivityAttempts: 1 },
        { taskQueue: worker.taskQueue },
      );
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      // The whole warehouse is down: status, cancel and close are all refused.
      for (const method of ['GetOperationStatus', 'CancelOperation', 'CloseOperation']) {
        proxy.add({ method, action: { kind: 'status', status: 503 } });
      }
      // The outage ends once the workflow has given up on the status and is stopping the statement.
      await waitForStatus(handle, (s) => s.state === 'CANCELING', { timeoutMs: 60_000 });
      proxy.clearRules();
      return {
        handle,
        failure: await handle.result().then(
          () => undefined,
          (error: unknown) => error,
        ),
      };
    });
    await gate.release('retries-run-out');
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure, String(failure));
    const queryId = runs(sql)[0]?.queryId;
    assert.match(failure.cause.message, /^syncQueryStatus kept failing until its retries ran out: .*HTTP 503/);
    assert.ok(
      failure.cause.message.endsWith(`; the statement was cancelled and closed on the warehouse (query id ${queryId})`),
      failure.cause.message,
    );
    assert.equal((await attempts(handle)).syncQueryStatus, 1, 'one attempt, as the input asked');
    assert.equal(runs(sql).length, 1, 'ran once');
    assert.equal(runs(sql)[0]?.state, 'CANCELED', 'cancelled on the warehouse, not left running');
    assert.ok(proxy.count('CloseOperation', 'forward') > closesBefore, 'and closed');
  });

  it('when stopping the statement fails too, the failure says it may still be running', async () => {
    proxy.clearRules();
    const sql = heldSql('stop-fails');
    const worker = await proxiedWorker();
    const failure = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        { statement: sql, pollIntervalMs: 200, maxActivityAttempts: 1 },
        { taskQueue: worker.taskQueue },
      );
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      proxy.add({ method: 'GetOperationStatus', action: { kind: 'status', status: 503 } });
      await waitForStatus(handle, (s) => s.state === 'CANCELING', { timeoutMs: 60_000 });
      // The stop's calls are refused for good (401 is not retried).
      proxy.clearRules();
      for (const method of ['GetOperationStatus', 'CancelOperation', 'CloseOperation']) {
        proxy.add({ method, action: { kind: 'status', status: 401 } });
      }
      return handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    proxy.clearRules();
    const [record] = runs(sql);
    const stateWhenFailed = record?.state;
    await gate.release('stop-fails');
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure, String(failure));
    assert.match(failure.cause.message, /^syncQueryStatus kept failing until its retries ran out: .*HTTP 503/);
    assert.match(
      failure.cause.message,
      new RegExp(
        `; the statement may still be running on the warehouse \\(query id ${record?.queryId}\\): cancelling it failed too \\(.*401`,
      ),
    );
    assert.equal(stateWhenFailed, 'RUNNING', 'still running: no cancel reached the warehouse');
  });

  it('a submit refused with 503/429 past the budget is provably not submitted, and retried', async () => {
    proxy.clearRules();
    const sql = `SELECT 'not-submitted' AS tag`;
    proxy.add({ method: 'ExecuteStatement', action: { kind: 'status', status: 503, retryAfterSeconds: 1 }, times: 12 });
    const worker = await proxiedWorker();
    const { result, handle } = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      return { handle, result: await handle.result() };
    });
    assert.equal(result.state, 'FINISHED');
    assert.deepEqual(result.rows, [{ tag: 'not-submitted' }]);
    assert.equal(proxy.count('ExecuteStatement', 'status'), 12, 'every refusal reached the worker');
    assert.equal(runs(sql).length, 1, 'ran once');
    assert.ok((await attempts(handle)).submitQuery! >= 2, 'Temporal retried the submit (not ambiguous)');
  });

  it('a cancel signal sent twice cancels the statement once and ends CANCELED', async () => {
    proxy.clearRules();
    const sql = heldSql('cancel-twice');
    const worker = await proxiedWorker();
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      await Promise.all([cancelSqlQuery(env.client, handle.workflowId), cancelSqlQuery(env.client, handle.workflowId)]);
      return handle.result();
    });
    assert.equal(result.state, 'CANCELED');
    assert.equal(result.rowCount, 0);
    assert.equal(runs(sql).length, 1);
    assert.equal(runs(sql)[0]?.state, 'CANCELED');
  });

  it('a workflow cancelled during fetch ends cancelled with the result closed on the warehouse', async () => {
    proxy.clearRules();
    proxy.add({ method: 'FetchResults', action: { kind: 'hold' }, times: 1 });
    const sql = `SELECT id, 'cancel-fetch' AS tag FROM RANGE(${ROWS})`;
    const worker = await proxiedWorker();
    await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      await waitFor('a held fetch', () => proxy.holding('FetchResults') === 1);
      await handle.cancel();
      proxy.release('FetchResults');
      await assert.rejects(
        handle.result(),
        (e: unknown) => e instanceof WorkflowFailedError && e.cause instanceof CancelledFailure,
      );
    });
    assert.equal(runs(sql).length, 1);
    assert.equal(runs(sql)[0]?.state, 'CLOSED', 'finished, then closed by the cancel');
  });

  it('a cancel signal after the workflow finished changes nothing', async () => {
    proxy.clearRules();
    const sql = `SELECT 'after-finish' AS tag`;
    const worker = await proxiedWorker();
    const handle = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql }, { taskQueue: worker.taskQueue });
      await handle.result();
      return handle;
    });
    await assert.rejects(cancelSqlQuery(env.client, handle.workflowId), /completed/);
    const result = await handle.result();
    assert.equal(result.state, 'FINISHED');
    assert.deepEqual(result.rows, [{ tag: 'after-finish' }]);
    assert.equal(runs(sql).length, 1);
  });
});
