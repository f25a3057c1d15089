/**
 * `temporal-dbsql warehouse`: runs the local warehouse until Ctrl-C and prints the three values
 * to export so that any Databricks client (ours included) connects to it.
 */
import { parseArgs } from 'node:util';
import { startLocalWarehouse } from '../warehouse/index.js';
import { relaunchWith } from './relaunch.js';

/** libuv pool threads for the warehouse process: each running statement holds one. */
const THREAD_POOL_SIZE = '32';

const USAGE = `Usage: temporal-dbsql warehouse [--port N] [--host H] [--database FILE] [--tls] [--session-idle-timeout S]

Runs a local Databricks-compatible SQL warehouse on embedded DuckDB.

Options:
  --port N          TCP port to listen on (default 8765; 0 picks a free port)
  --host H          interface to listen on (default 127.0.0.1)
  --database FILE   DuckDB database file, kept across restarts (default: in memory)
  --tls             serve HTTPS with a self-signed certificate made at start-up
  --session-idle-timeout S
                    seconds after which a session nobody used is closed (default 28800,
                    8 hours, as on Databricks); its running queries carry on
  --help            show this help

The access token is DATABRICKS_TOKEN if set, else a new random one printed at start-up.
`;

/** Runs the command; resolves to the process exit code once the warehouse has stopped. */
export async function runWarehouseCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        tls: { type: 'boolean' },
        'session-idle-timeout': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 8765 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number (0-65535), got '${values.port}'.\n`);
    return 2;
  }
  const idleText = values['session-idle-timeout'];
  const idleSeconds = idleText === undefined ? undefined : Number(idleText);
  if (idleSeconds !== undefined && !(Number.isFinite(idleSeconds) && idleSeconds > 0)) {
    process.stderr.write(`--session-idle-timeout must be a positive number of seconds, got '${idleText}'.\n`);
    return 2;
  }
  // Only after the arguments are checked: help and usage errors need no second process.
  // The pool size is fixed before any of our code runs: the command runs itself again with it set.
  if (process.env['UV_THREADPOOL_SIZE'] === undefined) return relaunchWith({ UV_THREADPOOL_SIZE: THREAD_POOL_SIZE });

  const envToken = process.env['DATABRICKS_TOKEN'] || undefined;
  const warehouse = await startLocalWarehouse({
    port,
    host: values.host,
    database: values.database,
    tls: values.tls === true,
    token: envToken,
    sessionIdleTimeoutMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
  });
  const lines = [
    `Local SQL warehouse listening on ${warehouse.serverHostname} (query history: ${warehouse.serverHostname}/)`,
    `Database: ${values.database ?? 'in memory'}`,
    '',
    'Connect with:',
    `  export DATABRICKS_HOST=${warehouse.serverHostname}`,
    `  export DATABRICKS_HTTP_PATH=${warehouse.httpPath}`,
    // The token is printed only when this command made it: one from the environment is the user's own.
    envToken
      ? '  (DATABRICKS_TOKEN: the value already in your environment)'
      : `  export DATABRICKS_TOKEN=${warehouse.accessToken}`,
  ];
  if (warehouse.caCertificate) {
    lines.push('', 'Self-signed certificate (trust it as a CA):', warehouse.caCertificate.trim());
  }
  process.stdout.write(`${lines.join('\n')}\n\nPress Ctrl-C to stop.\n`);

  // The handlers stay installed while stopping, so a second Ctrl-C does not cut the shutdown short.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  process.stdout.write('Stopping the local warehouse...\n');
  await warehouse.close();
  return 0;
}
