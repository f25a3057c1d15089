/**
 * Load (npm run test:faults:slow, not in CI: minutes on a small machine): 200 concurrent
 * sqlQueryWorkflows of mixed duration on one worker process and one warehouse, 20 of them
 * cancelled. All end in the right state, every row is accounted for, each statement ran
 * once, and the worker's and the warehouse's memory stay bounded (loosely).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cancelSqlQuery, startSqlQuery, type SqlQueryHandle } from '../../src/temporal/client.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-processes.js';

const QUICK = 100;
const HELD = 100;
const CANCELLED = 20;
const MB = 1024 * 1024;

/** Resident memory of a process, from /proc (Linux). @format bytes */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return line ? Number(line[1]) * 1024 : 0;
}

describe('200 concurrent workflows on one worker and one warehouse', () => {
  let env: TemporalTestEnv;
  let worker: WorkerProcess | undefined;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 200, holdStatements: gate.hold, maxConcurrentStatements: HELD + 10 });
  });
  after(async () => {
    await worker?.kill();
    await env?.close();
  });

  it('all end in the right state with every row, memory bounded', async () => {
    const taskQueue = `load-${Date.now()}`;
    worker = await startWorkerProcess(env, taskQueue, env.warehouse.serverHostname);
    const pid = worker.child.pid!;
    let peakWorker = rssOf(pid);
    let peakWarehouse = process.memoryUsage().rss;
    const sample = setInterval(() => {
      peakWorker = Math.max(peakWorker, rssOf(pid));
      peakWarehouse = Math.max(peakWarehouse, process.memoryUsage().rss);
    }, 200);
    try {
      const quick = Array.from({ length: QUICK }, (_, i) => ({
        sql: `SELECT id, ${i} AS q FROM RANGE(${((i * 37) % 500) + 1})`,
        rows: ((i * 37) % 500) + 1,
      }));
      const held = Array.from({ length: HELD }, (_, i) => `load-${i}`);
      const start = (statement: string): Promise<SqlQueryHandle> =>
        startSqlQuery(env.client, { statement, pollIntervalMs: 500 }, { taskQueue });
      const [quickHandles, heldHandles] = await Promise.all([
        Promise.all(quick.map((q) => start(q.sql))),
        Promise.all(held.map((tag) => start(heldSql(tag)))),
      ]);
      // Cancel the first 20 held ones once they run; release the others in batches.
      for (const handle of heldHandles.slice(0, CANCELLED)) {
        await waitForStatus(handle, (s) => s.state === 'RUNNING', { timeoutMs: 120_000 });
        await cancelSqlQuery(env.client, handle.workflowId);
      }
      for (const tag of held.slice(CANCELLED)) await gate.release(tag);

      const quickResults = await Promise.all(quickHandles.map((h) => h.result()));
      quickResults.forEach((result, i) => {
        assert.equal(result.state, 'FINISHED');
        assert.equal(result.rowCount, quick[i]!.rows);
        assert.equal(new Set(result.rows?.map((r) => Number(r.id))).size, quick[i]!.rows, 'every row once');
        assert.ok(
          result.rows?.every((r) => Number(r.q) === i),
          'its own rows',
        );
      });
      const heldResults = await Promise.all(heldHandles.map((h) => h.result()));
      heldResults.forEach((result, i) => {
        if (i < CANCELLED) {
          assert.equal(result.state, 'CANCELED', held[i]);
          assert.equal(result.rowCount, 0);
        } else {
          assert.equal(result.state, 'FINISHED', held[i]);
          assert.deepEqual(result.rows, [{ tag: held[i] }]);
        }
      });
      const history = env.warehouse.history();
      for (const statement of [...quick.map((q) => q.sql), ...held.map((tag) => heldSql(tag))]) {
        assert.equal(history.filter((r) => r.statement === statement).length, 1, `ran once: ${statement}`);
      }
      for (const tag of held.slice(0, CANCELLED)) {
        assert.equal(history.find((r) => r.statement === heldSql(tag))?.state, 'CANCELED');
      }
    } finally {
      clearInterval(sample);
    }
    process.stdout.write(
      `peak RSS: worker ${Math.round(peakWorker / MB)} MB, warehouse (+ test client) ${Math.round(peakWarehouse / MB)} MB\n`,
    );
    assert.ok(peakWorker < 1024 * MB, `worker RSS ${Math.round(peakWorker / MB)} MB`);
    assert.ok(peakWarehouse < 2048 * MB, `warehouse RSS ${Math.round(peakWarehouse / MB)} MB`);
  });
});
