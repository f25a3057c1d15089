/**
 * Worker metrics: with a Prometheus endpoint installed, a worker's /metrics serves the SDK's
 * worker metrics and the package's counters for the statements it ran (real dev server, local
 * warehouse, real HTTP scrape).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startSqlQuery } from '../../src/temporal/client.js';
import { installSqlMetricsRuntime, MetricsRuntimeError } from '../../src/temporal/observability/metrics.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { waitFor } from '../support/wait.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The value of a counter line `name{...tags} value` whose tags include `match`, summed. */
function counter(text: string, name: string, match = ''): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(match))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('worker metrics', () => {
  let env: TemporalTestEnv;
  let address: string;
  const gate = new StatementGate();
  before(async () => {
    // The Runtime is per process: it must get its Prometheus endpoint before any connection.
    address = `127.0.0.1:${await freePort()}`;
    installSqlMetricsRuntime({ prometheusBindAddress: address });
    env = await startTemporalTestEnv({ directResultsWaitMs: 100, holdStatements: gate.hold });
  });
  after(async () => {
    await env?.close();
  });

  it("serves the package's counters: statements, polls, rows, bytes and failures by type", async () => {
    const worker = await env.newWorker();
    const scrape = async (): Promise<string> => (await fetch(`http://${address}/metrics`)).text();
    await worker.runUntil(async () => {
      const tag = `metrics-${Date.now()}`;
      const held = await startSqlQuery(
        env.client,
        { statement: heldSql(tag), pollIntervalMs: 100 },
        { taskQueue: worker.taskQueue },
      );
      await waitFor('a few polls', async () => counter(await scrape(), 'temporal_dbsql_status_polls') >= 2);
      await gate.release(tag);
      await held.result();
      const rows = await startSqlQuery(env.client, { statement: 'SELECT * FROM RANGE(25)' }, { taskQueue: worker.taskQueue });
      assert.equal((await rows.result()).rowCount, 25);
      const failing = await startSqlQuery(
        env.client,
        { statement: 'SELECT * FROM no_such_table', pollIntervalMs: 100 },
        { taskQueue: worker.taskQueue },
      );
      await assert.rejects(failing.result());
    });
    const text = await scrape();
    const q = `taskQueue="${worker.taskQueue}"`;
    assert.equal(counter(text, 'temporal_dbsql_statements_submitted', q), 3);
    assert.ok(counter(text, 'temporal_dbsql_status_polls', q) >= 2);
    assert.equal(counter(text, 'temporal_dbsql_rows_fetched', q), 26, "the held statement's row and RANGE(25)");
    assert.ok(counter(text, 'temporal_dbsql_bytes_fetched', q) > 25 * 8);
    assert.ok(
      counter(text, 'temporal_dbsql_failures', 'type="SqlStatementFailed"') >= 1,
      text
        .split('\n')
        .filter((l) => l.includes('failures'))
        .join('\n'),
    );
    // The SDK's own worker metrics come through the same endpoint.
    assert.match(text, /temporal_activity_execution_latency/);
  });

  it('refuses a second Runtime with a clear error', () => {
    assert.throws(() => installSqlMetricsRuntime({ prometheusBindAddress: '127.0.0.1:1' }), MetricsRuntimeError);
  });
});
