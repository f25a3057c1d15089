/**
 * Cancel before and during submit. A cancel that arrives before the submit starts submits
 * nothing; one that arrives while ExecuteStatement waits for a direct result cancels the
 * statement as soon as its handle is known, instead of waiting out the direct-result window
 * and the poll interval first. Each case asserts the final state, the row count and how many
 * times the warehouse ran the statement.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { cancelSqlQuery, startSqlQuery } from '../../src/temporal/client.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';

/**
 * Twice Databricks' direct-result wait: the cancel surely reaches the submit attempt (heartbeats
 * answer within a second) before the warehouse answers it. @format milliseconds
 */
const DIRECT_RESULTS_WAIT_MS = 10_000;

describe('cancel before or during submit', () => {
  let env: TemporalTestEnv;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({
      directResultsWaitMs: DIRECT_RESULTS_WAIT_MS,
      holdStatements: gate.hold,
      maxConcurrentStatements: 8,
    });
  });
  after(async () => {
    await env?.close();
  });

  const runs = (sql: string) => env.warehouse.history().filter((r) => r.statement === sql);
  const isCancelled = (error: unknown) => error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure;

  it('a cancel signal sent before any worker ran the workflow submits nothing', async () => {
    const sql = heldSql('signal-before');
    const taskQueue = `before-${Date.now()}`;
    const handle = await startSqlQuery(env.client, { statement: sql }, { taskQueue });
    await cancelSqlQuery(env.client, handle.workflowId, 'changed my mind');
    const worker = await env.newWorker(taskQueue);
    const result = await worker.runUntil(handle.result());
    assert.equal(result.state, 'CANCELED');
    assert.equal(result.rowCount, 0);
    assert.equal(result.queryId, undefined);
    assert.equal(runs(sql).length, 0, 'never submitted');
  });

  it('a workflow cancelled before any worker ran it submits nothing', async () => {
    const sql = heldSql('cancel-before');
    const taskQueue = `before-wf-${Date.now()}`;
    const handle = await startSqlQuery(env.client, { statement: sql }, { taskQueue });
    await handle.cancel();
    const worker = await env.newWorker(taskQueue);
    await worker.runUntil(assert.rejects(handle.result(), isCancelled));
    assert.equal(runs(sql).length, 0, 'never submitted');
  });

  for (const how of ['signal', 'workflow cancel'] as const) {
    it(`a ${how} during submit cancels the statement as soon as its handle is known, in the submit`, async () => {
      const sql = heldSql(`during-${how}`);
      const worker = await env.newWorker();
      const workflowId = await worker.runUntil(async () => {
        // A long poll interval: a cancel that waited for the first poll would show.
        const handle = await startSqlQuery(
          env.client,
          { statement: sql, pollIntervalMs: 60_000 },
          { taskQueue: worker.taskQueue },
        );
        // RUNNING on the warehouse while ExecuteStatement still waits for a direct result.
        await waitFor('the statement to run', () => runs(sql)[0]?.state === 'RUNNING');
        if (how === 'signal') {
          await cancelSqlQuery(env.client, handle.workflowId);
          const result = await handle.result();
          assert.equal(result.state, 'CANCELED');
          assert.equal(result.rowCount, 0);
          assert.equal(result.queryId, runs(sql)[0]?.queryId, 'the result names the cancelled query');
        } else {
          await handle.cancel();
          await assert.rejects(handle.result(), isCancelled);
        }
        return handle.workflowId;
      });
      const records = runs(sql);
      assert.equal(records.length, 1, 'submitted once');
      assert.equal(records[0]!.state, 'CANCELED');
      assert.equal(records[0]!.rowCount ?? 0, 0);
      // Cancelled by the submit attempt itself: no poll, no separate cancel step was needed.
      assert.deepEqual(await activityTypes(workflowId), ['submitQuery']);
    });
  }

  async function activityTypes(workflowId: string): Promise<string[]> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      return name ? [name] : [];
    });
  }
});
