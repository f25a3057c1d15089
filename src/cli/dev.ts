/**
 * `temporal-dbsql dev`: the whole local stack for trying the package by hand. A Temporal dev
 * server with its Web UI (history kept across runs), a local warehouse and a worker, up until
 * Ctrl-C, so that `run`, `status`, `cancel` and `result` work from other terminals.
 */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connect } from '../index.js';
import { PortInUseError } from '../temporal/dev-server.js';
import { defaultDataDir, deleteHistory, historyFile, lockDataDir } from './dev-data-dir.js';
import { LocalStack, StackInterruptedError } from './local-stack.js';
import { ExitCode, UsageError, temporalSettingsFromEnv, type TemporalSettings } from './shared.js';

const USAGE = `Usage: temporal-dbsql dev [--data-dir DIR] [--fresh] [--database FILE] [--port N] [--ui-port N] [--warehouse-port N]

Runs the local stack until Ctrl-C: a Temporal dev server with its Web UI, a local warehouse
and a worker, so that run, status, cancel and result work from other terminals. Prints the
addresses and the environment to export there.

Options:
  --data-dir DIR        folder of the Temporal server's SQLite file: workflow history is kept
                        there across runs (default: $XDG_DATA_HOME/temporal-dbsql, else
                        ~/.local/share/temporal-dbsql)
  --fresh               delete that history before starting
  --database FILE       DuckDB file of the warehouse, so tables are kept (default: in memory)
  --port N              Temporal frontend port (default 7233; 0 picks a free port)
  --ui-port N           Temporal Web UI port (default --port + 1000; with --port 0, a free port)
  --warehouse-port N    warehouse port (default 8765; 0 picks a free port)
  -h, --help            show this help

Reusing what already runs:
  TEMPORAL_ADDRESS      use this Temporal server instead of starting a dev server
  DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN
                        the worker uses this warehouse instead of starting a local one
  TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE (default "default", "temporal-dbsql")

Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a part failed to start or stopped on its own,
2 usage error, 130 interrupted while starting.
`;

interface DevOptions {
  dataDir: string;
  fresh: boolean;
  database?: string;
  port: number;
  uiPort: number;
  warehousePort: number;
  /** TEMPORAL_ADDRESS: reuse that server. */
  temporalAddress?: string;
  /** DATABRICKS_HOST set: reuse that warehouse. */
  existingWarehouse: boolean;
  settings: TemporalSettings;
}

export async function runDevCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      fresh: { type: 'boolean' },
      database: { type: 'string' },
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      'warehouse-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  const port = parsePort('--port', values.port, 7233);
  const options: DevOptions = {
    dataDir: values['data-dir'] ?? defaultDataDir(),
    fresh: values.fresh ?? false,
    database: values.database,
    port,
    uiPort: parsePort('--ui-port', values['ui-port'], port === 0 ? 0 : port + 1000),
    warehousePort: parsePort('--warehouse-port', values['warehouse-port'], 8765),
    temporalAddress: process.env.TEMPORAL_ADDRESS || undefined,
    existingWarehouse: Boolean(process.env.DATABRICKS_HOST),
    settings: temporalSettingsFromEnv(),
  };
  if (options.temporalAddress && (values.fresh || values['data-dir'] || values.port || values['ui-port'])) {
    throw new UsageError(
      '--data-dir, --fresh, --port and --ui-port are for the dev server; TEMPORAL_ADDRESS names another server',
    );
  }
  if (options.existingWarehouse && (values.database || values['warehouse-port'])) {
    throw new UsageError('--database and --warehouse-port are for the local warehouse; DATABRICKS_HOST names another warehouse');
  }
  return runDev(options);
}

async function runDev(options: DevOptions): Promise<number> {
  const log = (line: string): void => {
    process.stderr.write(`dev: ${line}\n`);
  };
  // The SDK would stop the worker on its own on SIGINT; here Ctrl-C stops the three parts in order.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const stopRequested = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      log(`${signal}: stopping the worker, the warehouse and the Temporal server (Ctrl-C again to force)`);
      stopRequested.abort();
    } else {
      // The dev server child is SIGKILLed by its launcher's exit hook.
      log('forced to stop: exiting now');
      process.exit(ExitCode.Interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let releaseLock: (() => Promise<void>) | undefined;
  let stack: LocalStack | undefined;
  const started = Date.now();
  try {
    if (!options.temporalAddress) {
      releaseLock = await lockDataDir(options.dataDir);
      if (options.fresh) {
        await deleteHistory(options.dataDir);
        log(`--fresh: deleted the workflow history in ${options.dataDir}`);
      }
    }
    if (options.existingWarehouse) await checkExistingWarehouse(log);
    log(
      options.temporalAddress
        ? `using the Temporal server at TEMPORAL_ADDRESS=${options.temporalAddress}; starting the rest`
        : 'starting the Temporal dev server (provisioned on first use), the warehouse and the worker',
    );
    stack = await LocalStack.start({
      temporalAddress: options.temporalAddress,
      devServer: { ui: true, port: options.port, uiPort: options.uiPort, dbFilename: historyFile(options.dataDir) },
      warehouse: options.existingWarehouse ? false : { port: options.warehousePort, database: options.database },
      namespace: options.settings.namespace,
      taskQueue: options.settings.taskQueue,
      signal: stopRequested.signal,
    });
    process.stdout.write(readyMessage(stack, options, Date.now() - started));

    const stopped = new Promise<void>((resolve) => stopRequested.signal.addEventListener('abort', () => resolve()));
    let code: number = ExitCode.Ok;
    await Promise.race([stopped, stack.failure]).catch((error: unknown) => {
      log(`${error instanceof Error ? error.message : String(error)}; stopping the rest`);
      code = ExitCode.Failure;
    });
    const stopping = Date.now();
    await stack.stop();
    log(`stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    return code;
  } catch (error) {
    if (error instanceof StackInterruptedError) return ExitCode.Interrupted;
    if (error instanceof PortInUseError) {
      throw new Error(
        `${error.message}: is another Temporal server running? Reuse it with TEMPORAL_ADDRESS, or choose a port with --port (0: any free one)`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await stack?.stop();
    await releaseLock?.();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Opens and closes a session on the DATABRICKS_* warehouse, so a wrong host or token fails now rather than on the first query. */
async function checkExistingWarehouse(log: (line: string) => void): Promise<void> {
  log(`checking the warehouse at DATABRICKS_HOST=${process.env.DATABRICKS_HOST}`);
  try {
    await (await connect()).close();
  } catch (error) {
    throw new Error(
      `the warehouse of DATABRICKS_HOST does not answer: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function readyMessage(stack: LocalStack, options: DevOptions, startupMs: number): string {
  const { namespace, taskQueue } = options.settings;
  const warehouse = stack.warehouse;
  const lines = [
    `temporal-dbsql dev is up (${(startupMs / 1000).toFixed(1)} s); Ctrl-C stops it.`,
    '',
    stack.uiUrl
      ? `  Temporal Web UI   ${stack.uiUrl}/namespaces/${namespace}/workflows`
      : '  Temporal Web UI   that of your server',
    `  Temporal server   ${stack.temporalAddress}` +
      (stack.devServer ? `, history kept in ${stack.devServer.dbFilename}` : ' (TEMPORAL_ADDRESS)'),
    warehouse
      ? `  Warehouse         ${warehouse.url} (${options.database ? `database ${options.database}` : 'in memory'})`
      : `  Warehouse         ${process.env.DATABRICKS_HOST} (DATABRICKS_* of your environment)`,
    ...(warehouse ? [`  Query history     ${warehouse.serverHostname}/`] : []),
    `  Worker            task queue "${taskQueue}", namespace "${namespace}"`,
    '',
    'In another terminal:',
    `  export TEMPORAL_ADDRESS=${stack.temporalAddress}`,
    ...(namespace === 'default' ? [] : [`  export TEMPORAL_NAMESPACE=${namespace}`]),
    ...(taskQueue === 'temporal-dbsql' ? [] : [`  export TEMPORAL_TASK_QUEUE=${taskQueue}`]),
    '  npx temporal-dbsql run "SELECT 42 AS answer" --wait',
  ];
  if (warehouse) {
    // This token was made for this run of a loopback-only warehouse and dies with it; a token
    // of the user's own (DATABRICKS_TOKEN) is never printed, as the `warehouse` command does.
    lines.push(
      '',
      'For the driver or any Databricks client (the token is a throwaway one made for this run):',
      `  export DATABRICKS_HOST=${warehouse.serverHostname}`,
      `  export DATABRICKS_HTTP_PATH=${warehouse.httpPath}`,
      `  export DATABRICKS_TOKEN=${warehouse.accessToken}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function parsePort(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got "${text}"`);
  return port;
}
