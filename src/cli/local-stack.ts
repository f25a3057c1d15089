/**
 * The local stack behind `demo` and `dev`: a Temporal server (a dev server started here, or an
 * existing one), a warehouse (a local one started here, or the DATABRICKS_* one) and a worker.
 * `start` brings the parts up, in parallel where it can; `stop` takes them down in order, each
 * step on its own so that one failing never leaves the next one running.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalWarehouse, type LocalWarehouse, type LocalWarehouseOptions } from '../warehouse/index.js';
import { startTemporalDevServer, type TemporalDevServer, type TemporalDevServerOptions } from '../temporal/dev-server.js';
import { createSqlWorker, sqlWorkflowsPath, type SqlWorker } from '../temporal/worker.js';

export interface LocalStackOptions {
  /** `host:port` of an existing Temporal server; when unset, a dev server is started. */
  temporalAddress?: string;
  /** The dev server's settings (SQLite file, ports, Web UI), when one is started. */
  devServer?: TemporalDevServerOptions;
  /** The local warehouse's options; `false`: start none, the worker uses the DATABRICKS_* variables. */
  warehouse: LocalWarehouseOptions | false;
  namespace: string;
  taskQueue: string;
  /** Aborting it while `start` runs stops what was started; `start` then rejects with `StackInterruptedError`. */
  signal: AbortSignal;
}

/** Thrown by `LocalStack.start` when its signal aborts before the stack is up (everything started was stopped). */
export class StackInterruptedError extends Error {
  override readonly name = 'StackInterruptedError';
  constructor() {
    super('interrupted while starting');
  }
}

export class LocalStack {
  /**
   * Rejects when a part stops on its own while the stack runs (the dev server exits, the
   * worker fails); never resolves.
   */
  readonly failure: Promise<never>;
  #stopping: Promise<void> | undefined;

  private constructor(
    /** `host:port` of the Temporal frontend. */
    readonly temporalAddress: string,
    /** The dev server started here, if any. */
    readonly devServer: TemporalDevServer | undefined,
    /** The local warehouse started here, if any. */
    readonly warehouse: LocalWarehouse | undefined,
    readonly worker: SqlWorker,
    private readonly running: Promise<void>,
  ) {
    this.failure = new Promise<never>((_, reject) => {
      devServer?.onUnexpectedExit((description) => reject(new Error(description)));
      running.then(
        () => reject(new Error('the worker stopped')),
        (error: unknown) => reject(new Error(`the worker failed: ${error instanceof Error ? error.message : String(error)}`)),
      );
    });
    // Nobody may be listening (demo): a failure is still not an unhandled rejection.
    this.failure.catch(() => undefined);
  }

  /** `http://127.0.0.1:port` of the Temporal Web UI, when the dev server started here has one. */
  get uiUrl(): string | undefined {
    return this.devServer?.uiUrl;
  }

  static async start(options: LocalStackOptions): Promise<LocalStack> {
    const { signal } = options;
    // The three slow parts overlap: the dev server's start-up, the warehouse's, and bundling the workflow code.
    const [server, warehouse, bundle] = await Promise.allSettled([
      options.temporalAddress
        ? undefined
        : startTemporalDevServer({
            ...options.devServer,
            namespaces: options.namespace === 'default' ? [] : [options.namespace],
          }),
      options.warehouse ? startLocalWarehouse(options.warehouse) : undefined,
      bundleWorkflowCode({ workflowsPath: sqlWorkflowsPath(), logger: SILENT_LOGGER }),
    ]);
    const stopStarted = async (): Promise<void> => {
      await Promise.all([
        server.status === 'fulfilled' && quietly(() => server.value?.stop()),
        warehouse.status === 'fulfilled' && quietly(() => warehouse.value?.close()),
      ]);
    };
    const failed = [server, warehouse, bundle].find((part) => part.status === 'rejected');
    if (failed || signal.aborted) {
      await stopStarted();
      throw signal.aborted ? new StackInterruptedError() : (failed as PromiseRejectedResult).reason;
    }
    const devServer = (server as PromiseFulfilledResult<TemporalDevServer | undefined>).value;
    const localWarehouse = (warehouse as PromiseFulfilledResult<LocalWarehouse | undefined>).value;
    const temporalAddress = options.temporalAddress ?? devServer!.address;

    let worker: SqlWorker;
    try {
      worker = await createSqlWorker({
        connection: temporalAddress,
        namespace: options.namespace,
        taskQueue: options.taskQueue,
        workflowBundle: (bundle as PromiseFulfilledResult<{ code: string }>).value,
        // The token stays in this worker; workflow history only sees statements, handles and rows.
        warehouse: localWarehouse && {
          serverHostname: localWarehouse.serverHostname,
          httpPath: localWarehouse.httpPath,
          accessToken: localWarehouse.accessToken,
        },
      });
    } catch (error) {
      await stopStarted();
      throw error;
    }
    const stack = new LocalStack(temporalAddress, devServer, localWarehouse, worker, worker.run());
    if (signal.aborted) {
      await stack.stop();
      throw new StackInterruptedError();
    }
    return stack;
  }

  /**
   * Stops the worker (its running activities are cancelled and retried by the next worker),
   * then the warehouse and the dev server started here. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      // The worker first, while the warehouse and the server are still there for its last calls.
      await quietly(() => this.worker.shutdown());
      // Settles within the worker's shutdownDeadlineMs, even when the server is gone.
      await quietly(() => this.running);
      await Promise.all([quietly(() => this.warehouse?.close()), quietly(() => this.devServer?.stop())]);
    })();
    return this.#stopping;
  }
}

async function quietly(step: () => unknown): Promise<void> {
  try {
    await step();
  } catch {
    // Best effort: stopping goes on with the next part.
  }
}

/** The bundler reports its build at INFO: noise on a command line. Errors still reach the rejection. */
const SILENT_LOGGER = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
