/**
 * `temporal-dbsql worker` told to stop exits promptly even when the Temporal server and the
 * warehouse it was talking to are gone (it used to wait on their calls for minutes); on Linux
 * it runs as a child with glibc's allocator settings, which never outlives its launcher.
 */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/temporal/dev-server.js';
import { startSqlQuery } from '../../src/temporal/client.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { waitForStatus } from '../support/temporal-env.js';
import { commandOf, descendants, isRunning, startCli, waitForMatch, type CliProcess } from './cli-process.js';
import { waitFor } from '../support/wait.js';

/** A few seconds is the promise; this bound only separates "prompt" from "waits out retries". */
const EXIT_DEADLINE_MS = 20_000;

/** `temporal-dbsql worker` on `taskQueue`, configured by environment as a user would. */
function startWorkerCli(server: TemporalDevServer, warehouse: LocalWarehouse, taskQueue: string): CliProcess {
  return startCli(['worker'], {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABRICKS_HOST: warehouse.serverHostname,
    DATABRICKS_HTTP_PATH: warehouse.httpPath,
    DATABRICKS_TOKEN: warehouse.accessToken,
  });
}

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
    const worker = startWorkerCli(server, warehouse, 'worker-shutdown-test');
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

const ALLOCATOR_VARIABLES = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'GLIBC_TUNABLES'];

describe(
  'temporal-dbsql worker on Linux',
  {
    skip:
      process.platform !== 'linux'
        ? 'the allocator relaunch is Linux only'
        : ALLOCATOR_VARIABLES.some((name) => process.env[name] !== undefined)
          ? 'glibc allocator variables are set here, so the worker keeps them and runs in place'
          : false,
  },
  () => {
    let server: TemporalDevServer;
    let warehouse: LocalWarehouse;
    before(async () => {
      server = await startTemporalDevServer();
      warehouse = await startLocalWarehouse();
    });
    after(async () => {
      await warehouse.close();
      await server.stop();
    });

    it('runs in a child with MALLOC_ARENA_MAX=2 and MALLOC_MMAP_THRESHOLD_, which stops when its launcher is SIGKILLed', async () => {
      const launcher = startWorkerCli(server, warehouse, 'worker-relaunch-test');
      let worker: number | undefined;
      try {
        await waitForMatch(launcher.stderr, /worker polling/, 120_000, 'from the worker');
        worker = descendants(launcher.child.pid!).find((pid) => / worker\b/.test(commandOf(pid)));
        assert.ok(worker, `a worker process under the launcher (${launcher.child.pid})`);
        const environment = readFileSync(`/proc/${worker}/environ`, 'utf8').split('\0');
        assert.ok(environment.includes('MALLOC_ARENA_MAX=2'), 'MALLOC_ARENA_MAX=2 in the worker');
        assert.ok(environment.includes('MALLOC_MMAP_THRESHOLD_=262144'), 'MALLOC_MMAP_THRESHOLD_=262144 in the worker');

        // SIGKILL cannot be passed on: the worker notices its launcher is gone and stops itself.
        launcher.child.kill('SIGKILL');
        const running = worker;
        await waitFor('the worker to stop after its launcher was killed', () => (isRunning(running) ? undefined : true), {
          timeoutMs: 60_000,
        });
      } finally {
        if (launcher.child.exitCode === null && launcher.child.signalCode === null) launcher.child.kill('SIGKILL');
        if (worker !== undefined && isRunning(worker)) process.kill(worker, 'SIGKILL');
      }
    });
  },
);
