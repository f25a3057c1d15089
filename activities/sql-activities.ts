/**
 * The activities of `sqlQueryWorkflow`. Connection settings and the token live here, in the
 * worker; workflow inputs and results carry only statements, handles and rows.
 *
 * ```ts
 * const activities = createSqlActivities({ connect: { serverHostname, httpPath, accessToken } });
 * const worker = await Worker.create({ activities, workflowsPath, taskQueue });
 * ```
 */
import { trace } from '@opentelemetry/api';
import { Context, activityInfo, CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncExecutionStatus, type AsyncExecution, type Connection, type ConnectOptions } from '../src/index.js';
import { parseQueryHandle } from '../src/backend/handle-ids.js';
import { QUERY_ID_ATTRIBUTE, withQueryId } from '../src/transport/request-tracing.js';
import { WarehouseConnection } from './warehouse-connection.js';
import {
  SqlFailureType,
  type FetchQueryResultsInput,
  type FetchedResult,
  type QueryHandleInput,
  type ResultFormat,
  type SubmitQueryInput,
  type SubmitQueryOutput,
  type SyncQueryStatusOutput,
  type WarehouseQueryStatus,
} from '../workflows/messages.js';
import { DEFAULT_PART_ROWS, resolveResultSink, ResultSinkSettingsError } from '../workflows/result-sink-settings.js';
import { deliverResult, type SinkTarget } from './result-delivery.js';
import { ambiguousSubmitFailure, provablyNotSubmitted, sqlErrorDetails, toActivityFailure } from './failures.js';
import { reportingRetries } from './retry-report.js';
import { checkpointConverter, recordCheckpoint, type HeartbeatService } from './recorded-heartbeat.js';
import { openResultSink, type SinkSettings } from './sinks/open-sink.js';
import { sinkIdentity, type SinkProgress } from './sinks/part-writer.js';
import { ResultSinkError, type ResultSink } from './sinks/result-sink.js';

export interface SqlActivitiesOptions {
  /** Driver settings; default: `connect()` reads DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN. */
  connect?: ConnectOptions;
  /** A shared connection cache (closed by its owner); default: one of its own, never closed. */
  warehouse?: WarehouseConnection;
  /**
   * Directory for results over the inline limit when the workflow names no `resultSink`
   * (JSON lines, in `<resultDirectory>/<queryId>/`). @default `<os tmpdir>/temporal-dbsql-results`
   */
  resultDirectory?: string;
  /** Sinks for further URL schemes, and the S3 client settings; credentials stay in the worker. */
  sinks?: SinkSettings;
  /**
   * The worker connection's `workflowService` (createSqlWorker passes it): each finished part
   * is then recorded on the Temporal server before the next starts, whatever the SDK's
   * heartbeat throttling. Without it, parts are heartbeated through the SDK only.
   */
  heartbeatService?: HeartbeatService;
  /**
   * The worker's data converter (createSqlWorker passes it): checkpoints sent straight to the
   * server are encoded with it, payload codecs included, so an encrypting worker's are encrypted.
   */
  dataConverter?: DataConverter;
}

/** What the submit activity heartbeats, so a retried attempt knows how far the last one got. */
type SubmitCheckpoint = { phase: 'submitting' } | { phase: 'not-submitted' } | { phase: 'submitted'; output: SubmitQueryOutput };

export type SqlActivities = ReturnType<typeof createSqlActivities>;

export function createSqlActivities(options: SqlActivitiesOptions = {}) {
  const resultDirectory = options.resultDirectory ?? join(tmpdir(), 'temporal-dbsql-results');
  const warehouse = options.warehouse ?? new WarehouseConnection(options.connect);
  const withConnection = <T>(use: (c: Connection) => Promise<T>): Promise<T> => warehouse.use(use);
  const converter = checkpointConverter(options.dataConverter);

  /** Picks the statement up by its handle on the shared connection and runs `use` on it, traced under its query id. */
  const withQuery = <T>(handle: string, use: (execution: AsyncExecution) => Promise<T>): Promise<T> =>
    withConnection((c) => tracedQuery(parseQueryHandle(handle).queryId, async () => use(await c.getAsyncExecution(handle))));

  /** The workflow's sink (checked again here: activities may be called directly) and the overflow directory. */
  const sinkTargets = (input: { resultSink?: FetchQueryResultsInput['resultSink'] }, queryId: string): SinkTargets => {
    const opened: ResultSink[] = [];
    const target = (url: string, format: ResultFormat, partRows: number): SinkTarget => {
      let sink: Promise<ResultSink> | undefined;
      return {
        identity: sinkIdentity(url, format, partRows),
        format,
        partRows,
        sink: () =>
          (sink ??= openResultSink(url, options.sinks).then((s) => {
            opened.push(s);
            return s;
          })),
      };
    };
    const requested = input.resultSink ? resolveResultSink(input.resultSink) : undefined;
    return {
      sink: requested && target(requested.url, requested.format, requested.partRows),
      overflow: target(join(resultDirectory, queryId), 'jsonl', DEFAULT_PART_ROWS),
      close: async () => {
        for (const sink of opened) await sink.close?.().catch(() => undefined);
      },
    };
  };

  return reportingRetries({
    /**
     * Submits the statement. Returns the handle, or the whole result when the warehouse
     * answered with a direct result (such a query cannot be picked up later).
     */
    async submitQuery(this: void, input: SubmitQueryInput): Promise<SubmitQueryOutput> {
      const { attempt } = activityInfo();
      const checkpoint = activityInfo().heartbeatDetails as SubmitCheckpoint | undefined;
      if (checkpoint?.phase === 'submitted') return checkpoint.output;
      // 'submitting' is the first heartbeat of an attempt (sent at once, never throttled), made
      // right before ExecuteStatement: seeing it means the last attempt may have run the statement.
      if (checkpoint?.phase === 'submitting' && input.onAmbiguousSubmit === 'fail') {
        throw ambiguousSubmitFailure(attempt, input.statement);
      }
      let sending = false;
      try {
        // The connection opens first: failing there (or crashing) leaves no checkpoint, so a retry is safe.
        return await withConnection(async (c) => {
          const ctx = Context.current();
          ctx.heartbeat({ phase: 'submitting' } satisfies SubmitCheckpoint);
          sending = true;
          // Heartbeats while the warehouse holds the call (its direct-result wait): a worker that
          // dies here is noticed by the heartbeat timeout, and a cancel reaches this attempt.
          const beating = setInterval(
            () => ctx.heartbeat({ phase: 'submitting' } satisfies SubmitCheckpoint),
            SUBMIT_HEARTBEAT_MS,
          );
          let execution: AsyncExecution;
          try {
            execution = await c.executeAsync(input.statement, input.params);
          } finally {
            clearInterval(beating);
          }
          const output = await tracedQuery(execution.queryId, async () => {
            if (cancelledByWorkflow(ctx)) await cancelSubmitted(execution);
            return submitOutput(execution, input, (queryId) => sinkTargets(input, queryId));
          });
          // Recorded before returning: a retry after a crash here returns it instead of resubmitting.
          Context.current().heartbeat({ phase: 'submitted', output } satisfies SubmitCheckpoint);
          return output;
        });
      } catch (error) {
        if (error instanceof CancelledFailure) throw error;
        if (!sending) throw toActivityFailure(error);
        if (provablyNotSubmitted(error)) {
          // A failed attempt's completion carries its latest heartbeat, so the retry sees this.
          Context.current().heartbeat({ phase: 'not-submitted' } satisfies SubmitCheckpoint);
          throw toActivityFailure(error);
        }
        const failure = toActivityFailure(error);
        if (failure.nonRetryable || input.onAmbiguousSubmit === 'resubmit') throw failure;
        throw ambiguousSubmitFailure(attempt, input.statement, error);
      }
    },

    /** One status round trip (GetOperationStatus). */
    async syncQueryStatus(this: void, input: QueryHandleInput): Promise<SyncQueryStatusOutput> {
      try {
        // Picking the statement up reads its status: one GetOperationStatus per poll, not two.
        return await withQuery(input.handle, (execution): Promise<SyncQueryStatusOutput> => {
          const status = toWarehouseStatus(execution.status);
          if (status !== 'ABORTED') return Promise.resolve({ status });
          const error = execution.error;
          return Promise.resolve({
            status,
            error: error ? sqlErrorDetails(error) : { message: 'the statement failed on the warehouse' },
          });
        });
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    /**
     * Reads the whole result from an explicit row offset (never the server's cursor), inline or
     * into the result directory, heartbeating progress so a retry resumes where this stopped.
     * Does not close the operation: the workflow does that once this result is recorded.
     */
    async fetchQueryResults(this: void, input: FetchQueryResultsInput): Promise<FetchedResult> {
      const ctx = Context.current();
      try {
        return await withQuery(input.handle, async (execution) => {
          const targets = sinkTargets(input, execution.queryId);
          try {
            const resume = await usableProgress(activityInfo().heartbeatDetails as SinkProgress | undefined, targets);
            const startRowOffset = resume ? resume.parts.reduce((sum, p) => sum + p.rows, 0) : 0;
            const resultSet = await execution.getResults({ startRowOffset });
            try {
              return await deliverResult({
                columns: resultSet.columns,
                batches: resultSet.arrowBatches(),
                ...targets,
                inlineLimitBytes: input.inlineResultLimitBytes,
                resume,
                recordPart: (progress) => recordCheckpoint(progress, options.heartbeatService, converter),
                onProgress: (progress) => ctx.heartbeat(progress),
                checkCancelled: async () => {
                  if (ctx.cancellationSignal.aborted) await ctx.cancelled;
                },
              });
            } finally {
              await resultSet.close().catch(() => undefined);
            }
          } finally {
            await targets.close();
          }
        });
      } catch (error) {
        if (error instanceof CancelledFailure) throw error; // the workflow asked; not a failure to retry
        throw toActivityFailure(sinkFailure(error));
      }
    },

    /** Cancels the statement on the warehouse; a statement already gone counts as cancelled. */
    async cancelQuery(this: void, input: QueryHandleInput): Promise<void> {
      await unlessQueryGone(() => withQuery(input.handle, (execution) => execution.cancel()));
    },

    /** Frees the statement's results on the warehouse (CloseOperation); idempotent. */
    async closeQuery(this: void, input: QueryHandleInput): Promise<void> {
      await unlessQueryGone(() => withQuery(input.handle, (execution) => execution.close()));
    },
  });
}

/**
 * Runs `fn` with the query id on the activity's span (when traced) and on the driver's request
 * spans within it.
 */
function tracedQuery<T>(queryId: string, fn: () => Promise<T>): Promise<T> {
  trace.getActiveSpan()?.setAttribute(QUERY_ID_ATTRIBUTE, queryId);
  return withQueryId(queryId, fn);
}

/** How often submit heartbeats while ExecuteStatement is in flight. @format milliseconds */
const SUBMIT_HEARTBEAT_MS = 1_000;

/** True when the workflow cancelled this activity (not a worker shutdown or a timeout). */
function cancelledByWorkflow(ctx: Context): boolean {
  const reason: unknown = ctx.cancellationSignal.reason;
  return ctx.cancellationSignal.aborted && reason instanceof CancelledFailure && reason.message === 'CANCELLED';
}

/**
 * The workflow was cancelled while ExecuteStatement was in flight: the handle is known only
 * now, so the statement is cancelled and closed here at once, and the attempt ends cancelled
 * with the query id in its details (the workflow reports it).
 */
async function cancelSubmitted(execution: AsyncExecution): Promise<never> {
  if (!execution.returnedAsDirectResult) {
    await execution.cancel().catch(() => undefined);
    await execution.close().catch(() => undefined);
  }
  throw new CancelledFailure('cancelled during submit; the statement was cancelled on the warehouse', [
    { queryId: execution.queryId },
  ]);
}

async function submitOutput(
  execution: AsyncExecution,
  input: SubmitQueryInput,
  targetsOf: (queryId: string) => SinkTargets,
): Promise<SubmitQueryOutput> {
  if (!execution.returnedAsDirectResult) {
    return { kind: 'handle', handle: execution.serialize(), queryId: execution.queryId };
  }
  const resultSet = await execution.getResults();
  let targets: SinkTargets | undefined;
  try {
    targets = targetsOf(execution.queryId);
    const result = await deliverResult({
      columns: resultSet.columns,
      batches: resultSet.arrowBatches(),
      ...targets,
      inlineLimitBytes: input.inlineResultLimitBytes,
      // The submit activity's heartbeats are its own checkpoints: a direct result is in memory, rewritten whole on retry.
      recordPart: () => Promise.resolve(),
      onProgress: () => undefined,
      checkCancelled: () => Promise.resolve(),
    });
    return { kind: 'direct', queryId: execution.queryId, result };
  } catch (error) {
    throw sinkFailure(error);
  } finally {
    await targets?.close();
  }
}

/** The sink a workflow asked for (if any), the overflow sink, and a `close` for what got opened. */
interface SinkTargets {
  sink?: SinkTarget;
  overflow: SinkTarget;
  close(): Promise<void>;
}

/** An ApplicationFailure for sink settings no worker can serve; other errors as they are. */
function sinkFailure(error: unknown): unknown {
  if (error instanceof ResultSinkError || error instanceof ResultSinkSettingsError) {
    return ApplicationFailure.create({ type: SqlFailureType.ResultSinkInvalid, message: error.message, nonRetryable: true });
  }
  return error;
}

/**
 * The progress of an earlier fetch attempt, if it wrote to the same sink with the same layout
 * and every part it finished is still there with its size (a retry on another machine whose
 * directory lacks them, or an attempt that stayed inline, starts from row 0).
 */
async function usableProgress(progress: SinkProgress | undefined, targets: SinkTargets): Promise<SinkProgress | undefined> {
  if (!progress || typeof progress.sink !== 'string' || !Array.isArray(progress.parts)) return undefined;
  const target = [targets.sink, targets.overflow].find((t) => t?.identity === progress.sink);
  if (!target) return undefined;
  const sink = await target.sink();
  for (const part of progress.parts) {
    if ((await sink.size(part.name)) !== part.bytes) return undefined;
  }
  return progress;
}

/** Runs `step`; a warehouse that no longer knows the query counts as done. */
async function unlessQueryGone(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const failure = toActivityFailure(error);
    if (failure.type === SqlFailureType.QueryNotFound) return;
    throw failure;
  }
}

function toWarehouseStatus(status: AsyncExecutionStatus): WarehouseQueryStatus {
  switch (status) {
    case AsyncExecutionStatus.RUNNING:
      return 'RUNNING';
    case AsyncExecutionStatus.FINISHED:
      return 'FINISHED';
    case AsyncExecutionStatus.CANCELED:
      return 'CANCELED';
    default:
      return 'ABORTED';
  }
}
