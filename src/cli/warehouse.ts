/**
 * `temporal-dbsql warehouse`: runs the local warehouse until Ctrl-C and prints the three values
 * to export so that any Databricks client (ours included) connects to it.
 */
import { parseArgs } from 'node:util';
import { ensureThreadPoolSize, startLocalWarehouse } from '../warehouse/index.js';

const USAGE = `Usage: temporal-dbsql warehouse [--port N] [--host H] [--database FILE] [--tls]

Runs a local Databricks-compatible SQL warehouse on embedded DuckDB.

Options:
  --port N          TCP port to listen on (default 8765; 0 picks a free port)
  --host H          interface to listen on (default 127.0.0.1)
  --database FILE   DuckDB database file, kept across restarts (default: in memory)
  --tls             serve HTTPS with a self-signed certificate made at start-up
  --help            show this help

The access token is DATABRICKS_TOKEN if set, else a new random one printed at start-up.
`;

/** Runs the command; resolves to the process exit code once the warehouse has stopped. */
export async function runWarehouseCommand(argv: string[]): Promise<number> {
  // Before DuckDB loads: statements hold a libuv pool thread for as long as they run.
  ensureThreadPoolSize();
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        tls: { type: 'boolean' },
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

  const warehouse = await startLocalWarehouse({
    port,
    host: values.host,
    database: values.database,
    tls: values.tls === true,
    token: process.env['DATABRICKS_TOKEN'] || undefined,
  });
  const tokenFromEnv = Boolean(process.env['DATABRICKS_TOKEN']);
  const lines = [
    `Local SQL warehouse listening on ${warehouse.serverHostname} (query history: ${warehouse.serverHostname}/)`,
    `Database: ${values.database ?? 'in memory'}`,
    '',
    'Connect with:',
    `  export DATABRICKS_HOST=${warehouse.serverHostname}`,
    `  export DATABRICKS_HTTP_PATH=${warehouse.httpPath}`,
    // The token is printed only when this command made it: one from the environment is the user's own.
    tokenFromEnv ? '  (DATABRICKS_TOKEN: the value already in your environment)' : `  export DATABRICKS_TOKEN=${warehouse.accessToken}`,
  ];
  if (warehouse.caCertificate) {
    lines.push('', 'Self-signed certificate (trust it as a CA):', warehouse.caCertificate.trim());
  }
  process.stdout.write(`${lines.join('\n')}\n\nPress Ctrl-C to stop.\n`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('Stopping the local warehouse...\n');
  await warehouse.close();
  return 0;
}
