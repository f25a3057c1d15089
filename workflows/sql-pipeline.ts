/**
 * `sqlPipelineWorkflow`: named SQL steps with dependencies, each run as a child
 * `sqlQueryWorkflow` (its own workflow id `<pipeline id>.<step>`, own history), at most
 * `maxParallel` at once, in dependency order. Deterministic code only: no I/O here.
 *
 * Stopping (the `cancel` signal, or the first failure under `failFast`) sends each running
 * child its own `cancel` signal, so it cancels its statement on the warehouse and returns
 * state CANCELED with its query id; steps not started are skipped.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { cancelSignal, type JsonSqlParam, type JsonSqlParams, type SqlErrorDetails, type SqlQueryInput } from './messages.js';
import {
  pipelineCancelSignal,
  pipelineStatusQuery,
  stepSubmittedSignal,
  SqlPipelineFailureType,
  type PipelineStepError,
  type PipelineStepInput,
  type PipelineStepState,
  type PipelineStepStatus,
  type SqlPipelineInput,
  type SqlPipelineResult,
  type SqlPipelineStatus,
  type StepParamReference,
} from './pipeline-messages.js';
import {
  assertValidPipeline,
  DEFAULT_MAX_PARALLEL,
  DEFAULT_MAX_STEPS_PER_RUN,
  isStepReference,
  paramEntries,
} from './pipeline-validation.js';
import { sqlQueryWorkflow } from './sql-query.js';

const ENDED: readonly PipelineStepState[] = ['FINISHED', 'FAILED', 'CANCELED', 'SKIPPED'];
// Values of these column types bind as they are; others keep their type, e.g. { type: 'TIMESTAMP', value }.
const PLAIN_TYPES = /^(STRING|VARCHAR|CHAR|INT|INTEGER|TINYINT|SMALLINT|BOOLEAN|DOUBLE|FLOAT)\b/i;

export async function sqlPipelineWorkflow(input: SqlPipelineInput): Promise<SqlPipelineResult> {
  assertValidPipeline(input); // before any step: a bad pipeline fails at once, naming step and field
  const maxParallel = input.maxParallel ?? DEFAULT_MAX_PARALLEL;
  const failFast = (input.failurePolicy ?? 'failFast') === 'failFast';
  const maxStepsPerRun = input.maxStepsPerRun ?? DEFAULT_MAX_STEPS_PER_RUN;
  const carried = input.continuation;
  const keepRows = new Set(input.steps.filter((s) => s.returnRows).map((s) => s.name));
  for (const step of input.steps) {
    for (const [, param] of paramEntries(step.params)) if (isStepReference(param)) keepRows.add(param.fromStep);
  }
  const steps: PipelineStepStatus[] = carried
    ? carried.steps.map((s) => ({ ...s }))
    : input.steps.map((s) => ({ name: s.name, state: 'PENDING' }));
  const stepStatus = new Map(steps.map((s) => [s.name, s]));
  const status: SqlPipelineStatus = {
    state: 'RUNNING',
    steps,
    runs: (carried?.runs ?? 0) + 1,
    startedAt: carried?.startedAt ?? nowIso(),
  };
  const running = new Set<string>();
  const children = new Map<string, ChildWorkflowHandle<typeof sqlQueryWorkflow>>();
  const signalled = new Set<string>();
  let stopReason: string | undefined;
  let canceled = false;
  let changed = false;
  let endedThisRun = 0;

  const stop = (reason: string): void => {
    stopReason ??= reason;
    changed = true;
  };
  setHandler(pipelineCancelSignal, (reason?: string) => {
    if (status.state !== 'RUNNING') return;
    canceled = true;
    status.state = 'CANCELING';
    stop(reason ? `the pipeline was canceled: ${reason}` : 'the pipeline was canceled');
  });
  setHandler(pipelineStatusQuery, () => snapshot(status));
  setHandler(stepSubmittedSignal, ({ workflowId, queryId }) => {
    const s = steps.find((step) => step.workflowId === workflowId);
    if (s && !ENDED.includes(s.state) && typeof queryId === 'string') s.queryId = queryId;
  });

  const end = (s: PipelineStepStatus, state: PipelineStepState, extra: Partial<PipelineStepStatus> = {}): void => {
    Object.assign(s, extra, { state, endedAt: nowIso() });
    if (s.startedAt) s.durationMs = Date.parse(s.endedAt!) - Date.parse(s.startedAt);
  };

  const runStep = async (step: PipelineStepInput, s: PipelineStepStatus): Promise<void> => {
    let params: JsonSqlParams | undefined;
    try {
      params = resolveParams(step, stepStatus);
    } catch (error) {
      if (!(error instanceof ReferenceProblem)) throw error;
      end(s, 'FAILED', { error: { type: SqlPipelineFailureType.ReferenceInvalid, message: error.message } });
      return;
    }
    s.workflowId = `${workflowInfo().workflowId}.${step.name}`;
    try {
      const child = await startChild(sqlQueryWorkflow, { workflowId: s.workflowId, args: [childInput(step, params)] });
      children.set(step.name, child);
      changed = true; // a stop requested while it was starting reaches it now
      const result = await child.result();
      Object.assign(s, {
        queryId: result.queryId,
        rowCount: result.rowCount,
        columns: result.columns,
        manifest: result.manifest,
      });
      if (keepRows.has(step.name)) s.rows = result.rows;
      if (result.state === 'FINISHED') end(s, 'FINISHED');
      else end(s, 'CANCELED', { reason: stopReason ?? 'the step was canceled from outside the pipeline' });
    } catch (error) {
      if (isCancellation(error)) {
        const reason = CancellationScope.current().consideredCancelled
          ? 'the pipeline workflow was cancelled'
          : 'the step workflow was cancelled from outside the pipeline';
        end(s, 'CANCELED', { reason });
      } else {
        const failure = stepError(error);
        end(s, 'FAILED', { error: failure.error, ...(failure.queryId ? { queryId: failure.queryId } : {}) });
      }
    } finally {
      children.delete(step.name);
    }
  };

  const start = (step: PipelineStepInput): void => {
    const s = stepStatus.get(step.name)!;
    Object.assign(s, { state: 'RUNNING', startedAt: nowIso() });
    running.add(step.name);
    void runStep(step, s).finally(() => {
      running.delete(step.name);
      endedThisRun += 1;
      changed = true;
      // A step canceled from outside counts as a failure: its dependents cannot run.
      if (failFast && (s.state === 'FAILED' || s.state === 'CANCELED')) stop(`step '${step.name}' ${s.state.toLowerCase()}`);
    });
  };

  try {
    for (;;) {
      if (stopReason) {
        for (const s of steps) if (s.state === 'PENDING') end(s, 'SKIPPED', { reason: stopReason });
        for (const [name, child] of children) {
          if (signalled.has(name)) continue;
          signalled.add(name);
          // A child that just ended refuses the signal: nothing left to cancel.
          child.signal(cancelSignal, stopReason).catch(() => undefined);
        }
      } else {
        skipBlocked(input.steps, stepStatus, end);
        const draining = endedThisRun >= maxStepsPerRun || workflowInfo().continueAsNewSuggested;
        for (const step of input.steps) {
          if (draining || running.size >= maxParallel) break;
          if (isReady(step, stepStatus)) start(step);
        }
        if (running.size === 0 && draining && steps.some((s) => !ENDED.includes(s.state))) {
          await continueAsNew<typeof sqlPipelineWorkflow>({
            ...input,
            continuation: { steps: snapshot(status).steps, runs: status.runs, startedAt: status.startedAt },
          });
        }
      }
      if (running.size === 0) {
        if (steps.every((s) => ENDED.includes(s.state))) break;
        if (!stopReason && !input.steps.some((step) => isReady(step, stepStatus))) {
          throw ApplicationFailure.nonRetryable('no step can start: the pipeline is stuck (a bug)', 'SqlPipelineStuck');
        }
      }
      await condition(() => changed);
      changed = false;
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // The pipeline workflow itself was cancelled: Temporal cancels the children; wait for them.
    await CancellationScope.nonCancellable(() => condition(() => running.size === 0));
    for (const s of steps) if (s.state === 'PENDING') end(s, 'SKIPPED', { reason: 'the pipeline workflow was cancelled' });
    Object.assign(status, { state: 'CANCELED', endedAt: nowIso() });
    throw error;
  }

  const failed = steps.find((s) => s.state === 'FAILED') ?? (canceled ? undefined : steps.find((s) => s.state === 'CANCELED'));
  status.state = canceled ? 'CANCELED' : failed ? 'FAILED' : 'FINISHED';
  status.endedAt = nowIso();
  const result = snapshot(status) as SqlPipelineResult;
  if (status.state === 'FAILED' && failed) {
    const why = failed.error ? `: ${failed.error.message}` : ` (${failed.reason ?? 'canceled'})`;
    throw ApplicationFailure.create({
      type: SqlPipelineFailureType.Failed,
      message: `step '${failed.name}' ${failed.state.toLowerCase()}${why}`,
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}

/** A copy: the query's answer and the continuation must not change with the live state. */
function snapshot(status: SqlPipelineStatus): SqlPipelineStatus {
  return { ...status, steps: status.steps.map((s) => ({ ...s })) };
}

function isReady(step: PipelineStepInput, stepStatus: Map<string, PipelineStepStatus>): boolean {
  return (
    stepStatus.get(step.name)!.state === 'PENDING' && (step.dependsOn ?? []).every((d) => stepStatus.get(d)!.state === 'FINISHED')
  );
}

/** Skips pending steps whose dependency ended without finishing (and, in turn, their dependents). */
function skipBlocked(
  steps: PipelineStepInput[],
  stepStatus: Map<string, PipelineStepStatus>,
  end: (s: PipelineStepStatus, state: PipelineStepState, extra: Partial<PipelineStepStatus>) => void,
): void {
  for (let again = true; again;) {
    again = false;
    for (const step of steps) {
      const s = stepStatus.get(step.name)!;
      if (s.state !== 'PENDING') continue;
      const blocker = (step.dependsOn ?? [])
        .map((d) => stepStatus.get(d)!)
        .find((d) => ['FAILED', 'CANCELED', 'SKIPPED'].includes(d.state));
      if (blocker) {
        end(s, 'SKIPPED', { reason: `step '${blocker.name}' ${blocker.state.toLowerCase()}` });
        again = true;
      }
    }
  }
}

function childInput(step: PipelineStepInput, params: JsonSqlParams | undefined): SqlQueryInput {
  const { name: _name, dependsOn: _dependsOn, returnRows: _returnRows, params: _params, ...query } = step;
  return params === undefined ? query : { ...query, params };
}

/** A reference that finds no value: the step fails with `SqlPipelineReferenceInvalid`. */
class ReferenceProblem extends Error {}

function resolveParams(step: PipelineStepInput, stepStatus: Map<string, PipelineStepStatus>): JsonSqlParams | undefined {
  const params = step.params;
  if (params === undefined || params === null) return undefined;
  const resolve = (field: string, param: unknown): JsonSqlParam =>
    isStepReference(param) ? referencedValue(step.name, field, param, stepStatus.get(param.fromStep)!) : (param as JsonSqlParam);
  if (Array.isArray(params)) return params.map((param, position) => resolve(`params[${position}]`, param));
  return Object.fromEntries(Object.entries(params).map(([key, param]) => [key, resolve(`params.${key}`, param)]));
}

function referencedValue(stepName: string, field: string, ref: StepParamReference, source: PipelineStepStatus): JsonSqlParam {
  const at = `step '${stepName}': ${field} refers to step '${ref.fromStep}'`;
  if (!source.rows) {
    throw new ReferenceProblem(
      `${at}, whose result went to ${source.manifest?.location ?? 'a file'} (over its inlineResultLimitBytes), not inline`,
    );
  }
  const rowIndex = ref.row ?? 0;
  const row = source.rows[rowIndex];
  if (!row) throw new ReferenceProblem(`${at}, row ${rowIndex}, but it returned ${source.rows.length} row(s)`);
  const column = source.columns?.find((c) => c.name === ref.column);
  if (!column || !(ref.column in row)) {
    const names = (source.columns ?? []).map((c) => c.name).join(', ');
    throw new ReferenceProblem(`${at}, column '${ref.column}', which its result does not have (columns: ${names})`);
  }
  const value = row[ref.column];
  if (value === null || value === undefined) return ref.type ? { type: ref.type, value: null } : null;
  if (typeof value === 'object') {
    throw new ReferenceProblem(`${at}, column '${ref.column}' of type ${column.typeName}, which is not a single value`);
  }
  if (ref.type) return { type: ref.type, value };
  if (typeof value !== 'string' || PLAIN_TYPES.test(column.typeName)) return value;
  return { type: column.typeName, value };
}

/** The child's failure as the step's error: its type and message, and the warehouse's SQLSTATE. */
/** A failed step's error, and its query id when the failure names it (a statement that failed at submit). */
function stepError(error: unknown): { error: PipelineStepError; queryId?: string } {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as Partial<SqlErrorDetails> | undefined;
    return {
      error: {
        type: cause.type ?? 'ApplicationFailure',
        message: cause.message,
        ...(typeof details?.sqlState === 'string' ? { sqlState: details.sqlState } : {}),
        ...(typeof details?.errorCode === 'string' ? { errorCode: details.errorCode } : {}),
      },
      ...(typeof details?.queryId === 'string' ? { queryId: details.queryId } : {}),
    };
  }
  const failure = cause instanceof Error ? cause : new Error(String(cause));
  return { error: { type: failure.name, message: failure.message } };
}

function nowIso(): string {
  // Date is deterministic inside the workflow sandbox (it reads the workflow task's time).
  return new Date().toISOString();
}
