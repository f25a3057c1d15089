/** The `schedule create|list|describe|pause|resume|trigger|delete` commands over Temporal Schedules. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SqlQueryInput } from '../../workflows/messages.js';
import { resolveResultSink, ResultSinkSettingsError } from '../../workflows/result-sink-settings.js';
import { PipelineFileError, loadPipelineFile } from '../temporal/pipeline-file.js';
import {
  createSqlSchedule,
  deleteSqlSchedule,
  describeSqlSchedule,
  listSqlSchedules,
  pauseSqlSchedule,
  resumeSqlSchedule,
  SqlScheduleInputError,
  triggerSqlSchedule,
  type SqlScheduleInfo,
  type SqlScheduleOverlap,
} from '../temporal/schedules.js';
import { ExitCode, UsageError, openClient, temporalSettingsFromEnv } from './shared.js';
import { parseParams } from './temporal-commands.js';

const USAGE = `Usage: temporal-dbsql schedule <action> [options]

  create ID (--query "SQL" [--param k=v] [--output URL] [--format F] | --pipeline FILE)
            (--cron "EXPR" | --every DURATION [--offset DURATION]) [--timezone TZ]
            [--overlap skip|bufferOne|cancelPrevious] [--catchup-window DURATION] [--paused] [--note TEXT]
                Create a schedule. --output (and each pipeline step's resultSink.url) may hold
                slot fields, filled with each run's scheduled time (UTC): {date} 2026-11-28,
                {time} 02-00-00, {datetime} 2026-11-28T02-00-00Z (unique per run), {year}
                {month} {day} {hour} {minute}; e.g. --output s3://reports/daily/{date}/
  list [--json]             The schedules that run queries or pipelines.
  describe ID [--json]      Paused or not, next runs, recent runs.
  pause ID [--note TEXT]    Take no runs until resumed.
  resume ID [--note TEXT]
  trigger ID                Run once now (its slot is now).
  delete ID                 Delete the schedule (runs under way go on).

DURATION: milliseconds or e.g. "15 minutes", "1 day". Exit codes: 0 done, 1 failure, 2 usage.

Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"),
TEMPORAL_TASK_QUEUE (default "temporal-dbsql", where the runs go).
`;

const ACTIONS = ['create', 'list', 'describe', 'pause', 'resume', 'trigger', 'delete'];

export async function runScheduleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      query: { type: 'string' },
      param: { type: 'string', multiple: true },
      output: { type: 'string' },
      format: { type: 'string' },
      pipeline: { type: 'string' },
      cron: { type: 'string', multiple: true },
      every: { type: 'string' },
      offset: { type: 'string' },
      timezone: { type: 'string' },
      overlap: { type: 'string' },
      'catchup-window': { type: 'string' },
      paused: { type: 'boolean' },
      note: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, id, ...extra] = positionals;
  if (values.help || action === undefined) {
    process.stdout.write(USAGE);
    return values.help ? ExitCode.Ok : ExitCode.Usage;
  }
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown schedule action "${action}"`);
  if (action !== 'list' && !id) throw new UsageError(`schedule ${action} needs a schedule ID`);
  if (extra.length > 0 || (action === 'list' && id)) throw new UsageError(`unexpected argument "${extra[0] ?? id}"`);

  const settings = temporalSettingsFromEnv();
  let create: Parameters<typeof createSqlSchedule>[1] | undefined;
  if (action === 'create') {
    try {
      create = { ...(await runOptions(values)), scheduleId: id!, taskQueue: settings.taskQueue };
    } catch (error) {
      if (!(error instanceof PipelineFileError)) throw error;
      process.stderr.write(`temporal-dbsql: ${error.message}\n`);
      return ExitCode.Usage;
    }
  }
  const { client, close } = await openClient(settings);
  try {
    switch (action) {
      case 'create':
        try {
          await createSqlSchedule(client, create!);
        } catch (error) {
          if (error instanceof SqlScheduleInputError) throw new UsageError(`${error.field}: ${error.message}`);
          throw error;
        }
        process.stderr.write(`created schedule ${id}\n`);
        printInfo(await describeSqlSchedule(client, id!), values.json ?? false);
        return ExitCode.Ok;
      case 'list': {
        const schedules = await listSqlSchedules(client);
        if (values.json) process.stdout.write(`${JSON.stringify(schedules)}\n`);
        else for (const info of schedules) printInfo(info, false);
        return ExitCode.Ok;
      }
      case 'describe':
        printInfo(await describeSqlSchedule(client, id!), values.json ?? false);
        return ExitCode.Ok;
      case 'pause':
        await pauseSqlSchedule(client, id!, values.note);
        break;
      case 'resume':
        await resumeSqlSchedule(client, id!, values.note);
        break;
      case 'trigger':
        await triggerSqlSchedule(client, id!);
        break;
      default:
        await deleteSqlSchedule(client, id!);
    }
    process.stderr.write(`${action === 'delete' ? 'deleted' : `${action}d`.replace('triggerd', 'triggered')} schedule ${id}\n`);
    return ExitCode.Ok;
  } finally {
    await close();
  }
}

type Values = Record<string, string | string[] | boolean | undefined>;

/** The create options from the command line (checked here, so a bad one creates nothing). */
async function runOptions(values: Values): Promise<Omit<Parameters<typeof createSqlSchedule>[1], 'scheduleId'>> {
  const text = (name: string): string | undefined => values[name] as string | undefined;
  if ((text('query') === undefined) === (text('pipeline') === undefined))
    throw new UsageError('give one of --query "SQL" or --pipeline FILE');
  if (text('pipeline') !== undefined && (text('output') ?? text('format') ?? values.param) !== undefined) {
    throw new UsageError('--param, --output and --format go with --query (a pipeline file sets them per step)');
  }
  const cron = values.cron as string[] | undefined;
  if (!cron && text('every') === undefined) throw new UsageError('give --cron "EXPR" or --every DURATION');
  const overlap = text('overlap');
  if (overlap !== undefined && !['skip', 'bufferOne', 'cancelPrevious'].includes(overlap)) {
    throw new UsageError(`--overlap must be skip, bufferOne or cancelPrevious, got "${overlap}"`);
  }
  let query: SqlQueryInput | undefined;
  if (text('query') !== undefined) {
    query = { statement: text('query')!, params: parseParams((values.param as string[] | undefined) ?? []) };
    const output = text('output');
    if (output !== undefined) {
      const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(output) ? output : resolve(output);
      try {
        query.resultSink = resolveResultSink({ url, format: text('format') });
      } catch (error) {
        if (error instanceof ResultSinkSettingsError) throw new UsageError(`--output/--format: ${error.message}`);
        throw error;
      }
    } else if (text('format') !== undefined) throw new UsageError('--format needs --output');
  }
  return {
    spec: { cron, every: duration(text('every')), offset: duration(text('offset')), timezone: text('timezone') },
    query,
    pipeline: text('pipeline') !== undefined ? await loadPipelineFile(text('pipeline')!) : undefined,
    overlap: overlap as SqlScheduleOverlap | undefined,
    catchupWindow: duration(text('catchup-window')),
    paused: values.paused as boolean | undefined,
    note: text('note'),
  };
}

/** Milliseconds as a number, anything else as a duration string ('1 day'). */
function duration(value: string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function printInfo(info: SqlScheduleInfo, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
    return;
  }
  const last = info.recentRuns.at(-1);
  process.stdout.write(
    `${info.scheduleId}: ${info.paused ? 'paused' : 'active'}${info.note ? ` (${info.note})` : ''}, ` +
      `next ${info.nextRuns[0] ?? 'none'}, ${info.recentRuns.length} recent run(s)` +
      `${last ? `, last ${last.scheduledAt} as ${last.workflowId}` : ''}\n`,
  );
}
