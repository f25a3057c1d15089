/**
 * The activities of `sqlQueryWorkflow`. Connection settings and the token live here, in the
 * worker; workflow inputs and results carry only statements, handles and rows.
 *
 * ```ts
 * const activities = createSqlActivities({ connect: { serverHostname, httpPath, accessToken } });
 * const worker = await Worker.create({ activities, workflowsPath, taskQueue });
 * ```
 */
import { Context, activityInfo, CancelledFailure } from '@temporalio/activity';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncExecutionStatus, type AsyncExecution, type Connection, type ConnectOptions } from '../src/index.js';
import { WarehouseConnection } from './warehouse-connection.js';
import {
  SqlFailureType,
  type FetchQueryResultsInput,
  type FetchedResult,
  type QueryHandleInput,
  type SubmitQueryInput,
  type SubmitQueryOutput,
  type SyncQueryStatusOutput,
  type WarehouseQueryStatus,
} from '../workflows/messages.js';
import { collectResult, type CollectProgress } from './result-collector.js';
import { toJsonColumns } from './json-rows.js';
import { ambiguousSubmitFailure, provablyNotSubmitted, sqlErrorDetails, toActivityFailure } from './failures.js';
import { reportingRetries } from './retry-report.js';

export interface SqlActivitiesOptions {
  /** Driver settings; default: `connect()` reads DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN. */
  connect?: ConnectOptions;
  /** A shared connection cache (closed by its owner); default: one of its own, never closed. */
  warehouse?: WarehouseConnection;
  /** Directory for results over the inline limit. @default `<os tmpdir>/temporal-dbsql-results` */
  resultDirectory?: string;
}

/** What the submit activity heartbeats, so a retried attempt knows how far the last one got. */
type SubmitCheckpoint = { phase: 'submitting' } | { phase: 'not-submitted' } | { phase: 'submitted'; output: SubmitQueryOutput };

export type SqlActivities = ReturnType<typeof createSqlActivities>;

export function createSqlActivities(options: SqlActivitiesOptions = {}) {
  const resultDirectory = options.resultDirectory ?? join(tmpdir(), 'temporal-dbsql-results');
  const warehouse = options.warehouse ?? new WarehouseConnection(options.connect);
  const withConnection = <T>(use: (c: Connection) => Promise<T>): Promise<T> => warehouse.use(use);

  const pickUp = (c: Connection, handle: string): Promise<AsyncExecution> => c.getAsyncExecution(handle);

  return reportingRetries({
    /**
     * Submits the statement. Returns the handle, or the whole result when the warehouse
     * answered with a direct result (such a query cannot be picked up later).
     */
    async submitQuery(input: SubmitQueryInput): Promise<SubmitQueryOutput> {
      const { attempt, heartbeatDetails } = activityInfo();
      const checkpoint = heartbeatDetails as SubmitCheckpoint | undefined;
      if (checkpoint?.phase === 'submitted') return checkpoint.output;
      // 'submitting' is the first heartbeat of an attempt (sent at once, never throttled), made
      // right before ExecuteStatement: seeing it means the last attempt may have run the statement.
      if (checkpoint?.phase === 'submitting' && input.onAmbiguousSubmit === 'fail') {
        throw ambiguousSubmitFailure(attempt);
      }
      let sending = false;
      try {
        // The connection opens first: failing there (or crashing) leaves no checkpoint, so a retry is safe.
        return await withConnection(async (c) => {
          Context.current().heartbeat({ phase: 'submitting' } satisfies SubmitCheckpoint);
          sending = true;
          const execution = await c.executeAsync(input.statement, input.params);
          const output = await submitOutput(execution, input, resultDirectory);
          // Recorded before returning: a retry after a crash here returns it instead of resubmitting.
          Context.current().heartbeat({ phase: 'submitted', output } satisfies SubmitCheckpoint);
          return output;
        });
      } catch (error) {
        if (!sending) throw toActivityFailure(error);
        if (provablyNotSubmitted(error)) {
          // A failed attempt's completion carries its latest heartbeat, so the retry sees this.
          Context.current().heartbeat({ phase: 'not-submitted' } satisfies SubmitCheckpoint);
          throw toActivityFailure(error);
        }
        const failure = toActivityFailure(error);
        if (failure.nonRetryable || input.onAmbiguousSubmit === 'resubmit') throw failure;
        throw ambiguousSubmitFailure(attempt, error);
      }
    },

    /** One status round trip. */
    async syncQueryStatus(input: QueryHandleInput): Promise<SyncQueryStatusOutput> {
      try {
        return await withConnection(async (c) => {
          const execution = await pickUp(c, input.handle);
          const status = toWarehouseStatus(await execution.syncStatus());
          if (status !== 'ABORTED') return { status };
          const error = execution.error;
          return {
            status,
            error: error ? sqlErrorDetails(error) : { message: 'the statement failed on the warehouse' },
          };
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
    async fetchQueryResults(input: FetchQueryResultsInput): Promise<FetchedResult> {
      const resume = await usableProgress(activityInfo().heartbeatDetails as CollectProgress | undefined);
      const ctx = Context.current();
      try {
        return await withConnection(async (c) => {
          const execution = await pickUp(c, input.handle);
          const startRowOffset = resume?.rows ?? 0;
          const resultSet = await execution.getResults({ startRowOffset });
          try {
            return await collectResult({
              rows: resultSet,
              columns: toJsonColumns(resultSet.columns),
              inlineLimitBytes: input.inlineResultLimitBytes,
              sinkPath: join(resultDirectory, `${execution.queryId}.jsonl`),
              resume,
              onProgress: (progress) => ctx.heartbeat(progress),
              checkCancelled: async () => {
                if (ctx.cancellationSignal.aborted) await ctx.cancelled;
              },
            });
          } finally {
            await resultSet.close().catch(() => undefined);
          }
        });
      } catch (error) {
        if (error instanceof CancelledFailure) throw error; // the workflow asked; not a failure to retry
        throw toActivityFailure(error);
      }
    },

    /** Cancels the statement on the warehouse; a statement already gone counts as cancelled. */
    async cancelQuery(input: QueryHandleInput): Promise<void> {
      await unlessQueryGone(() => withConnection(async (c) => (await pickUp(c, input.handle)).cancel()));
    },

    /** Frees the statement's results on the warehouse (CloseOperation); idempotent. */
    async closeQuery(input: QueryHandleInput): Promise<void> {
      await unlessQueryGone(() => withConnection(async (c) => (await pickUp(c, input.handle)).close()));
    },
  });
}

async function submitOutput(
  execution: AsyncExecution,
  input: SubmitQueryInput,
  resultDirectory: string,
): Promise<SubmitQueryOutput> {
  if (!execution.returnedAsDirectResult) {
    return { kind: 'handle', handle: execution.serialize(), queryId: execution.queryId };
  }
  const resultSet = await execution.getResults();
  const result = await collectResult({
    rows: resultSet,
    columns: toJsonColumns(resultSet.columns),
    inlineLimitBytes: input.inlineResultLimitBytes,
    sinkPath: join(resultDirectory, `${execution.queryId}.jsonl`),
    onProgress: () => undefined,
    checkCancelled: async () => undefined,
  });
  return { kind: 'direct', queryId: execution.queryId, result };
}

/**
 * The progress of an earlier fetch attempt, if its file is still here with at least the
 * heartbeated bytes (a retry on another machine, or an inline attempt, starts from row 0).
 */
async function usableProgress(progress: CollectProgress | undefined): Promise<CollectProgress | undefined> {
  if (!progress?.location) return undefined;
  const size = (await stat(progress.location).catch(() => undefined))?.size ?? -1;
  return size >= progress.bytes ? progress : undefined;
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
