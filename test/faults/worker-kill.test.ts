/**
 * A worker SIGKILLed during submit, during a poll, during fetch and during cancel, with a second
 * worker process on the task queue: four workflows are stopped at those points at once (the
 * fault proxy holds the call, or its answer, on its way), the first worker is killed, and the
 * survivor finishes each one correctly. No statement runs twice; no row is lost or duplicated.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { cancelSqlQuery, startSqlQuery } from '../../src/temporal/client.js';
import { SqlFailureType } from '../../workflows/messages.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';
import { FaultProxy } from './support/fault-proxy.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-processes.js';

const ROWS = 5_000;

describe('a worker SIGKILLed mid-activity, with a second worker on the task queue', () => {
  let env: TemporalTestEnv;
  let proxy: FaultProxy;
  const workers: WorkerProcess[] = [];
  const gate = new StatementGate();
  before(async () => {
    // No direct-result wait: every statement gets a handle and goes through poll and fetch.
    env = await startTemporalTestEnv({ directResultsWaitMs: 0, holdStatements: gate.hold, maxConcurrentStatements: 8 });
    proxy = await FaultProxy.start(env.warehouse.serverHostname);
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await proxy?.close();
    await env?.close();
  });

  const runs = (sql: string) => env.warehouse.history().filter((r) => r.statement === sql);

  it('the survivor finishes each workflow: submit ambiguous (named), poll, fetch and cancel recovered', async () => {
    const taskQueue = `kill-${Date.now()}`;
    const first = await startWorkerProcess(env, taskQueue, proxy.url);
    workers.push(first);
    const start = (statement: string) => startSqlQuery(env.client, { statement, pollIntervalMs: 300 }, { taskQueue });

    // During a poll: the first GetOperationStatus is held on its way to the warehouse.
    proxy.add({ method: 'GetOperationStatus', action: { kind: 'hold' }, times: 1 });
    const pollSql = heldSql('kill-poll');
    const polling = await start(pollSql);
    await waitFor('a held poll', () => proxy.holding('GetOperationStatus') === 1);

    // During fetch: the statement finished, its first FetchResults is held.
    proxy.add({ method: 'FetchResults', action: { kind: 'hold' }, times: 1 });
    const fetchSql = `SELECT id FROM RANGE(${ROWS})`;
    const fetching = await start(fetchSql);
    await waitFor('a held fetch', () => proxy.holding('FetchResults') === 1);

    // During cancel: the statement runs, a cancel signal came, CancelOperation is held.
    proxy.add({ method: 'CancelOperation', action: { kind: 'hold' }, times: 1 });
    const cancelSql = heldSql('kill-cancel');
    const cancelling = await start(cancelSql);
    await waitForStatus(cancelling, (s) => s.state === 'RUNNING' && s.polls >= 1);
    await cancelSqlQuery(env.client, cancelling.workflowId);
    await waitFor('a held cancel', () => proxy.holding('CancelOperation') === 1);

    // During submit: the warehouse runs the statement, its answer (the handle) is held.
    proxy.add({ method: 'ExecuteStatement', action: { kind: 'hold-answer' }, times: 1 });
    const submitSql = heldSql('kill-submit');
    const submitting = await start(submitSql);
    await waitFor(
      'a held submit answer',
      () => proxy.holding('ExecuteStatement') === 1 && runs(submitSql)[0]?.state === 'RUNNING',
    );

    workers.push(await startWorkerProcess(env, taskQueue, proxy.url));
    await first.kill();
    const killedAt = Date.now();
    proxy.clearRules();

    // Submit: the handle never reached a worker, so the statement is not run again; the
    // failure names it, and comes from the heartbeat timeout, not the 2-minute limit.
    await assert.rejects(submitting.result(), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
      assert.equal(error.cause.type, SqlFailureType.SubmitAmbiguous);
      assert.ok(error.cause.message.includes(submitSql), `names the statement: ${error.cause.message}`);
      return true;
    });
    const noticedMs = Date.now() - killedAt;
    process.stdout.write(`submit: ambiguous failure ${noticedMs} ms after the SIGKILL\n`);
    assert.ok(noticedMs < 60_000, `noticed after ${noticedMs} ms`);
    assert.equal(runs(submitSql).length, 1, 'the submit ran the statement once, and was not retried');

    await gate.release('kill-poll');
    const polled = await polling.result();
    assert.equal(polled.state, 'FINISHED');
    assert.deepEqual(polled.rows, [{ tag: 'kill-poll' }]);

    const fetched = await fetching.result();
    assert.equal(fetched.state, 'FINISHED');
    assert.equal(fetched.rowCount, ROWS);
    const ids = new Set(fetched.rows?.map((r) => Number(r.id)));
    assert.equal(ids.size, ROWS, 'every row once');
    assert.ok([...ids].every((id) => id >= 0 && id < ROWS));

    const cancelled = await cancelling.result();
    assert.equal(cancelled.state, 'CANCELED');
    assert.equal(cancelled.rowCount, 0);
    assert.equal(runs(cancelSql)[0]?.state, 'CANCELED');

    for (const sql of [pollSql, fetchSql, cancelSql]) assert.equal(runs(sql).length, 1, `ran once: ${sql}`);
    assert.equal(runs(pollSql)[0]?.queryId, polled.queryId);
    assert.equal(runs(fetchSql)[0]?.queryId, fetched.queryId);
  });
});
