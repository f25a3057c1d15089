/**
 * The one test environment for everything that runs workflows: a real Temporal dev server, a
 * real local warehouse and one workflow bundle per test file; a fresh worker (and task queue)
 * per test, or one worker running for the whole file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { startLocalWarehouse, type LocalWarehouse, type LocalWarehouseOptions } from '../../src/warehouse/index.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/temporal/dev-server.js';
import { createSqlWorker, type SqlWorker, type SqlWorkerOptions } from '../../src/temporal/worker.js';
import { statusQuery, type SqlQueryStatus } from '../../workflows/messages.js';
import { waitFor, type WaitOptions } from './wait.js';
import { bundleSqlWorkflows } from './workflow-bundle.js';

const { temporal } = proto;
type IHistory = proto.temporal.api.history.v1.IHistory;

export interface TemporalTestEnv {
  /** Our own dev server; undefined when TEMPORAL_ADDRESS names an existing server. */
  server?: TemporalDevServer;
  /** host:port of the Temporal frontend. */
  address: string;
  warehouse: LocalWarehouse;
  client: Client;
  bundle: WorkflowBundle;
  /** The bundle written to a file, for worker child processes. */
  bundlePath: string;
  resultDirectory: string;
  /**
   * A worker on a new task queue (pass its `taskQueue` to `startSqlQuery`), run by the test
   * (`runUntil`); `overrides` replace the env's settings (`warehouse` entirely).
   */
  newWorker(taskQueue?: string, overrides?: WorkerOverrides): Promise<SqlWorker>;
  /** A worker running in the background until `close()`, for a file whose tests share one. */
  runWorker(overrides?: WorkerOverrides): Promise<SqlWorker>;
  close(): Promise<void>;
}

type WorkerOverrides = Partial<Omit<SqlWorkerOptions, 'connection' | 'taskQueue' | 'workflowBundle'>>;

export interface TemporalTestEnvOptions {
  /** Bundled into the workflows (tracing's SQL_TRACING_WORKFLOW_MODULES). */
  workflowInterceptorModules?: readonly string[];
}

export async function startTemporalTestEnv(
  warehouseOptions: LocalWarehouseOptions = {},
  options: TemporalTestEnvOptions = {},
): Promise<TemporalTestEnv> {
  const scratch = await mkdtemp(join(tmpdir(), 'temporal-dbsql-test-'));
  const opened: Array<() => Promise<void>> = [() => rm(scratch, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const release of opened.reverse()) await release().catch(() => undefined);
  };
  try {
    quietRuntime();
    const bundle = await bundleSqlWorkflows(options.workflowInterceptorModules);
    const bundlePath = join(scratch, 'workflow-bundle.js');
    await writeFile(bundlePath, bundle.code);
    // TEMPORAL_ADDRESS: an existing server (tests that restart the server then skip).
    const server = process.env.TEMPORAL_ADDRESS ? undefined : await startTemporalDevServer();
    if (server) opened.push(() => server.stop());
    const address = process.env.TEMPORAL_ADDRESS || server!.address;
    const warehouse = await startLocalWarehouse(warehouseOptions);
    opened.push(() => warehouse.close());
    const connection = await Connection.connect({ address });
    opened.push(() => connection.close());
    const native = await NativeConnection.connect({ address });
    opened.push(() => native.close());
    const resultDirectory = join(scratch, 'results');
    const newWorker = (taskQueue = `test-${randomUUID()}`, overrides: WorkerOverrides = {}): Promise<SqlWorker> =>
      createSqlWorker({
        resultDirectory,
        warehouse: {
          serverHostname: warehouse.serverHostname,
          httpPath: warehouse.httpPath,
          accessToken: warehouse.accessToken,
        },
        // Small cache timeouts so a replacement worker picks a workflow up quickly.
        workerOptions: { stickyQueueScheduleToStartTimeout: '2 seconds' },
        ...overrides,
        connection: native,
        taskQueue,
        workflowBundle: bundle,
      });
    return {
      server,
      address,
      warehouse,
      bundle,
      bundlePath,
      resultDirectory,
      client: new Client({ connection }),
      newWorker,
      runWorker: async (overrides) => {
        const worker = await newWorker(undefined, overrides);
        const running = worker.run();
        opened.push(async () => {
          worker.shutdown();
          await running;
        });
        return worker;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Waits (with waitFor) until the workflow's status query answers a status `predicate` accepts,
 * and returns it. A query that fails meanwhile (worker restarting) is retried.
 */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: SqlQueryStatus) => boolean,
  options: WaitOptions = {},
): Promise<SqlQueryStatus> {
  let last: SqlQueryStatus | undefined;
  return waitFor(
    'a workflow status',
    async () => {
      last = await handle.query(statusQuery);
      return predicate(last) && last;
    },
    options,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last)}`, { cause: error });
  });
}

/** Every run's history of a workflow, first to last, following continue-as-new. */
export async function fetchAllRunHistories(client: Client, workflowId: string): Promise<IHistory[]> {
  // describe() gives the latest run; start from the first run it names (else the latest itself).
  const { workflowExecutionInfo: info } = (await client.workflow.getHandle(workflowId).describe()).raw;
  const histories: IHistory[] = [];
  let runId: string | undefined = info?.firstRunId || info?.execution?.runId || undefined;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return histories;
}

/** The raw protobuf bytes of histories: payloads appear there exactly as stored. */
export function historyBytes(histories: IHistory[]): Buffer {
  return Buffer.concat(histories.map((h) => Buffer.from(temporal.api.history.v1.History.encode(h).finish())));
}

/** Worker logs at ERROR only (expected activity failures would log at WARN) (the Runtime can be installed once per process). */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier env in this process.
  }
}
