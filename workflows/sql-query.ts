/**
 * `sqlQueryWorkflow`: runs one SQL statement on a warehouse durably.
 *
 * submit → (direct result: done) → loop { durable timer; syncQueryStatus } → fetchQueryResults
 * → closeQuery. Deterministic code only: activities are imported as types.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ActivityCancellationType,
  type ActivityOptions,
  type LocalActivityOptions,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { SqlActivities } from '../activities/index.js';
import {
  activityFailedSignal,
  cancelSignal,
  statusQuery,
  SqlFailureType,
  type ActivityFailedReport,
  type FetchedResult,
  type SqlQueryInput,
  type SqlQueryResult,
  type SqlQueryStatus,
} from './messages.js';
import { stepSubmittedSignal } from './pipeline-messages.js';
import { resolveResultSink, ResultSinkSettingsError } from './result-sink-settings.js';
import { assertValidInput } from './validation.js';

const NON_RETRYABLE = Object.values(SqlFailureType);

// Submit: each attempt may run the statement, so retries are guarded inside the activity
// (heartbeated handle, see docs/durability.md). 2 minutes covers the warehouse's direct-result
// wait (5 s on Databricks) plus the driver's own HTTP retries on 429/503. It heartbeats every
// second while the warehouse holds the call, so a dead worker is noticed in 10 s; a cancel
// reaches it there, and it cancels the statement itself once the handle is known.
const { submitQuery } = proxyActivities<SqlActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

// Status, cancel and close are idempotent single requests: retry them with backoff for a
// long while (a warehouse restart or network outage should not fail a days-long query).
// 30 s per attempt bounds how long a worker killed mid-call delays the next attempt.
const STATUS_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 30,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

// Cancel runs in non-cancellable scopes; WAIT_CANCELLATION_COMPLETED keeps the workflow
// from ending before the warehouse has been told.
const { cancelQuery } = proxyActivities<SqlActivities>({
  startToCloseTimeout: '30 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

// Fetch may stream a large result for a long time: the heartbeat timeout detects a dead
// worker in 30 s and the retry resumes from the heartbeated row offset.
const FETCH_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

// The best-effort stop after a failure (status or fetch retries ran out, a cancel that could
// not be delivered): a small budget of its own, whatever maxActivityAttempts says, so an
// outage that ends within about a minute still leaves the statement cancelled and closed.
const stopping = proxyActivities<SqlActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Failures after which the statement has ended on the warehouse, or is gone: nothing to stop. */
const STATEMENT_ENDED: readonly string[] = [SqlFailureType.StatementFailed, SqlFailureType.QueryNotFound];

// The status poll is a local activity: the timer's workflow task runs it and records its
// result as a marker, so a poll costs one workflow task and ~6 history events, not two tasks
// and ~12 (bench case 3). Same retry budget. While an attempt runs, the workflow task stays
// open and status queries wait for it (at most the task's 8 s heartbeat), so only the first
// 1 s backoff is waited in the worker; longer ones are durable timers, during which queries
// and signals are served at once and a worker crash loses nothing.
const STATUS_POLL_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: STATUS_OPTIONS.startToCloseTimeout,
  localRetryThreshold: '1 second',
  retry: STATUS_OPTIONS.retry,
};

/** Histories that polled with a scheduled (non-local) syncQueryStatus replay without the local poll. */
const LOCAL_STATUS_POLL = 'local-status-poll';

/** Status, close and fetch, with `maxActivityAttempts` in place of their own attempt limits when given. */
function retriedActivities(maxAttempts: number | undefined) {
  const limited = <O extends ActivityOptions | LocalActivityOptions>(options: O): O =>
    maxAttempts === undefined ? options : { ...options, retry: { ...options.retry, maximumAttempts: maxAttempts } };
  const { syncQueryStatus: scheduledStatus, closeQuery } = proxyActivities<SqlActivities>(limited(STATUS_OPTIONS));
  const { syncQueryStatus: localStatus } = proxyLocalActivities<SqlActivities>(limited(STATUS_POLL_OPTIONS));
  const { fetchQueryResults } = proxyActivities<SqlActivities>(limited(FETCH_OPTIONS));
  // Asked at every poll: a run that polled before this worker's code switches at its next poll.
  const syncQueryStatus: SqlActivities['syncQueryStatus'] = async (input) => {
    if (!patched(LOCAL_STATUS_POLL)) return scheduledStatus(input);
    try {
      return await localStatus(input);
    } catch (error) {
      throw asActivityFailure(error, 'syncQueryStatus');
    }
  };
  return { syncQueryStatus, closeQuery, fetchQueryResults };
}

type Settings = Required<Omit<SqlQueryInput, 'params' | 'continuation' | 'resultSink' | 'maxActivityAttempts'>> &
  Pick<SqlQueryInput, 'params' | 'resultSink' | 'maxActivityAttempts'>;

// Polls back off by default: a query that runs for hours is polled about every 30 s, not every
// 2 s, so a worker core carries thousands of waiting queries, not ~200 (bench case 3); an answer
// is noticed at most ~20% of its run time late, and never more than 30 s late.
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_POLL_BACKOFF_FACTOR = 1.2;
const DEFAULT_MAX_POLL_INTERVAL_MS = 30_000;

function resolveSettings(input: SqlQueryInput): Settings {
  const pollIntervalMs = input.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  // Histories started with the fixed 2 s default replay with it (and its 60 s ceiling).
  const backoffByDefault = input.pollBackoffFactor === undefined && patched('poll-backoff-default');
  const defaultCeilingMs = backoffByDefault ? DEFAULT_MAX_POLL_INTERVAL_MS : 60_000;
  return {
    statement: input.statement,
    params: input.params,
    pollIntervalMs,
    pollBackoffFactor: input.pollBackoffFactor ?? (backoffByDefault ? DEFAULT_POLL_BACKOFF_FACTOR : 1),
    // The default ceiling never shortens an interval the caller asked for.
    maxPollIntervalMs: input.maxPollIntervalMs ?? Math.max(defaultCeilingMs, pollIntervalMs),
    maxPollsPerRun: input.maxPollsPerRun ?? 500,
    inlineResultLimitBytes: input.inlineResultLimitBytes ?? 256 * 1024,
    onAmbiguousSubmit: input.onAmbiguousSubmit ?? 'fail',
    resultSink: input.resultSink === undefined ? undefined : checkedResultSink(input.resultSink),
    maxActivityAttempts: input.maxActivityAttempts,
  };
}

/** Bad sink settings fail the workflow before any activity runs, naming the field. */
function checkedResultSink(value: unknown): SqlQueryInput['resultSink'] {
  try {
    return resolveResultSink(value);
  } catch (error) {
    if (!(error instanceof ResultSinkSettingsError)) throw error;
    throw ApplicationFailure.create({ type: SqlFailureType.ResultSinkInvalid, message: error.message, nonRetryable: true });
  }
}

export async function sqlQueryWorkflow(input: SqlQueryInput): Promise<SqlQueryResult> {
  const settings = resolveSettings(input);
  const { syncQueryStatus, closeQuery, fetchQueryResults } = retriedActivities(settings.maxActivityAttempts);
  const carried = input.continuation;
  const status: SqlQueryStatus = {
    state: carried ? 'RUNNING' : 'SUBMITTING',
    queryId: carried?.queryId,
    polls: carried?.polls ?? 0,
    runs: (carried?.runs ?? 0) + 1,
    startedAt: carried?.startedAt ?? nowIso(),
    submittedAt: carried?.submittedAt,
  };
  let cancelRequested = false;
  setHandler(cancelSignal, () => {
    cancelRequested = true;
  });
  setHandler(statusQuery, () => ({ ...status }));
  let polling = false;
  setHandler(activityFailedSignal, (report: ActivityFailedReport) => {
    if (!isFailureReport(report)) return;
    // A local poll's reports may arrive after its success (its workflow task was still open
    // when they were sent): stale then, the poll they are about already answered.
    if (report.activity === 'syncQueryStatus' && !polling) return;
    status.retrying = {
      activity: report.activity,
      attempts: report.attempt,
      lastError: { type: report.type, message: report.message },
      since: status.retrying?.since ?? report.failedAt,
      lastFailedAt: report.failedAt,
    };
  });
  /** An activity's result: it succeeded, so whatever was failing works again. No command. */
  const succeeded = async <T>(activity: Promise<T>): Promise<T> => {
    const result = await activity;
    status.retrying = undefined;
    return result;
  };

  const finish = (state: SqlQueryResult['state'], result: FetchedResult, direct = false): SqlQueryResult => {
    status.state = state;
    status.endedAt = nowIso();
    return { ...result, state, queryId: status.queryId, returnedAsDirectResult: direct, polls: status.polls, runs: status.runs };
  };
  const cancelAndClose = async (handle: string): Promise<void> => {
    status.state = 'CANCELING';
    await CancellationScope.nonCancellable(async () => {
      await succeeded(cancelQuery({ handle }));
      await succeeded(closeQuery({ handle }));
    });
  };

  let handle = carried?.handle;
  try {
    assertValidInput(input); // before any activity: a bad input fails at once, naming the field
    if (!handle) {
      // A cancel that came before the submit started submits nothing.
      if (cancelRequested) return finish('CANCELED', { columns: [], rowCount: 0 });
      if (CancellationScope.current().consideredCancelled) await CancellationScope.current().cancelRequested;
      // A cancel during the submit cancels the activity, which cancels the statement as soon as
      // the warehouse answers with its handle (the workflow never learns it).
      const submitScope = new CancellationScope();
      // (The condition rejects when the workflow itself is cancelled: submitScope is cancelled with it.)
      condition(() => cancelRequested).then(
        () => submitScope.cancel(),
        () => undefined,
      );
      let submitted;
      try {
        submitted = await succeeded(
          submitScope.run(() =>
            submitQuery({
              statement: settings.statement,
              params: settings.params,
              onAmbiguousSubmit: settings.onAmbiguousSubmit,
              inlineResultLimitBytes: settings.inlineResultLimitBytes,
              resultSink: settings.resultSink,
            }),
          ),
        );
      } catch (error) {
        if (!cancelRequested || !isCancellation(error)) throw error;
        status.queryId = cancelledQueryId(error);
        return finish('CANCELED', { columns: [], rowCount: 0 });
      }
      status.queryId = submitted.queryId;
      status.submittedAt = nowIso();
      if (submitted.kind === 'direct') return finish('FINISHED', submitted.result, true);
      handle = submitted.handle;
      status.state = 'RUNNING';
      tellPipeline(submitted.queryId);
      if (CancellationScope.current().consideredCancelled) await CancellationScope.current().cancelRequested;
    }

    let intervalMs = carried?.pollIntervalMs ?? settings.pollIntervalMs;
    let pollsThisRun = 0;
    for (;;) {
      // A durable timer that the cancel signal cuts short.
      await condition(() => cancelRequested, intervalMs);
      if (cancelRequested) {
        await cancelAndClose(handle);
        return finish('CANCELED', { columns: [], rowCount: 0 });
      }
      polling = true;
      const polled = await succeeded(syncQueryStatus({ handle })).finally(() => (polling = false));
      status.polls += 1;
      status.lastPolledAt = nowIso();
      pollsThisRun += 1;
      if (polled.status === 'FINISHED') break;
      if (polled.status === 'CANCELED') {
        await succeeded(closeQuery({ handle }));
        return finish('CANCELED', { columns: [], rowCount: 0 });
      }
      if (polled.status === 'ABORTED') {
        await succeeded(closeQuery({ handle }));
        throw ApplicationFailure.create({
          type: SqlFailureType.StatementFailed,
          nonRetryable: true,
          message: polled.error?.message ?? 'the statement failed on the warehouse',
          details: [polled.error ?? {}],
        });
      }
      intervalMs = Math.min(intervalMs * settings.pollBackoffFactor, settings.maxPollIntervalMs);
      // A cancel that came with this poll's answer is served by the next turn, not lost in a new run.
      if (!cancelRequested && (pollsThisRun >= settings.maxPollsPerRun || workflowInfo().continueAsNewSuggested)) {
        await continueAsNew<typeof sqlQueryWorkflow>({
          ...input,
          continuation: {
            handle,
            queryId: status.queryId ?? '',
            polls: status.polls,
            runs: status.runs,
            pollIntervalMs: intervalMs,
            startedAt: status.startedAt,
            submittedAt: status.submittedAt ?? status.startedAt,
          },
        });
      }
    }

    status.state = 'FETCHING';
    const result = await succeeded(
      fetchQueryResults({ handle, inlineResultLimitBytes: settings.inlineResultLimitBytes, resultSink: settings.resultSink }),
    );
    // Closed only once the fetch result is recorded in history: a retried fetch can still read it.
    await succeeded(closeQuery({ handle }));
    return finish('FINISHED', result);
  } catch (error) {
    if (isCancellation(error)) {
      if (handle) {
        try {
          await cancelAndClose(handle);
        } catch (cancelError) {
          throw await failed(cancelError, handle);
        }
      }
      status.state = 'CANCELED';
      status.endedAt = nowIso();
      throw error;
    }
    throw await failed(error, handle);
  }

  /**
   * The workflow's failure for an activity's: when the statement may still be running (an
   * activity's retries ran out with the handle known), first a best-effort cancel and close,
   * and the failure says which it is.
   */
  async function failed(error: unknown, knownHandle: string | undefined): Promise<unknown> {
    const failure = unwrapSqlFailure(error);
    const mayBeRunning =
      knownHandle !== undefined &&
      error instanceof ActivityFailure &&
      !(failure instanceof ApplicationFailure && STATEMENT_ENDED.includes(failure.type ?? ''));
    // Histories recorded before this stop existed replay without it.
    if (!mayBeRunning || !patched('stop-statement-after-failure')) {
      status.state = 'FAILED';
      status.endedAt = nowIso();
      return failure;
    }
    status.state = 'CANCELING';
    const stopError = await stopStatement(knownHandle);
    status.state = 'FAILED';
    status.endedAt = nowIso();
    return withStatementOutcome(failure, status.queryId, stopError);
  }
}

/**
 * A local activity whose retries ran out rejects with its last attempt's failure itself, not
 * wrapped in an ActivityFailure as a scheduled one's is: wrapped here, so the failure paths
 * (stop the statement, name the activity) treat both alike.
 */
function asActivityFailure(error: unknown, activityType: string): unknown {
  if (error instanceof ActivityFailure || isCancellation(error) || !(error instanceof Error)) return error;
  const retryState =
    error instanceof ApplicationFailure && error.nonRetryable
      ? RetryState.NON_RETRYABLE_FAILURE
      : RetryState.MAXIMUM_ATTEMPTS_REACHED;
  return new ActivityFailure('Local activity failed', activityType, undefined, retryState, undefined, error);
}

/** Cancels and closes the statement with the small budget; the error if that failed too. */
async function stopStatement(handle: string): Promise<unknown> {
  return CancellationScope.nonCancellable(async () => {
    try {
      await stopping.cancelQuery({ handle });
      await stopping.closeQuery({ handle });
      return undefined;
    } catch (error) {
      return error;
    }
  });
}

/** The failure, its message naming whether the statement was cancelled or may still run, with its query id. */
function withStatementOutcome(failure: unknown, queryId: string | undefined, stopError: unknown): ApplicationFailure {
  const id = `query id ${queryId ?? 'unknown'}`;
  const outcome =
    stopError === undefined
      ? `the statement was cancelled and closed on the warehouse (${id})`
      : `the statement may still be running on the warehouse (${id}): cancelling it failed too (${messageOf(stopError)})`;
  const application = failure instanceof ApplicationFailure ? failure : undefined;
  return ApplicationFailure.create({
    type: application?.type ?? undefined,
    message: `${messageOf(failure)}; ${outcome}`,
    nonRetryable: true,
    details: application?.details?.length ? [...application.details] : [{ queryId, statementStopped: stopError === undefined }],
  });
}

/** An activity failure's own message (its cause's), else the error's. */
function messageOf(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A pipeline's step (started by it as `<pipeline id>.<step>`) tells the pipeline its query id
 * once submitted, so the pipeline has it even when the step later fails or is cancelled from
 * outside. Not awaited: the signal is sent with this workflow task's commands.
 */
function tellPipeline(queryId: string): void {
  const { parent, workflowId } = workflowInfo();
  if (!parent || !workflowId.startsWith(`${parent.workflowId}.`)) return;
  // Histories of steps submitted before this signal existed replay without it.
  if (!patched('step-submitted-signal')) return;
  getExternalWorkflowHandle(parent.workflowId)
    .signal(stepSubmittedSignal, { workflowId, queryId })
    .catch(() => undefined); // the pipeline ended meanwhile: nobody to tell
}

/**
 * Surfaces an activity's failure as the workflow's own, so the workflow's failure names the
 * real cause: a SQL failure as it is (type and details kept); a retryable one (warehouse
 * down, session lost) with its type, once the activity's retries ran out.
 */
function unwrapSqlFailure(error: unknown): unknown {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return error;
  const cause = error.cause;
  const sqlFailure = (NON_RETRYABLE as readonly string[]).includes(cause.type ?? '');
  return ApplicationFailure.create({
    type: cause.type ?? undefined,
    message: sqlFailure ? cause.message : `${error.activityType} kept failing until its retries ran out: ${cause.message}`,
    nonRetryable: true,
    details: cause.details ? [...cause.details] : undefined,
  });
}

/** The query id a submit cancelled mid-call puts in its CancelledFailure's details, if any. */
function cancelledQueryId(error: unknown): string | undefined {
  const cancelled = error instanceof ActivityFailure ? error.cause : error;
  if (!(cancelled instanceof CancelledFailure)) return undefined;
  const details = cancelled.details[0] as { queryId?: unknown } | undefined;
  return typeof details?.queryId === 'string' ? details.queryId : undefined;
}

/** The signal comes from our activities, but anyone may send one: ignore malformed ones. */
function isFailureReport(report: unknown): report is ActivityFailedReport {
  const r = report as Partial<ActivityFailedReport> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.activity === 'string' &&
    typeof r.attempt === 'number' &&
    typeof r.type === 'string' &&
    typeof r.message === 'string' &&
    typeof r.failedAt === 'string'
  );
}

function nowIso(): string {
  // Date is deterministic inside the workflow sandbox (it reads the workflow task's time).
  return new Date().toISOString();
}
