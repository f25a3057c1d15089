/**
 * Durability: a worker SIGKILLed mid-poll and a new worker finishing the same workflow with
 * the statement submitted once; the Temporal dev server restarted mid-query (same SQLite
 * file) and the workflow still finishing. The statement is held RUNNING by the warehouse
 * until the test releases it, so each disruption happens mid-query on any machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSqlQuery } from '../../src/temporal/client.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';
import { startWorkerProcess } from '../support/worker-processes.js';

describe('sqlQueryWorkflow durability', () => {
  let env: TemporalTestEnv;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 200, holdStatements: gate.hold });
  });
  after(async () => {
    await env?.close();
  });

  it('finishes on a new worker after the first is SIGKILLed mid-poll, submitting once', async () => {
    const taskQueue = `kill-${Date.now()}`;
    const sql = heldSql('sigkill');
    const first = await startWorkerProcess(env, taskQueue);
    try {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 300 }, { taskQueue });
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      await first.kill();
      const killedAt = Date.now();

      const worker = await env.newWorker(taskQueue);
      const result = await worker.runUntil(async () => {
        await gate.release('sigkill'); // only now, with the first worker gone, may the query end
        return handle.result();
      });
      const recoveryMs = Date.now() - killedAt;
      process.stdout.write(`finished ${recoveryMs} ms after the SIGKILL\n`);
      assert.equal(result.state, 'FINISHED');
      assert.equal(result.rows?.[0]?.tag, 'sigkill');
      const records = env.warehouse.history().filter((r) => r.statement === sql);
      assert.equal(records.length, 1, 'the statement was submitted exactly once');
      assert.equal(records[0]!.queryId, result.queryId);
    } finally {
      await first.kill();
    }
  });

  it('finishes after the Temporal dev server restarts mid-query', async (t) => {
    const server = env.server;
    if (!server) {
      t.skip('TEMPORAL_ADDRESS names an existing server, which this test cannot restart');
      return;
    }
    const worker = await env.newWorker();
    const sql = heldSql('restart');
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 300 }, { taskQueue: worker.taskQueue });
      await waitForStatus(handle, (s) => s.state === 'RUNNING');
      const restartedAt = Date.now();
      await server.restart();
      process.stdout.write(`dev server restarted in ${Date.now() - restartedAt} ms\n`);
      assert.equal(env.warehouse.history().find((r) => r.statement === sql)?.state, 'RUNNING', 'held through the restart');
      await gate.release('restart');
      return handle.result();
    });
    assert.equal(result.state, 'FINISHED');
    assert.equal(result.rows?.[0]?.tag, 'restart');
    assert.equal(env.warehouse.history().filter((r) => r.statement === sql).length, 1, 'submitted once');
  });
});
