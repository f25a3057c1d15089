/** The `worker`, `run`, `status`, `cancel` and `result` commands. */
import { parseArgs } from 'node:util';
import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { resolve } from 'node:path';
import type { JsonSqlParam, SqlQueryInput, SqlQueryResult } from '../../workflows/messages.js';
import { resolveResultSink, ResultSinkSettingsError, type ResolvedResultSink } from '../../workflows/result-sink-settings.js';
import { cancelSqlQuery, getSqlQueryResult, getSqlQueryStatus, startSqlQuery } from '../temporal/client.js';
import { ExitCode, UsageError, openClient, temporalSettingsFromEnv, type TemporalSettings } from './shared.js';
import { printResult, withLiveProgress } from './progress.js';
import { writeResultOutput } from './result-output.js';

export type TemporalCommand = 'worker' | 'run' | 'status' | 'cancel' | 'result';

const ENVIRONMENT = `
Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"),
TEMPORAL_TASK_QUEUE (default "temporal-dbsql").
`;

/** What `<command> --help` prints. */
const COMMAND_USAGE: Record<TemporalCommand, string> = {
  worker: `Usage: temporal-dbsql worker [--metrics HOST:PORT]

Runs a Temporal worker for sqlQueryWorkflow until Ctrl-C. The warehouse settings
(DATABRICKS_HOST, DATABRICKS_HTTP_PATH, and DATABRICKS_TOKEN or, for OAuth M2M, DATABRICKS_CLIENT_ID
and DATABRICKS_CLIENT_SECRET) are read here, by the worker only. With TEMPORAL_DBSQL_ENCRYPTION_KEYS
set, payloads in Temporal are encrypted (clients need the same keys).

Options:
  --metrics HOST:PORT     serve Prometheus metrics at http://HOST:PORT/metrics: the SDK's worker
                          metrics and temporal_dbsql_* (statements submitted, status polls, rows
                          and bytes fetched, failures by activity and type)
${ENVIRONMENT}`,
  run: `Usage: temporal-dbsql run "SQL" [--param k=v] [--param k:TYPE=v] [--poll-interval MS] [--id ID] [--wait] [--json]
                           [--output s3://bucket/prefix | --output DIR] [--format parquet|arrow|csv|jsonl]

Starts sqlQueryWorkflow and prints its workflow ID.

Options:
  --param k=v, k:TYPE=v   a named parameter (:k in the SQL); repeatable; e.g. n:INT=5
  --poll-interval MS      milliseconds before the first status poll (default 2000); each later
                          interval is 1.2x the last, up to 30 s
  --id ID                 workflow ID (default sql-<random UUID>)
  --wait                  show progress, then print the rows (exit 3 if the query was canceled)
  --json                  with --wait: print the result as one JSON line
  --output URL            write the result to s3://bucket/prefix or a directory the workers can
                          see (parts and manifest.json), whatever its size; with --wait, progress
                          shows rows and bytes written. S3 credentials are the workers' (AWS_*)
  --format FORMAT         with --output: parquet (default), arrow, csv or jsonl
${ENVIRONMENT}`,
  status: `Usage: temporal-dbsql status ID

Prints the workflow's status as JSON: state, query id, polls, runs, timestamps, and
"retrying" (activity, attempts, last error, since when) while an activity keeps failing.
${ENVIRONMENT}`,
  cancel: `Usage: temporal-dbsql cancel ID

Asks the workflow to cancel its statement; the workflow then ends with state CANCELED.
${ENVIRONMENT}`,
  result: `Usage: temporal-dbsql result ID [--json] [--output s3://bucket/prefix | --output DIR] [--format parquet|arrow|csv|jsonl]

Waits for the workflow, showing progress, and prints its rows (exit 3 if the query was canceled).

Options:
  --json                  print the result as one JSON line
  --output URL            write the result's inline rows to s3://bucket/prefix or a directory (parts
                          and manifest.json), showing rows and bytes written; exit 2 if the result
                          is already in a sink (its manifest is named) or holds no inline rows
  --format FORMAT         with --output: parquet (default), arrow, csv or jsonl
${ENVIRONMENT}`,
};

export async function runTemporalCommand(command: TemporalCommand, argv: string[]): Promise<number> {
  const settings = temporalSettingsFromEnv();
  if (command === 'worker') return runWorker(argv, settings);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      param: { type: 'string', multiple: true },
      wait: { type: 'boolean' },
      id: { type: 'string' },
      json: { type: 'boolean' },
      'poll-interval': { type: 'string' },
      output: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(COMMAND_USAGE[command]);
    return ExitCode.Ok;
  }
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError(command === 'run' ? 'run needs a SQL statement' : `${command} needs a workflow ID`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (quote the SQL statement)`);

  if (command !== 'run' && command !== 'result' && (values.output !== undefined || values.format !== undefined)) {
    throw new UsageError('--output and --format go with run and result (the sink is chosen when the query starts)');
  }
  const resultSink = resultSinkOption(values.output, values.format);
  const { client, close } = await openClient(settings);
  try {
    switch (command) {
      case 'run': {
        const input: SqlQueryInput = { statement: target, params: parseParams(values.param ?? []) };
        if (values['poll-interval']) input.pollIntervalMs = parsePositiveInt('--poll-interval', values['poll-interval']);
        input.resultSink = resultSink;
        const handle = await startSqlQuery(client, input, { taskQueue: settings.taskQueue, workflowId: values.id });
        process.stderr.write(`started workflow ${handle.workflowId}\n`);
        if (!values.wait) {
          process.stdout.write(`${handle.workflowId}\n`);
          return ExitCode.Ok;
        }
        return await awaitAndPrint(client, handle.workflowId, values.json ?? false);
      }
      case 'status':
        process.stdout.write(`${JSON.stringify(await getSqlQueryStatus(client, target), null, 2)}\n`);
        return ExitCode.Ok;
      case 'cancel':
        await cancelSqlQuery(client, target, 'canceled from the command line');
        process.stderr.write(`cancel requested for workflow ${target}\n`);
        return ExitCode.Ok;
      case 'result':
        if (resultSink) return await awaitAndPrint(client, target, (result) => writeResultOutput(target, result, resultSink));
        return await awaitAndPrint(client, target, values.json ?? false);
    }
  } finally {
    await close();
  }
}

/** Awaits the result, then prints it (`json` or not) or hands it to `output`. */
async function awaitAndPrint(
  client: Client,
  workflowId: string,
  output: boolean | ((result: SqlQueryResult) => Promise<number>),
): Promise<number> {
  try {
    const result = await withLiveProgress(client, workflowId, getSqlQueryResult(client, workflowId));
    if (result.state === 'CANCELED' || typeof output === 'boolean') {
      printResult(result, output === true);
      return result.state === 'CANCELED' ? ExitCode.Canceled : ExitCode.Ok;
    }
    return await output(result);
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure) {
      process.stderr.write(`workflow ${workflowId} was cancelled\n`);
      return ExitCode.Canceled;
    }
    if (error instanceof WorkflowFailedError) {
      const cause = error.cause;
      const details = cause && 'details' in cause ? (cause as { details?: unknown[] }).details?.[0] : undefined;
      const sqlState = (details as { sqlState?: string } | undefined)?.sqlState;
      process.stderr.write(
        `workflow ${workflowId} failed: ${firstLine(cause?.message ?? error.message)}` +
          `${sqlState ? ` (SQLSTATE ${sqlState})` : ''}\n`,
      );
      return ExitCode.Failure;
    }
    throw error;
  }
}

async function runWorker(argv: string[], { address, namespace, taskQueue }: TemporalSettings): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { help: { type: 'boolean', short: 'h' }, metrics: { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(COMMAND_USAGE.worker);
    return ExitCode.Ok;
  }
  // Loaded here: the worker SDK takes seconds to load, and run/status/cancel/result need none of it.
  const [{ DefaultLogger, Runtime }, { createSqlWorker }, { installSqlMetricsRuntime }] = await Promise.all([
    import('@temporalio/worker'),
    import('../temporal/worker.js'),
    import('../temporal/observability/metrics.js'),
  ]);
  // WARN: the SDK's INFO lines are mostly the workflow bundler's build report.
  if (values.metrics) installSqlMetricsRuntime({ prometheusBindAddress: values.metrics });
  else Runtime.install({ logger: new DefaultLogger('WARN') });
  const worker = await createSqlWorker({ connection: address, namespace, taskQueue });
  if (values.metrics) process.stderr.write(`metrics at http://${values.metrics}/metrics\n`);
  process.stderr.write(`worker polling task queue "${taskQueue}" on ${address} (namespace ${namespace}); Ctrl-C stops it\n`);
  await worker.run(); // the SDK shuts it down on SIGINT/SIGTERM
  return ExitCode.Ok;
}

/** `k=v` (typed from the text: a string) or `k:TYPE=v` (e.g. `n:INT=5`). */
export function parseParams(specs: string[]): Record<string, JsonSqlParam> | undefined {
  if (specs.length === 0) return undefined;
  const params: Record<string, JsonSqlParam> = {};
  for (const spec of specs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z][A-Za-z0-9_(), ]*))?=(.*)$/s.exec(spec);
    if (!match) throw new UsageError(`--param "${spec}" is not name=value or name:TYPE=value`);
    const [, name, type, value] = match;
    params[name!] = type ? { type: type.toUpperCase(), value: value! } : value!;
  }
  return params;
}

/** Warehouse messages may add context lines (a caret under the SQL): stderr gets the first. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

function parsePositiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

/** `--output`/`--format` as `resultSink`, checked here so a bad one never starts a workflow. */
function resultSinkOption(output: string | undefined, format: string | undefined): ResolvedResultSink | undefined {
  if (output === undefined) {
    if (format !== undefined) throw new UsageError('--format needs --output');
    return undefined;
  }
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(output) ? output : resolve(output);
  try {
    return resolveResultSink({ url, format });
  } catch (error) {
    if (!(error instanceof ResultSinkSettingsError)) throw error;
    const flag = error.field === 'resultSink.format' ? '--format' : '--output';
    throw new UsageError(`${flag}: ${error.message.replace(`${error.field} `, '')}`);
  }
}
