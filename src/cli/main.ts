#!/usr/bin/env node
/**
 * `temporal-dbsql` command line: dispatches to the subcommands. Errors go to stderr;
 * exit codes: 0 success, 1 failure, 2 usage error, 3 query canceled, 130 interrupted.
 */
import { allocatorSettings, relaunchWith, stopWithLauncher } from './relaunch.js';

// `worker` runs itself again with glibc's allocator settings (relaunch.ts) before anything
// else loads, so the process that launches it stays a bare node (~40 MB).
const argv = process.argv.slice(2);
const allocator = argv[0] === 'worker' && !argv.includes('--help') && !argv.includes('-h') ? allocatorSettings() : undefined;
if (allocator) process.exit(await relaunchWith(allocator));
stopWithLauncher();
const { ExitCode, UsageError } = await import('./shared.js');

const USAGE = `Usage: temporal-dbsql <command> [options]

Commands:
  demo                        Start a Temporal dev server, a local warehouse and a worker,
                              run a durable query with live progress, print the rows, stop all.
  dev [options]               Run a Temporal dev server (Web UI, history kept across runs), a local
                              warehouse and a worker until Ctrl-C, for run/status/cancel/result
                              from other terminals (see: temporal-dbsql dev --help).
  warehouse [options]         Run the local SQL warehouse (see: temporal-dbsql warehouse --help).
  worker                      Run a Temporal worker for sqlQueryWorkflow.
  run "SQL" [--param k=v] [--param k:TYPE=v] [--poll-interval MS] [--wait] [--id ID] [--json]
                              Start sqlQueryWorkflow; with --wait, show progress and print rows.
  status ID                   Print the workflow's status (state, query id, polls, timestamps).
  cancel ID                   Cancel the query (the workflow ends with state CANCELED).
  result ID [--json]          Wait for the workflow and print its rows.
  pipeline run FILE [--wait] | status ID | cancel ID | result ID
                              Run SQL steps with dependencies from a YAML/JSON file, with a
                              live per-step table (see: temporal-dbsql pipeline --help).
  schedule create|list|describe|pause|resume|trigger|delete
                              Scheduled queries and pipelines on Temporal Schedules, each run
                              writing to its own slot path (see: temporal-dbsql schedule --help).
  codec-server [--port N]     Decrypt payloads for the Temporal Web UI (see: codec-server --help).

Run "temporal-dbsql <command> --help" for a command's options.

Environment:
  TEMPORAL_ADDRESS            Temporal frontend host:port (default localhost:7233)
  TEMPORAL_NAMESPACE          (default "default")
  TEMPORAL_TASK_QUEUE         (default "temporal-dbsql")
  DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN
                              Warehouse settings, read by the worker only (or, for OAuth,
                              DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET).
  TEMPORAL_DBSQL_ENCRYPTION_KEYS
                              id=base64key,...: encrypt payloads (worker, client, codec-server).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? ExitCode.Usage : ExitCode.Ok;
    case 'warehouse':
      return (await import('./warehouse.js')).runWarehouseCommand(rest);
    case 'demo':
      return (await import('./demo.js')).runDemoCommand(rest);
    case 'codec-server':
      return (await import('./codec-server.js')).runCodecServerCommand(rest);
    case 'dev':
      return (await import('./dev.js')).runDevCommand(rest);
    case 'pipeline':
      return (await import('./pipeline.js')).runPipelineCommand(rest);
    case 'schedule':
      return (await import('./schedule.js')).runScheduleCommand(rest);
    case 'worker':
    case 'run':
    case 'status':
    case 'cancel':
    case 'result':
      return (await import('./temporal-commands.js')).runTemporalCommand(command, rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * Once a command is done, anything still holding the event loop gets this long before the
 * process exits anyway: a worker whose Temporal server is gone leaves the SDK's native calls
 * retrying (see WorkerShutdownTimeoutError), and a command must not hang on them.
 */
const EXIT_GRACE_MS = 1_000;

main(argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
        process.stderr.write(`temporal-dbsql: ${(error as Error).message}\nRun "temporal-dbsql --help" for usage.\n`);
        process.exitCode = ExitCode.Usage;
      } else {
        process.stderr.write(`temporal-dbsql: ${describeError(error)}\n`);
        process.exitCode = ExitCode.Failure;
      }
    },
  )
  .finally(() => setTimeout(() => process.exit(), EXIT_GRACE_MS).unref());

/** 'Workflow execution failed: [PARSE_SYNTAX_ERROR] ...': a Temporal failure's message alone names no cause. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message.split('\n')[0] : undefined;
  return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
}
