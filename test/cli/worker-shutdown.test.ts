/**
 * `temporal-dbsql worker` told to stop exits promptly even when the Temporal server and the
 * warehouse it was talking to are gone (it used to wait on their calls for minutes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/temporal/dev-server.js';
import { startSqlQuery } from '../../src/temporal/client.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { waitForStatus } from '../support/temporal-env.js';
import { startCli, waitForMatch } from './cli-process.js';

/** A few seconds is the promise; this bound only separates "prompt" from "waits out retries". */
const EXIT_DEADLINE_MS = 20_000;

describe('temporal-dbsql worker', () => {
  let server: TemporalDevServer;
  let warehouse: LocalWarehouse;
  before(async () => {
    server = await startTemporalDevServer();
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 100, holdStatements: new StatementGate().hold });
  });
  after(async () => {
    await warehouse.close();
    await server.stop();
  });

  it('exits within seconds of SIGTERM after its Temporal server was killed and its warehouse went away', async () => {
    const worker = startCli(['worker'], {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: 'worker-shutdown-test',
      DATABRICKS_HOST: warehouse.serverHostname,
      DATABRICKS_HTTP_PATH: warehouse.httpPath,
      DATABRICKS_TOKEN: warehouse.accessToken,
    });
    try {
      await waitForMatch(worker.stderr, /worker polling/, 120_000, 'from the worker');
      const connection = await Connection.connect({ address: server.address });
      try {
        const client = new Client({ connection });
        // Held RUNNING, never released: still running when everything goes away.
        const handle = await startSqlQuery(
          client,
          { statement: heldSql('shutdown'), pollIntervalMs: 300 },
          { taskQueue: 'worker-shutdown-test' },
        );
        await waitForStatus(handle, (status) => status.polls >= 2, { timeoutMs: 60_000 });
      } finally {
        await connection.close();
      }
      await warehouse.close();
      process.kill(server.pid!, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));

      const started = Date.now();
      worker.child.kill('SIGTERM');
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), 120_000);
      const { signal } = await worker.exited;
      clearTimeout(timer);
      const exitMs = Date.now() - started;
      assert.equal(signal, null, 'the worker exited by itself');
      assert.ok(exitMs < EXIT_DEADLINE_MS, `exited ${exitMs} ms after SIGTERM\n${worker.stderr()}`);
    } finally {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    }
  });
});
