/**
 * Cancelling a durable query, both ways: the `cancel` signal (the workflow ends with state
 * CANCELED) and cancelling the workflow itself; either way the warehouse shows the
 * statement canceled.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { cancelSqlQuery, getSqlQueryStatus, startSqlQuery } from '../../src/temporal/client.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';

describe('cancelling sqlQueryWorkflow', () => {
  let env: TemporalTestEnv;
  before(async () => {
    // heldSql statements stay RUNNING (never released): they only end by being canceled.
    env = await startTemporalTestEnv({ directResultsWaitMs: 200, holdStatements: new StatementGate().hold });
  });
  after(async () => {
    await env?.close();
  });

  const warehouseState = (sql: string): string | undefined => env.warehouse.history().find((r) => r.statement === sql)?.state;

  it('cancels the statement on a cancel signal and ends with state CANCELED', async () => {
    const worker = await env.newWorker();
    const sql = heldSql('signal');
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      await cancelSqlQuery(env.client, handle.workflowId, 'test');
      const outcome = await handle.result();
      assert.equal((await getSqlQueryStatus(env.client, handle.workflowId)).state, 'CANCELED');
      return outcome;
    });
    assert.equal(result.state, 'CANCELED');
    assert.equal(result.rowCount, 0);
    const record = env.warehouse.history().find((r) => r.queryId === result.queryId);
    assert.ok(record, 'the warehouse knows the query');
    assert.equal(record.state, 'CANCELED');
    assert.equal(record.rowCount ?? 0, 0, 'it never finished');
  });

  it('cancels the statement when the workflow itself is cancelled', async () => {
    const worker = await env.newWorker();
    const sql = heldSql('workflow-cancel');
    await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 200 }, { taskQueue: worker.taskQueue });
      await waitForStatus(handle, (s) => s.state === 'RUNNING');
      await handle.cancel();
      await assert.rejects(
        handle.result(),
        (error: unknown) => error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure,
      );
      // The cancel ran in a non-cancellable scope before the workflow ended.
      assert.equal(warehouseState(sql), 'CANCELED');
    });
    const record = env.warehouse.history().find((r) => r.statement === sql)!;
    assert.equal(record.rowCount ?? 0, 0, 'it never finished');
  });
});
