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
import { NativeConnection, Runtime, Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { ConnectOptions } from '../index.js';
import { createSqlActivities, WarehouseConnection, type SinkSettings } from '../../activities/index.js';
import { SQL_TASK_QUEUE } from '../../workflows/messages.js';
import { encryptionOption, encryptionKeysFromEnvironment, type EncryptionKey } from './codec/index.js';
import { leaveStuckActivitiesOnShutdown } from './shutdown-interceptor.js';
import { countSqlActivities, installSqlMetricsRuntime } from './observability/metrics.js';
import type { SqlTracingOptions } from './observability/tracing.js';
import { prebuiltWorkflowBundle } from './workflow-bundle.js';

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
  /**
   * @format number of milliseconds. Once the worker shuts down, how long a running activity
   * may take to end by itself before it is left behind (Temporal retries it, as after a crash).
   * @default 2000
   */
  activityShutdownGraceMs?: number;
  /**
   * @format number of milliseconds. Once the worker shuts down, how long `run()` waits for the
   * SDK to finish before it rejects with `WorkerShutdownTimeoutError`.
   * @default 5000
   */
  shutdownDeadlineMs?: number;
  /**
   * host:port for a Prometheus endpoint (`/metrics`: the SDK's worker metrics and the
   * `temporal_dbsql_*` counters). Installs the process's Temporal Runtime, so it must come
   * before any other connection or worker (`MetricsRuntimeError` otherwise).
   */
  prometheusBindAddress?: string;
  /**
   * OpenTelemetry tracing (off without it): spans of the workflows, their activities and the
   * driver's HTTP requests go to `tracing.spanProcessor`, continuing the trace of the client
   * that started the workflow. With a prebuilt `workflowBundle`, bundle it with
   * `workflowInterceptorModules: SQL_TRACING_WORKFLOW_MODULES`.
   */
  tracing?: SqlTracingOptions;
  /** Further Temporal worker options (tuning); they override ours. */
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * Thrown by `SqlWorker.run()` when the SDK has not finished shutting down within
 * `shutdownDeadlineMs`: it is still retrying calls to a Temporal server that is gone. Nothing
 * is lost (Temporal retries the tasks it was completing), but the SDK's native threads may keep
 * the process alive: exit it.
 */
export class WorkerShutdownTimeoutError extends Error {
  override readonly name = 'WorkerShutdownTimeoutError';
  /** @format number of milliseconds waited since the shutdown began. */
  readonly waitedMs: number;
  constructor(waitedMs: number) {
    super(
      `the worker did not finish shutting down within ${waitedMs} ms (its calls to the Temporal server are not ` +
        'answered: is the server gone?); Temporal retries the tasks it was completing',
    );
    this.waitedMs = waitedMs;
  }
}

/** A worker plus what it owns; `run`/`runUntil` close what it opened when the worker stops. */
export interface SqlWorker {
  readonly worker: Worker;
  readonly taskQueue: string;
  /** Runs until shutdown (a shutdown signal or `shutdown()`); settles within `shutdownDeadlineMs` after it began. */
  run(): Promise<void>;
  runUntil<T>(fnOrPromise: Promise<T> | (() => Promise<T>)): Promise<T>;
  shutdown(): void;
}

/** Path of the workflows module: compiled `.js` next to `dist/`, else the `.ts` source (run via tsx). */
export function sqlWorkflowsPath(): string {
  const js = fileURLToPath(new URL('../../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
}

/** How often `run()` looks for a shutdown begun by the SDK's own signal handler (it emits no event). */
const STATE_CHECK_MS = 200;

/** @format milliseconds the worker waits for the warehouse session to close when it stops. */
const WAREHOUSE_CLOSE_BUDGET_MS = 1000;

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const settled = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function createSqlWorker(options: SqlWorkerOptions): Promise<SqlWorker> {
  if (options.prometheusBindAddress) installSqlMetricsRuntime({ prometheusBindAddress: options.prometheusBindAddress });
  const ownsConnection = typeof options.connection === 'string';
  const connection =
    typeof options.connection === 'string' ? await NativeConnection.connect({ address: options.connection }) : options.connection;
  // OpenTelemetry's modules load only for a worker that traces.
  const tracing = options.tracing && (await import('./observability/tracing.js')).workerTracing(options.tracing);
  const warehouse = new WarehouseConnection(options.warehouse, tracing?.tracer);
  const taskQueue = options.taskQueue ?? SQL_TASK_QUEUE;
  const { interceptors, sinks, ...workerOptions } = options.workerOptions ?? {};
  const encryption = encryptionOption(options.encryptionKeys ?? encryptionKeysFromEnvironment());
  // The one the worker uses (workerOptions win); checkpoints sent straight to the server need it too.
  const dataConverter = workerOptions.dataConverter ?? encryption.dataConverter;
  const workflowModules = [...(tracing?.workflowModules ?? []), ...(interceptors?.workflowModules ?? [])];
  // The build's bundle holds no interceptor modules: with any, the worker bundles them in.
  const prebuilt = workflowModules.length === 0 ? prebuiltWorkflowBundle() : undefined;
  const workflowBundle = options.workflowBundle ?? (prebuilt ? { codePath: prebuilt } : undefined);
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
        dataConverter,
      }),
      ...(workflowBundle ? { workflowBundle } : { workflowsPath: sqlWorkflowsPath() }),
      ...encryption,
      // A cancel reaches an activity only with a heartbeat's answer: within 1 s, so a cancel
      // during submit arrives while the warehouse still holds ExecuteStatement (not 8 s later).
      maxHeartbeatThrottleInterval: '1 second',
      ...workerOptions,
      sinks: { ...tracing?.sinks, ...sinks },
      interceptors: {
        ...interceptors,
        // A prebuilt bundle has its modules built in (the SDK would warn and ignore these).
        workflowModules: options.workflowBundle ? interceptors?.workflowModules : workflowModules,
        activity: [
          // First, so the activity's span encloses everything the others do.
          ...(tracing ? [tracing.activity] : []),
          leaveStuckActivitiesOnShutdown(options.activityShutdownGraceMs ?? 2000),
          countSqlActivities(),
          ...(interceptors?.activity ?? []),
        ],
      },
    });
  } catch (error) {
    if (ownsConnection) await connection.close();
    throw error;
  }
  const deadlineMs = options.shutdownDeadlineMs ?? 5000;
  /**
   * Closes what this worker opened. The warehouse session's close is best effort and bounded:
   * against a warehouse that is gone, the driver would retry it for minutes.
   */
  const release = async (): Promise<void> => {
    const closing = warehouse.close();
    if ((await settlesWithin(closing, WAREHOUSE_CLOSE_BUDGET_MS)) === 'timeout') {
      Runtime.instance().logger.warn(
        `closing the warehouse session got no answer within ${WAREHOUSE_CLOSE_BUDGET_MS} ms; left behind`,
      );
    }
    if (ownsConnection) await connection.close();
  };
  let shutdownBegan: (() => void) | undefined;
  const shuttingDown = new Promise<void>((resolve) => (shutdownBegan = resolve));

  /**
   * Settles with `running` (then releases), or rejects `deadlineMs` after the shutdown began.
   * Past the deadline nothing more is awaited: a connection the SDK still uses cannot be closed.
   */
  const bounded = async <T>(running: Promise<T>): Promise<T> => {
    const stateCheck = setInterval(() => {
      if (!['RUNNING', 'INITIALIZED'].includes(worker.getState())) shutdownBegan?.();
    }, STATE_CHECK_MS);
    stateCheck.unref();
    let deadline: NodeJS.Timeout | undefined;
    const expired = shuttingDown.then(
      () => new Promise<'expired'>((resolve) => (deadline = setTimeout(() => resolve('expired'), deadlineMs))),
    );
    const finished = running.then(
      async (value) => {
        await release();
        return { value };
      },
      async (error: unknown) => {
        await release().catch(() => undefined);
        throw error;
      },
    );
    try {
      const outcome = await Promise.race([finished, expired]);
      if (outcome === 'expired') {
        finished.catch(() => undefined);
        throw new WorkerShutdownTimeoutError(deadlineMs);
      }
      return outcome.value;
    } finally {
      clearInterval(stateCheck);
      clearTimeout(deadline);
    }
  };
  return {
    worker,
    taskQueue,
    run: () => bounded(worker.run()),
    runUntil: <T>(fnOrPromise: Promise<T> | (() => Promise<T>)) => bounded(worker.runUntil(fnOrPromise)),
    shutdown: () => {
      shutdownBegan?.();
      worker.shutdown();
    },
  };
}
