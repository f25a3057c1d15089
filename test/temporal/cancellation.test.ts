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
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';

/** Minutes of DuckDB work: it only ends by being canceled. */
const ENDLESS_SQL = (tag: string): string =>
  `SELECT '${tag}' AS tag, sum((a.id * 31 + b.id) % 97) AS checksum FROM RANGE(200000) a CROSS JOIN RANGE(200000) b`;

describe('cancelling sqlQueryWorkflow', () => {
  let env: TemporalTestEnv;
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 200 });
  });
  after(async () => {
    await env?.close();
  });

  const warehouseState = (sql: string): string | undefined => env.warehouse.history().find((r) => r.statement === sql)?.state;

  it('cancels the statement on a cancel signal and ends with state CANCELED', async () => {
    const worker = await env.newWorker();
    const sql = ENDLESS_SQL('signal');
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
    const sql = ENDLESS_SQL('workflow-cancel');
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
