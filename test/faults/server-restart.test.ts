/**
 * The Temporal dev server killed and restarted on the same SQLite file while 20 workflows are
 * mid-poll (their statements held RUNNING by the warehouse): all 20 finish, each statement ran
 * once, each with its own row.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSqlQuery } from '../../src/temporal/client.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';

const WORKFLOWS = 20;

describe('the Temporal server restarted under 20 polling workflows', () => {
  let env: TemporalTestEnv;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({
      directResultsWaitMs: 0,
      holdStatements: gate.hold,
      maxConcurrentStatements: WORKFLOWS + 2,
    });
  });
  after(async () => {
    await env?.close();
  });

  it('all 20 finish, each statement run once', async (t) => {
    const server = env.server;
    if (!server) {
      t.skip('TEMPORAL_ADDRESS names an existing server, which this test cannot restart');
      return;
    }
    const worker = await env.newWorker();
    const tags = Array.from({ length: WORKFLOWS }, (_, i) => `restart-${i}`);
    const results = await worker.runUntil(async () => {
      const handles = await Promise.all(
        tags.map((tag) =>
          startSqlQuery(env.client, { statement: heldSql(tag), pollIntervalMs: 500 }, { taskQueue: worker.taskQueue }),
        ),
      );
      for (const handle of handles)
        await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1, { timeoutMs: 60_000 });
      const restartedAt = Date.now();
      await server.restart();
      process.stdout.write(`dev server restarted in ${Date.now() - restartedAt} ms under ${WORKFLOWS} workflows\n`);
      for (const tag of tags) await gate.release(tag);
      return Promise.all(handles.map((h) => h.result()));
    });
    results.forEach((result, i) => {
      assert.equal(result.state, 'FINISHED', tags[i]);
      assert.deepEqual(result.rows, [{ tag: tags[i] }]);
      const runs = env.warehouse.history().filter((r) => r.statement === heldSql(tags[i]!));
      assert.equal(runs.length, 1, `${tags[i]} ran once`);
      assert.equal(runs[0]!.queryId, result.queryId);
    });
  });
});
