/**
 * Runs the Temporal CLI's dev server (`temporal server start-dev`) as a child process on
 * free (or given) ports with a SQLite file, so workflows survive a restart of the server.
 * Used by the demo, `temporal-dbsql dev` and the tests.
 *
 * ```ts
 * const server = await startTemporalDevServer({ ui: true });
 * console.log(server.address, server.uiUrl);
 * await server.restart();   // same port, same SQLite file: workflows are still there
 * await server.stop();
 * ```
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';

/** Thrown when no Temporal CLI can be provisioned or the dev server does not come up. */
export class TemporalDevServerError extends Error {
  override readonly name: string = 'TemporalDevServerError';
  /** Last lines the server wrote to stderr, when it was started. */
  readonly serverOutput: string;
  constructor(message: string, serverOutput = '') {
    super(serverOutput ? `${message}\n${serverOutput}` : message);
    this.serverOutput = serverOutput;
  }
}

/** Thrown when a port asked for (`port`, `uiPort`) is already taken on 127.0.0.1. */
export class PortInUseError extends TemporalDevServerError {
  override readonly name: string = 'PortInUseError';
  readonly port: number;
  constructor(port: number, what: string) {
    super(`port ${port} for ${what} is already in use on 127.0.0.1`);
    this.port = port;
  }
}

export interface TemporalDevServerOptions {
  /** Path of the `temporal` binary; default: what `scripts/temporal/provision.sh` prints. */
  executable?: string;
  /** Keep the Web UI on (the demo does). @default false */
  ui?: boolean;
  /** SQLite file; default: a new file in a temporary directory removed by `stop()`. */
  dbFilename?: string;
  /** Port of the gRPC frontend on 127.0.0.1; default (or 0): a free port. */
  port?: number;
  /** Port of the Web UI, when `ui`; default (or 0): a free port. */
  uiPort?: number;
  /** Namespaces to register besides `default`. */
  namespaces?: string[];
  /** @format number of milliseconds to wait for the server to accept calls. @default 60000 */
  startTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** `127.0.0.1:port` of the gRPC frontend, for `Connection.connect` / `NativeConnection.connect`. */
  readonly address: string;
  /** `http://127.0.0.1:port` of the Web UI, when `ui` was set. */
  readonly uiUrl?: string;
  readonly dbFilename: string;
  /** Process id of the server (undefined when the Temporal SDK runs it). */
  readonly pid?: number;
  /**
   * Calls `listener` with a description when the server process ends without `stop()`,
   * `kill()` or `restart()` having asked for it (it crashed or was killed).
   */
  onUnexpectedExit(listener: (description: string) => void): void;
  /** Stops the process and starts it again on the same port and SQLite file. */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s); idempotent. */
  stop(): Promise<void>;
  /** Stops the server without removing its SQLite file (for a later `restart()`). */
  kill(): Promise<void>;
}

/** scripts/temporal/provision.sh of the package: two levels up from src/temporal, three from dist/src/temporal. */
function provisionScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..'), join(here, '..', '..', '..')].map((root) =>
    join(root, 'scripts', 'temporal', 'provision.sh'),
  );
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/** Runs the shared provisioning script; returns the binary's path. */
export async function provisionTemporalCli(): Promise<string> {
  const script = provisionScript();
  return new Promise((resolve, reject) => {
    // stderr is inherited so a first-time `go install` shows its progress.
    const child = execFile('bash', [script], { env: { ...process.env, TEMPORAL_ADDRESS: '' } }, (error, stdout) => {
      const path = stdout.trim();
      if (error || !path) {
        reject(new TemporalDevServerError(`could not provision the Temporal CLI (${script} failed)`));
      } else {
        resolve(path);
      }
    });
    child.stderr?.pipe(process.stderr);
  });
}

/** The SQLite file to use: the caller's, or one in a new temporary directory that `remove()` deletes. */
async function sqliteFile(dbFilename: string | undefined): Promise<{ dbFilename: string; remove: () => Promise<void> }> {
  if (dbFilename) return { dbFilename, remove: () => Promise.resolve() };
  const dir = await mkdtemp(join(tmpdir(), 'temporal-dbsql-dev-'));
  return { dbFilename: join(dir, 'temporal.sqlite'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Dev-server settings for latency: a query's workflow waits on the server three times between
 * "scheduled" and "started" (each ~30 ms with the defaults on a busy 2-core machine).
 * - Eager activities: the worker that completes a workflow task gets the submit activity in the
 *   answer, without a trip through matching (off by default on the server).
 * - One partition per task queue: with the default four, a task can land in a partition no
 *   poller waits on and is forwarded to the root partition first.
 * - History task queues read at up to 1000 loads/s instead of 20: the limit is per history shard,
 *   and the dev server has one (a cluster has hundreds), so 20 capped the whole server. The
 *   workflow task after an activity (and every timer) reaches matching through such a load: at
 *   ~10 workflows/s it waited up to 50 ms for the limiter.
 * - SQLite in WAL mode with `synchronous=normal`: one fsync per checkpoint, not several per
 *   transaction; still durable when the server process is killed (not on power loss).
 */
const LATENCY_ARGS = [
  ...[
    'system.enableActivityEagerExecution=true',
    'matching.numTaskqueueReadPartitions=1',
    'matching.numTaskqueueWritePartitions=1',
    ...['transfer', 'timer', 'visibility'].map((queue) => `history.${queue}ProcessorMaxPollRPS=1000`),
  ].flatMap((value) => ['--dynamic-config-value', value]),
  ...['journal_mode=wal', 'synchronous=normal'].flatMap((pragma) => ['--sqlite-pragma', pragma]),
];

export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
  let executable = options.executable;
  if (!executable) {
    try {
      executable = await provisionTemporalCli();
    } catch (error) {
      return startSdkDownloadedServer(options, error);
    }
  }
  const port = await usablePort(options.port, 'the Temporal frontend');
  const uiPort = options.ui ? await usablePort(options.uiPort, 'the Temporal Web UI') : undefined;
  const { dbFilename, remove } = await sqliteFile(options.dbFilename);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    dbFilename,
    '--log-level',
    'error',
    ...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']),
    ...LATENCY_ARGS,
    ...(options.namespaces ?? []).flatMap((namespace) => ['--namespace', namespace]),
  ];
  const address = `127.0.0.1:${port}`;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  let child: ChildProcess | undefined;
  let output = '';
  const exitListeners: Array<(description: string) => void> = [];
  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    // If this process dies without stop() (an uncaught error, a closed pipe), take the server along.
    const killOnExit = (): void => {
      proc.kill('SIGKILL');
    };
    process.on('exit', killOnExit);
    proc.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      // halt() clears `child` before it stops the process: still ours here means nobody asked.
      if (child !== proc) return;
      child = undefined;
      const description = `the Temporal dev server (pid ${proc.pid}) exited with ${signal ?? `code ${code}`}`;
      for (const listener of exitListeners) listener(description);
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    await waitUntilServing(address, proc, startTimeoutMs, () => output);
  };
  const halt = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc) await stopProcess(proc);
  };

  try {
    await launch();
  } catch (error) {
    await halt();
    await remove();
    throw error;
  }
  let stopped = false;
  return {
    address,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    dbFilename,
    get pid() {
      return child?.pid;
    },
    onUnexpectedExit: (listener) => {
      exitListeners.push(listener);
    },
    restart: async () => {
      await halt();
      await launch();
    },
    kill: halt,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await halt();
      await remove();
    },
  };
}

/** `port` if it is free on 127.0.0.1 (else a clear error), or a free port when it is 0 or unset. */
async function usablePort(port: number | undefined, what: string): Promise<number> {
  if (!port) return findFreePort();
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free) throw new PortInUseError(port, what);
  return port;
}

/**
 * Polls a real gRPC call (DescribeNamespace of `default`) until it answers: the port
 * opens before the namespace is registered, so "port open" is not enough.
 */
async function waitUntilServing(address: string, proc: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc.once('exit', () => {
    exited = true;
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new TemporalDevServerError('the Temporal dev server exited during start-up', output());
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await stopProcess(proc);
  throw new TemporalDevServerError(
    `the Temporal dev server did not answer on ${address} within ${timeoutMs} ms (${String(lastError)})`,
    output(),
  );
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Last resort, for a machine with internet but neither a `temporal` binary nor Go: the
 * Temporal SDK downloads the CLI and runs its dev server. It cannot be restarted on the same
 * port, so `restart()` says so instead.
 */
async function startSdkDownloadedServer(options: TemporalDevServerOptions, cause: unknown): Promise<TemporalDevServer> {
  process.stderr.write("temporal-dbsql: no local Temporal CLI; trying the Temporal SDK's download of it\n");
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const { dbFilename, remove } = await sqliteFile(options.dbFilename);
  const uiPort = options.ui ? await usablePort(options.uiPort, 'the Temporal Web UI') : undefined;
  let environment: Awaited<ReturnType<typeof TestWorkflowEnvironment.createLocal>>;
  try {
    environment = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: options.port || undefined,
        dbFilename,
        ui: Boolean(uiPort),
        uiPort,
        extraArgs: [
          '--log-level',
          'error',
          ...LATENCY_ARGS,
          ...(options.namespaces ?? []).flatMap((namespace) => ['--namespace', namespace]),
        ],
      },
    });
  } catch (error) {
    await remove();
    const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));
    throw new TemporalDevServerError(
      `no Temporal CLI could be provisioned (${reason(cause)}) and the SDK's download failed (${reason(error)})`,
    );
  }
  let stopped = false;
  const teardown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await environment.teardown();
    await remove();
  };
  return {
    address: environment.address,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    dbFilename,
    // The SDK owns that process and reports no exit.
    onUnexpectedExit: () => undefined,
    restart: () =>
      Promise.reject(
        new TemporalDevServerError(
          'restart needs a local Temporal CLI (TEMPORAL_CLI_PATH, PATH or Go); ' +
            'the SDK-downloaded server cannot be restarted on the same port',
        ),
      ),
    kill: teardown,
    stop: teardown,
  };
}
