/** The `pipeline run|status|cancel|result` commands, the live per-step table, and the demo's pipeline. */
import { parseArgs } from 'node:util';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { statusQuery, type SqlQueryStatus } from '../../workflows/messages.js';
import type {
  PipelineStepStatus,
  SqlPipelineInput,
  SqlPipelineResult,
  SqlPipelineStatus,
} from '../../workflows/pipeline-messages.js';
import { PipelineFileError, loadPipelineFile } from '../temporal/pipeline-file.js';
import { cancelSqlPipeline, getSqlPipelineResult, getSqlPipelineStatus, startSqlPipeline } from '../temporal/pipelines.js';
import { formatTable, whileRunning } from './progress.js';
import { ExitCode, UsageError, openClient, temporalSettingsFromEnv } from './shared.js';

const USAGE = `Usage: temporal-dbsql pipeline <run FILE | status ID | cancel ID | result ID> [options]

  run FILE [--id ID] [--wait] [--json]
              Start sqlPipelineWorkflow from a YAML or JSON file (steps, dependsOn, params,
              maxParallel, failurePolicy; see the README's Pipelines section) and print its
              workflow ID; with --wait, show a live per-step table, then the result.
  status ID   Print each step's state, query id, rows and time (--json: the status as JSON).
  cancel ID   Cancel every running step (its statement on the warehouse) and skip the rest.
  result ID   Wait for the pipeline, showing the live table, then print the result.

Options:
  --id ID     workflow ID (default pipeline-<random UUID>); steps run as <ID>.<step>
  --wait      with run: wait for the pipeline, showing progress
  --json      print the status or result as one JSON line

Exit codes: 0 finished, 1 failed, 2 usage error or bad file (named with its line, step and
field), 3 canceled.

Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"),
TEMPORAL_TASK_QUEUE (default "temporal-dbsql").
`;

export async function runPipelineCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      id: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, target, ...extra] = positionals;
  if (values.help || action === undefined) {
    process.stdout.write(USAGE);
    return values.help ? ExitCode.Ok : ExitCode.Usage;
  }
  if (!['run', 'status', 'cancel', 'result'].includes(action)) throw new UsageError(`unknown pipeline action "${action}"`);
  if (!target)
    throw new UsageError(action === 'run' ? 'pipeline run needs a pipeline file' : `pipeline ${action} needs a workflow ID`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (action !== 'run' && (values.id !== undefined || values.wait)) throw new UsageError('--id and --wait go with pipeline run');

  let input: SqlPipelineInput | undefined;
  if (action === 'run') {
    try {
      input = await loadPipelineFile(target);
    } catch (error) {
      if (!(error instanceof PipelineFileError)) throw error;
      process.stderr.write(`temporal-dbsql: ${error.message}\n`);
      return ExitCode.Usage;
    }
  }
  const settings = temporalSettingsFromEnv();
  const { client, close } = await openClient(settings);
  try {
    switch (action) {
      case 'run': {
        const handle = await startSqlPipeline(client, input!, { taskQueue: settings.taskQueue, workflowId: values.id });
        process.stderr.write(`started pipeline ${handle.workflowId} (${input!.steps.length} steps)\n`);
        if (!values.wait) {
          process.stdout.write(`${handle.workflowId}\n`);
          return ExitCode.Ok;
        }
        return await awaitPipeline(client, handle.workflowId, values.json ?? false);
      }
      case 'status': {
        const status = await getSqlPipelineStatus(client, target);
        process.stdout.write(values.json ? `${JSON.stringify(status)}\n` : formatPipelineTable(status, Date.now()));
        return ExitCode.Ok;
      }
      case 'cancel':
        await cancelSqlPipeline(client, target, 'canceled from the command line');
        process.stderr.write(`cancel requested for pipeline ${target}\n`);
        return ExitCode.Ok;
      default:
        return await awaitPipeline(client, target, values.json ?? false);
    }
  } finally {
    await close();
  }
}

/** Waits with the live table, prints the result; the exit code follows the pipeline's state. */
async function awaitPipeline(client: Client, workflowId: string, json: boolean): Promise<number> {
  let result: SqlPipelineResult;
  try {
    result = await withPipelineProgress(client, workflowId, getSqlPipelineResult(client, workflowId));
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    process.stderr.write(`pipeline ${workflowId} failed: ${error.cause?.message ?? error.message}\n`);
    return ExitCode.Failure;
  }
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : formatPipelineTable(result, Date.now()));
  if (!json) {
    for (const step of result.steps) {
      if (step.manifest) process.stdout.write(`${step.name}: ${step.manifest.rows} rows written to ${step.manifest.location}\n`);
      if (step.rows && step.columns) {
        const names = step.columns.map((c) => c.name);
        process.stdout.write(`${step.name}:\n${formatTable(names, step.rows)}`);
      }
    }
  }
  if (result.state === 'FINISHED') return ExitCode.Ok;
  process.stderr.write(`pipeline ${workflowId} ${result.state.toLowerCase()}\n`);
  return result.state === 'CANCELED' ? ExitCode.Canceled : ExitCode.Failure;
}

/**
 * Polls the pipeline's status (and each running step's own status, for its query id and polls)
 * until `done` settles. On a terminal the table is redrawn in place; otherwise one plain line
 * is written per step whose state changed.
 */
async function withPipelineProgress<T>(
  client: Client,
  workflowId: string,
  done: Promise<T>,
  intervalMs = 500,
  out: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  let drawnLines = 0;
  const seen = new Map<string, string>();
  const writeChanges = (status: SqlPipelineStatus, running: Map<string, SqlQueryStatus>): void => {
    for (const step of status.steps) {
      const line = describeStep(step, running.get(step.name));
      if (seen.get(step.name) !== line) out.write(`${workflowId} ${step.name}: ${line}\n`);
      seen.set(step.name, line);
    }
  };
  const outcome = whileRunning(done, intervalMs, async (isSettled, signal) => {
    const status = await client.withAbortSignal(signal, () => getSqlPipelineStatus(client, workflowId)).catch(() => undefined);
    if (!status || isSettled()) return;
    const running = await client.withAbortSignal(signal, () => runningStepStatus(client, status));
    if (out.isTTY) {
      const table = formatPipelineTable(status, Date.now(), running);
      out.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A` : ''}\x1b[J${table}`);
      drawnLines = table.split('\n').length - 1;
    } else {
      writeChanges(status, running);
    }
  });
  await outcome.catch(() => undefined);
  if (out.isTTY && drawnLines > 0) out.write(`\x1b[${drawnLines}A\x1b[J`);
  if (!out.isTTY) {
    // The last changes, so a log shows how every step ended.
    const last = await getSqlPipelineStatus(client, workflowId).catch(() => undefined);
    if (last) writeChanges(last, new Map());
  }
  return outcome;
}

/** The `status` of each running step's own workflow (its query id and polls), by step name. */
async function runningStepStatus(client: Client, status: SqlPipelineStatus): Promise<Map<string, SqlQueryStatus>> {
  const running = status.steps.filter((s) => s.state === 'RUNNING' && s.workflowId);
  const answers = await Promise.all(
    running.map((s) =>
      client.workflow
        .getHandle(s.workflowId!)
        .query(statusQuery)
        .catch(() => undefined),
    ),
  );
  return new Map(running.flatMap((s, i) => (answers[i] ? [[s.name, answers[i]] as const] : [])));
}

/** One step as plain text: 'RUNNING query <id>, 3 polls' or 'FAILED: <type>: <message> (SQLSTATE x)'. */
function describeStep(step: PipelineStepStatus, live?: SqlQueryStatus): string {
  const queryId = step.queryId ?? live?.queryId;
  const parts = [step.state === 'RUNNING' && live ? `RUNNING (${live.state})` : step.state];
  if (queryId) parts.push(`query ${queryId}`);
  if (step.rowCount !== undefined) parts.push(`${step.rowCount} rows`);
  return parts.join(', ') + note(step);
}

function note(step: PipelineStepStatus): string {
  if (step.error)
    return `: ${step.error.type}: ${firstLine(step.error.message)}${step.error.sqlState ? ` (SQLSTATE ${step.error.sqlState})` : ''}`;
  return step.reason ? ` (${step.reason})` : '';
}

/** An aligned table: step, state, query id, rows, time, note. */
function formatPipelineTable(status: SqlPipelineStatus, now: number, running = new Map<string, SqlQueryStatus>()): string {
  const header = ['STEP', 'STATE', 'QUERY ID', 'ROWS', 'TIME', 'NOTE'];
  const rows = status.steps.map((step) => {
    const live = running.get(step.name);
    const end = step.endedAt ? Date.parse(step.endedAt) : now;
    const time = step.startedAt ? `${((end - Date.parse(step.startedAt)) / 1000).toFixed(1)} s` : '';
    return [
      step.name,
      step.state === 'RUNNING' && live ? `RUNNING/${live.state}` : step.state,
      step.queryId ?? live?.queryId ?? '',
      step.rowCount === undefined ? '' : String(step.rowCount),
      time,
      note(step).replace(/^: | \(|\)$/g, ''),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  return `pipeline ${status.state}${status.runs > 1 ? `, run ${status.runs}` : ''}\n${line(header)}${rows.map(line).join('')}`;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

/**
 * The demo's pipeline: two steps side by side on the warehouse, then a third that takes a
 * value from the first. A few seconds; returns the exit code (nothing is left running).
 */
export async function runDemoPipeline(client: Client, log: (line: string) => void): Promise<number> {
  const input: SqlPipelineInput = {
    steps: [
      { name: 'watermark', statement: 'SELECT max(id) AS max_id FROM RANGE(1000000) t(id)', pollIntervalMs: 500 },
      {
        name: 'buckets',
        statement: 'SELECT a.id % 3 AS bucket, count(*) AS n FROM RANGE(3000) a CROSS JOIN RANGE(3000) b GROUP BY 1',
        pollIntervalMs: 500,
      },
      {
        name: 'report',
        dependsOn: ['watermark', 'buckets'],
        statement: 'SELECT :max_id AS loaded_up_to, :max_id + 1 AS next_start',
        params: { max_id: { fromStep: 'watermark', column: 'max_id' } },
        returnRows: true,
        pollIntervalMs: 500,
      },
    ],
  };
  const handle = await startSqlPipeline(client, input);
  log(`started pipeline ${handle.workflowId}: watermark and buckets side by side, then report (takes watermark's max_id)`);
  return awaitPipeline(client, handle.workflowId, false);
}
