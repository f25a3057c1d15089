/**
 * Scheduled reports over Temporal Schedules: a query or pipeline run on a cron or interval
 * spec, each run writing through its result sink to a path templated with its slot time.
 *
 * ```ts
 * await createSqlSchedule(client, {
 *   scheduleId: 'daily-sales',
 *   spec: { cron: '0 2 * * *' },                     // or { every: '1 hour' }
 *   query: { statement: 'SELECT region, sum(amount) AS total FROM sales GROUP BY 1',
 *            resultSink: { url: 's3://reports/daily-sales/{date}/', format: 'parquet' } },
 *   overlap: 'skip', catchupWindow: '1 hour',
 * });
 * await triggerSqlSchedule(client, 'daily-sales');   // one run now
 * ```
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleHandle, type ScheduleSummary } from '@temporalio/client';
import { SQL_TASK_QUEUE, type SqlQueryInput } from '../../workflows/messages.js';
import type { SqlPipelineInput } from '../../workflows/pipeline-messages.js';
import { scheduledSqlWorkflow } from '../../workflows/scheduled-sql.js';
import { findScheduledInputProblem } from '../../workflows/slot-template.js';

/** Milliseconds, or a number and unit: '90 s', '15 minutes', '1 hour', '1 day', '2 weeks'. */
export type DurationSpec = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?|w|weeks?)$/i;

/** A duration in milliseconds; `field` names the option in the error. */
export function durationMs(field: string, value: DurationSpec): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match)
    throw new SqlScheduleInputError(
      field,
      `${field} must be milliseconds or e.g. '15 minutes', '1 day', got ${JSON.stringify(value)}`,
    );
  const unit = match[2]!.toLowerCase();
  const key = unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit[0]!;
  return Number(match[1]) * UNIT_MS[key]!;
}

/** When a schedule runs (UTC unless `timezone`); cron expressions and intervals add up. */
export interface SqlScheduleSpec {
  /** Cron expression(s), e.g. '0 2 * * *' (02:00 every day). */
  cron?: string | string[];
  /** An interval: milliseconds or a duration string like '15 minutes', '1 day'. */
  every?: DurationSpec;
  /** Shifts each interval's slots, e.g. every '1 day' with offset '2 hours' runs at 02:00. */
  offset?: DurationSpec;
  /** IANA time zone of the cron expressions, e.g. 'Europe/Berlin'. @default 'UTC' */
  timezone?: string;
}

/**
 * What happens when a run is due while the previous one still runs: 'skip' it, keep at most
 * one waiting ('bufferOne'), or cancel the previous run ('cancelPrevious': its statements are
 * cancelled on the warehouse) and start the new one.
 */
export type SqlScheduleOverlap = 'skip' | 'bufferOne' | 'cancelPrevious';

const OVERLAP: Record<SqlScheduleOverlap, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  bufferOne: ScheduleOverlapPolicy.BUFFER_ONE,
  cancelPrevious: ScheduleOverlapPolicy.CANCEL_OTHER,
};

export interface CreateSqlScheduleOptions {
  /** Unique in the namespace; each run's workflow id is `<scheduleId>-<slot time>`. */
  scheduleId: string;
  spec: SqlScheduleSpec;
  /** The query to run (exactly one of `query`, `pipeline`). `resultSink.url` may hold slot fields, e.g. '{date}'. */
  query?: SqlQueryInput;
  /** The pipeline to run; each step's `resultSink.url` may hold slot fields. */
  pipeline?: SqlPipelineInput;
  /** @default 'skip' */
  overlap?: SqlScheduleOverlap;
  /** How late a missed run (server down) may still be taken, e.g. '1 hour'. @default Temporal's (1 year) */
  catchupWindow?: DurationSpec;
  /** Create it paused. */
  paused?: boolean;
  /** Shown with the schedule, e.g. why it is paused. */
  note?: string;
  /** @default SQL_TASK_QUEUE */
  taskQueue?: string;
}

/** Thrown by `createSqlSchedule` for invalid options; nothing was created. */
export class SqlScheduleInputError extends Error {
  override readonly name = 'SqlScheduleInputError';
  /** The offending option, e.g. 'spec' or 'query.resultSink.url'. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** Validates and creates the schedule; throws `SqlScheduleInputError` naming the option. */
export async function createSqlSchedule(client: Client, options: CreateSqlScheduleOptions): Promise<ScheduleHandle> {
  const { scheduleId, spec } = options;
  if (typeof scheduleId !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/.test(scheduleId)) {
    throw new SqlScheduleInputError(
      'scheduleId',
      `scheduleId must be letters, digits, '_', '-' or '.', got ${JSON.stringify(scheduleId)}`,
    );
  }
  const cron = spec?.cron === undefined ? [] : Array.isArray(spec.cron) ? spec.cron : [spec.cron];
  if (cron.length === 0 && spec?.every === undefined) {
    throw new SqlScheduleInputError('spec', 'spec needs a cron expression (cron) or an interval (every)');
  }
  if (spec.offset !== undefined && spec.every === undefined)
    throw new SqlScheduleInputError('spec.offset', 'spec.offset goes with spec.every');
  if (options.overlap !== undefined && !(options.overlap in OVERLAP)) {
    throw new SqlScheduleInputError(
      'overlap',
      `overlap must be 'skip', 'bufferOne' or 'cancelPrevious', got ${JSON.stringify(options.overlap)}`,
    );
  }
  if ((options.query === undefined) === (options.pipeline === undefined)) {
    throw new SqlScheduleInputError('query', 'a schedule runs exactly one of query or pipeline');
  }
  const input = options.query !== undefined ? { query: options.query } : { pipeline: options.pipeline };
  const problem = findScheduledInputProblem(input);
  if (problem) throw new SqlScheduleInputError(problem.field, problem.message);
  return client.schedule.create({
    scheduleId,
    spec: {
      cronExpressions: cron,
      intervals:
        spec.every === undefined
          ? []
          : [
              {
                every: durationMs('spec.every', spec.every),
                offset: spec.offset === undefined ? undefined : durationMs('spec.offset', spec.offset),
              },
            ],
      timezone: spec.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: scheduledSqlWorkflow,
      args: [input],
      taskQueue: options.taskQueue ?? SQL_TASK_QUEUE,
      workflowId: scheduleId,
    },
    policies: {
      overlap: OVERLAP[options.overlap ?? 'skip'],
      catchupWindow: options.catchupWindow === undefined ? undefined : durationMs('catchupWindow', options.catchupWindow),
    },
    state: { paused: options.paused ?? false, note: options.note },
  });
}

/** Stops taking runs until resumed (a run under way goes on). */
export async function pauseSqlSchedule(client: Client, scheduleId: string, note?: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).pause(note);
}

export async function resumeSqlSchedule(client: Client, scheduleId: string, note?: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).unpause(note);
}

/** Starts one run now (its slot is now), whatever the overlap policy. */
export async function triggerSqlSchedule(client: Client, scheduleId: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
}

/** Deletes the schedule; runs under way go on. */
export async function deleteSqlSchedule(client: Client, scheduleId: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).delete();
}

/** A schedule as `listSqlSchedules` and `describeSqlSchedule` report it. */
export interface SqlScheduleInfo {
  scheduleId: string;
  paused: boolean;
  note?: string;
  /** ISO 8601 times of the next runs. */
  nextRuns: string[];
  /** The latest runs: slot time and workflow id. */
  recentRuns: Array<{ scheduledAt: string; workflowId: string }>;
}

/** The namespace's schedules that run `scheduledSqlWorkflow` (others are left out). */
export async function listSqlSchedules(client: Client): Promise<SqlScheduleInfo[]> {
  const found: SqlScheduleInfo[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.action?.workflowType === 'scheduledSqlWorkflow') found.push(scheduleInfo(summary));
  }
  return found.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

export async function describeSqlSchedule(client: Client, scheduleId: string): Promise<SqlScheduleInfo> {
  const description = await client.schedule.getHandle(scheduleId).describe();
  return scheduleInfo({ ...description, scheduleId });
}

function scheduleInfo(summary: Pick<ScheduleSummary, 'scheduleId' | 'state' | 'info'>): SqlScheduleInfo {
  return {
    scheduleId: summary.scheduleId,
    paused: summary.state.paused,
    ...(summary.state.note ? { note: summary.state.note } : {}),
    nextRuns: summary.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: summary.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
    })),
  };
}
