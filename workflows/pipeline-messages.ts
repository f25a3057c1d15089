/**
 * What `sqlPipelineWorkflow` shares with clients: its input, status and result shapes and its
 * signal and query. Everything here ends up in Temporal history (statements, parameters, small
 * results), never connection settings. Loaded into the workflow sandbox: no Node built-ins.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JsonColumn, JsonRow, JsonSqlParam, ResultManifest, SqlQueryInput } from './messages.js';

/** Name of the workflow type (the exported function's name). */
export const SQL_PIPELINE_WORKFLOW = 'sqlPipelineWorkflow';

/** Cancels every running step (their statements are cancelled on the warehouse); the pipeline ends CANCELED. */
export const pipelineCancelSignal = defineSignal<[reason?: string]>('cancel');

/**
 * Sent by a step's workflow to its pipeline once its statement is submitted, so the pipeline
 * knows the step's query id while it runs, and after it failed or was cancelled from outside.
 */
export const stepSubmittedSignal = defineSignal<[StepSubmitted]>('stepSubmitted');

export interface StepSubmitted {
  /** The step's workflow id, `<pipeline id>.<step>`. */
  workflowId: string;
  queryId: string;
}

/** Each step's state, query id, rows and timings, as the pipeline sees them now. */
export const pipelineStatusQuery = defineQuery<SqlPipelineStatus>('status');

/**
 * A parameter taken from an earlier step's inline result: the value of `column` in row `row`.
 * `fromStep` must be a step this one depends on (directly or through others).
 *
 * ```ts
 * { name: 'load', dependsOn: ['watermark'], statement: '... WHERE ts > :since',
 *   params: { since: { fromStep: 'watermark', column: 'max_ts' } } }
 * ```
 */
export interface StepParamReference {
  fromStep: string;
  column: string;
  /** 0-based row of the referenced result. @default 0 */
  row?: number;
  /** SQL type to bind the value as (e.g. 'TIMESTAMP'). Default: the column's own type. */
  type?: string;
}

export type PipelineParam = JsonSqlParam | StepParamReference;

/** A step: a `sqlQueryWorkflow` input (its own poll and sink settings) plus its name and dependencies. */
export interface PipelineStepInput extends Omit<SqlQueryInput, 'params' | 'continuation'> {
  /** Unique in the pipeline; letters, digits, '_', '-' and '.'; part of the step's workflow id. */
  name: string;
  params?: Record<string, PipelineParam> | PipelineParam[];
  /** Steps that must finish first. @default [] */
  dependsOn?: string[];
  /** Keep this step's inline rows in the pipeline's result (steps referenced by others keep them anyway). @default false */
  returnRows?: boolean;
}

/**
 * `failFast`: the first failure cancels the running steps (and their statements) and skips the
 * rest. `continue`: steps that do not depend on the failed one go on; its dependents are skipped.
 */
export type PipelineFailurePolicy = 'failFast' | 'continue';

export interface SqlPipelineInput {
  steps: PipelineStepInput[];
  /** Steps running at once. @default 4 */
  maxParallel?: number;
  /** @default 'failFast' */
  failurePolicy?: PipelineFailurePolicy;
  /**
   * Continue-as-new once this many steps ended in one run (or when Temporal suggests it): the
   * pipeline stops starting steps, lets the running ones end, and carries every step's state
   * to the next run. @default 200
   */
  maxStepsPerRun?: number;
  /** Set by the workflow itself when it continues as new; not for callers. */
  continuation?: SqlPipelineContinuation;
}

export interface SqlPipelineContinuation {
  steps: PipelineStepStatus[];
  runs: number;
  startedAt: string;
}

export type PipelineStepState = 'PENDING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED' | 'SKIPPED';

/** Why a step failed: the child workflow's failure type and message, and the warehouse's SQLSTATE. */
export interface PipelineStepError {
  /** e.g. 'SqlStatementFailed', 'SqlPipelineReferenceInvalid'. */
  type: string;
  message: string;
  sqlState?: string;
  errorCode?: string;
}

export interface PipelineStepStatus {
  name: string;
  state: PipelineStepState;
  /** Workflow id of the step's child `sqlQueryWorkflow`, once started. */
  workflowId?: string;
  queryId?: string;
  rowCount?: number;
  columns?: JsonColumn[];
  /** Inline rows, kept for steps referenced by others and steps with `returnRows`. */
  rows?: JsonRow[];
  /** Where a result written to a sink (or the worker's result directory) is. */
  manifest?: ResultManifest;
  error?: PipelineStepError;
  /** Why the step was skipped or canceled, e.g. "step 'load' failed". */
  reason?: string;
  /** ISO 8601 timestamps of the step's start and end. */
  startedAt?: string;
  endedAt?: string;
  /** @format number of milliseconds from start to end. */
  durationMs?: number;
}

export type SqlPipelineState = 'RUNNING' | 'CANCELING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export interface SqlPipelineStatus {
  state: SqlPipelineState;
  /** Every step, in the order of the input. */
  steps: PipelineStepStatus[];
  /** 1 for the first run, +1 per continue-as-new. */
  runs: number;
  /** ISO 8601 timestamps. */
  startedAt: string;
  endedAt?: string;
}

/**
 * The pipeline's outcome. A FINISHED or CANCELED pipeline returns it; a FAILED one fails with
 * type `SqlPipelineFailed` and this as `details[0]` (`getSqlPipelineResult` returns it either way).
 */
export interface SqlPipelineResult extends SqlPipelineStatus {
  state: 'FINISHED' | 'FAILED' | 'CANCELED';
  endedAt: string;
}

/** ApplicationFailure types of the pipeline workflow (stable names). */
export const SqlPipelineFailureType = {
  /** The input is invalid; details[0] is `{ step?, field, message }`. Nothing ran. */
  InvalidInput: 'SqlPipelineInvalidInput',
  /** A step failed; details[0] is the `SqlPipelineResult`. */
  Failed: 'SqlPipelineFailed',
  /** A step's parameter reference found no such row or column in the earlier step's result. */
  ReferenceInvalid: 'SqlPipelineReferenceInvalid',
} as const;
