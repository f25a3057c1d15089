/**
 * `createSqlWorker`: a Temporal worker running `sqlQueryWorkflow` and its activities.
 *
 * ```ts
 * const worker = await createSqlWorker({ connection: 'localhost:7233' });  // DATABRICKS_* from env
 * await worker.run();   // until SIGINT/SIGTERM or worker.shutdown()
 * ```
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { ConnectOptions } from '../index.js';
import { createSqlActivities, WarehouseConnection, type SinkSettings } from '../../activities/index.js';
import { SQL_TASK_QUEUE } from '../../workflows/messages.js';
import { encryptionOption, encryptionKeysFromEnvironment, type EncryptionKey } from './codec/index.js';

export interface SqlWorkerOptions {
  /** A connection to Temporal, or its address `host:port` (the worker then owns and closes it). */
  connection: NativeConnection | string;
  /** @default 'default' */
  namespace?: string;
  /** @default SQL_TASK_QUEUE ('temporal-dbsql') */
  taskQueue?: string;
  /** Warehouse settings, kept in this process only; default: the DATABRICKS_* variables. */
  warehouse?: ConnectOptions;
  /** Directory for results over the inline limit; see `createSqlActivities`. */
  resultDirectory?: string;
  /** Result sinks for further URL schemes, S3 client settings; see `createSqlActivities`. */
  sinks?: SinkSettings;
  /** A prebuilt bundle (`bundleWorkflowCode({ workflowsPath: sqlWorkflowsPath() })`): saves the bundling time. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Keys to encrypt every payload in Temporal with (AES-256-GCM; the first encrypts, all decrypt);
   * clients need the same keys. Default: TEMPORAL_DBSQL_ENCRYPTION_KEYS when set, else none.
   */
  encryptionKeys?: EncryptionKey[];
  /** Further Temporal worker options (tuning); they override ours. */
  workerOptions?: Partial<WorkerOptions>;
}

/** A worker plus what it owns; `run`/`runUntil` close what it opened when the worker stops. */
export interface SqlWorker {
  readonly worker: Worker;
  readonly taskQueue: string;
  run(): Promise<void>;
  runUntil<T>(fnOrPromise: Promise<T> | (() => Promise<T>)): Promise<T>;
  shutdown(): void;
}

/** Path of the workflows module: compiled `.js` next to `dist/`, else the `.ts` source (run via tsx). */
export function sqlWorkflowsPath(): string {
  const js = fileURLToPath(new URL('../../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
}

export async function createSqlWorker(options: SqlWorkerOptions): Promise<SqlWorker> {
  const ownsConnection = typeof options.connection === 'string';
  const connection =
    typeof options.connection === 'string' ? await NativeConnection.connect({ address: options.connection }) : options.connection;
  const warehouse = new WarehouseConnection(options.warehouse);
  const taskQueue = options.taskQueue ?? SQL_TASK_QUEUE;
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: options.namespace ?? 'default',
      taskQueue,
      activities: createSqlActivities({
        warehouse,
        resultDirectory: options.resultDirectory,
        sinks: options.sinks,
        heartbeatService: connection.workflowService,
      }),
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: sqlWorkflowsPath() }),
      ...encryptionOption(options.encryptionKeys ?? encryptionKeysFromEnvironment()),
      ...options.workerOptions,
    });
  } catch (error) {
    if (ownsConnection) await connection.close();
    throw error;
  }
  const release = async (): Promise<void> => {
    await warehouse.close();
    if (ownsConnection) await connection.close();
  };
  return {
    worker,
    taskQueue,
    run: async () => {
      try {
        await worker.run();
      } finally {
        await release();
      }
    },
    runUntil: async <T>(fnOrPromise: Promise<T> | (() => Promise<T>)) => {
      try {
        return await worker.runUntil(fnOrPromise);
      } finally {
        await release();
      }
    },
    shutdown: () => worker.shutdown(),
  };
}
