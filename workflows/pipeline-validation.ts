/**
 * Checks a `SqlPipelineInput` before anything runs: `startSqlPipeline` and the CLI call it on
 * the client, and the workflow again before starting any step. Duplicate names, unknown or
 * cyclic dependencies, bad references and bad step settings are named with their step and
 * field. Pure code: loaded into the workflow sandbox.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  SqlPipelineFailureType,
  type PipelineParam,
  type PipelineStepInput,
  type SqlPipelineInput,
  type StepParamReference,
} from './pipeline-messages.js';
import { resolveResultSink, ResultSinkSettingsError } from './result-sink-settings.js';
import { findInputProblem } from './validation.js';

/** What is wrong: the step (when one is to blame), the field path (e.g. 'steps[2].dependsOn[0]') and why. */
export interface PipelineProblem {
  step?: string;
  field: string;
  message: string;
}

/** Thrown by `startSqlPipeline` (and the CLI) for an invalid pipeline; nothing was started. */
export class SqlPipelineInputError extends Error {
  override readonly name = 'SqlPipelineInputError';
  /** The offending step's name, when a step is to blame. */
  readonly step?: string;
  /** The offending field, e.g. 'steps[1].dependsOn[0]'. */
  readonly field: string;
  constructor(problem: PipelineProblem) {
    super(problem.message);
    this.step = problem.step;
    this.field = problem.field;
  }
}

export const DEFAULT_MAX_PARALLEL = 4;
const MAX_MAX_PARALLEL = 100;
export const DEFAULT_MAX_STEPS_PER_RUN = 200;
const MAX_STEPS = 1000;

const PIPELINE_FIELDS = new Set(['steps', 'maxParallel', 'failurePolicy', 'maxStepsPerRun', 'continuation']);
const STEP_FIELDS = new Set([
  'name',
  'statement',
  'params',
  'dependsOn',
  'returnRows',
  'pollIntervalMs',
  'pollBackoffFactor',
  'maxPollIntervalMs',
  'maxPollsPerRun',
  'inlineResultLimitBytes',
  'onAmbiguousSubmit',
  'resultSink',
  'maxActivityAttempts',
]);
const REFERENCE_FIELDS = new Set(['fromStep', 'column', 'row', 'type']);
// Part of the child workflow id: keep it to characters that need no escaping anywhere.
const STEP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

export function isStepReference(value: unknown): value is StepParamReference {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'fromStep' in value;
}

/** The first problem of `input`, or undefined when it is valid. `fromCaller` also refuses `continuation`. */
export function findPipelineProblem(input: unknown, fromCaller = false): PipelineProblem | undefined {
  if (!isObject(input)) return { field: 'input', message: 'the pipeline must be an object with a steps array' };
  for (const key of Object.keys(input)) {
    if (!PIPELINE_FIELDS.has(key)) {
      return { field: key, message: `${key} is not a pipeline setting (known: ${[...PIPELINE_FIELDS].join(', ')})` };
    }
  }
  const p = input as Partial<Record<keyof SqlPipelineInput, unknown>>;
  if (!Array.isArray(p.steps) || p.steps.length === 0) {
    return { field: 'steps', message: 'steps must be a non-empty array of steps' };
  }
  if (p.steps.length > MAX_STEPS) return { field: 'steps', message: `a pipeline has at most ${MAX_STEPS} steps` };
  if (p.maxParallel !== undefined && !isIntegerIn(p.maxParallel, 1, MAX_MAX_PARALLEL)) {
    return {
      field: 'maxParallel',
      message: `maxParallel must be an integer from 1 to ${MAX_MAX_PARALLEL}, got ${show(p.maxParallel)}`,
    };
  }
  if (p.failurePolicy !== undefined && p.failurePolicy !== 'failFast' && p.failurePolicy !== 'continue') {
    return { field: 'failurePolicy', message: `failurePolicy must be 'failFast' or 'continue', got ${show(p.failurePolicy)}` };
  }
  if (p.maxStepsPerRun !== undefined && !isIntegerIn(p.maxStepsPerRun, 1, Number.MAX_SAFE_INTEGER)) {
    return { field: 'maxStepsPerRun', message: `maxStepsPerRun must be an integer >= 1, got ${show(p.maxStepsPerRun)}` };
  }
  if (p.continuation !== undefined && (fromCaller || !isObject(p.continuation))) {
    return { field: 'continuation', message: 'continuation is set by the workflow when it continues as new, not by callers' };
  }
  const steps = p.steps as unknown[];
  const index = new Map<string, number>();
  for (let i = 0; i < steps.length; i++) {
    const problem = stepShapeProblem(steps[i], i);
    if (problem) return problem;
    const name = (steps[i] as PipelineStepInput).name;
    if (index.has(name)) {
      return {
        step: name,
        field: `steps[${i}].name`,
        message: `step name '${name}' is used twice (steps ${index.get(name)} and ${i})`,
      };
    }
    index.set(name, i);
  }
  const valid = steps as PipelineStepInput[];
  for (let i = 0; i < valid.length; i++) {
    const step = valid[i]!;
    for (const [d, dependency] of (step.dependsOn ?? []).entries()) {
      if (!index.has(dependency)) {
        return {
          step: step.name,
          field: `steps[${i}].dependsOn[${d}]`,
          message: `step '${step.name}' depends on unknown step '${dependency}'`,
        };
      }
      if (dependency === step.name) {
        return { step: step.name, field: `steps[${i}].dependsOn[${d}]`, message: `step '${step.name}' depends on itself` };
      }
    }
  }
  const cycle = findCycle(valid);
  if (cycle) {
    return {
      step: cycle[0],
      field: `steps[${index.get(cycle[0]!)}].dependsOn`,
      message: `steps depend on each other in a cycle: ${cycle.join(' -> ')}`,
    };
  }
  return referenceProblem(valid, index);
}

function stepShapeProblem(value: unknown, i: number): PipelineProblem | undefined {
  const at = `steps[${i}]`;
  if (!isObject(value)) return { field: at, message: `${at} must be an object with a name and a statement` };
  const step = value as Partial<Record<keyof PipelineStepInput, unknown>>;
  if (typeof step.name !== 'string' || !STEP_NAME.test(step.name)) {
    return {
      field: `${at}.name`,
      message: `${at}.name must be 1-100 letters, digits, '_', '-' or '.' (not starting with '-' or '.'), got ${show(step.name)}`,
    };
  }
  const name = step.name;
  const named = (field: string, message: string): PipelineProblem => ({
    step: name,
    field: `${at}.${field}`,
    message: `step '${name}': ${message}`,
  });
  for (const key of Object.keys(value)) {
    if (!STEP_FIELDS.has(key)) return named(key, `${key} is not a step setting (known: ${[...STEP_FIELDS].join(', ')})`);
  }
  if (step.dependsOn !== undefined && (!Array.isArray(step.dependsOn) || step.dependsOn.some((d) => typeof d !== 'string'))) {
    return named('dependsOn', `dependsOn must be an array of step names, got ${show(step.dependsOn)}`);
  }
  if (step.returnRows !== undefined && typeof step.returnRows !== 'boolean') {
    return named('returnRows', `returnRows must be true or false, got ${show(step.returnRows)}`);
  }
  // References are checked later; the query checks see a NULL in their place.
  const { name: _name, dependsOn: _dependsOn, returnRows: _returnRows, ...query } = value;
  const params = query.params;
  if (isObject(params)) {
    for (const [key, param] of Object.entries(params)) {
      const problem = referenceShapeProblem(param, `params.${key}`);
      if (problem) return named(problem.field, problem.message);
    }
    query.params = Object.fromEntries(Object.entries(params).map(([key, param]) => [key, isStepReference(param) ? null : param]));
  } else if (Array.isArray(params)) {
    for (const [position, param] of (params as unknown[]).entries()) {
      const problem = referenceShapeProblem(param, `params[${position}]`);
      if (problem) return named(problem.field, problem.message);
    }
    query.params = (params as unknown[]).map((param) => (isStepReference(param) ? null : param));
  }
  const problem = findInputProblem(query, true);
  if (problem) return named(problem.field, problem.message);
  if (step.resultSink !== undefined) {
    try {
      resolveResultSink(step.resultSink);
    } catch (error) {
      if (error instanceof ResultSinkSettingsError) return named(error.field, error.message);
      throw error;
    }
  }
  return undefined;
}

function referenceShapeProblem(param: unknown, field: string): { field: string; message: string } | undefined {
  if (!isStepReference(param)) return undefined;
  for (const key of Object.keys(param)) {
    if (!REFERENCE_FIELDS.has(key))
      return {
        field: `${field}.${key}`,
        message: `${field}.${key} is not part of a step reference (fromStep, column, row, type)`,
      };
  }
  const ref = param as Partial<Record<keyof StepParamReference, unknown>>;
  if (typeof ref.fromStep !== 'string' || ref.fromStep === '') {
    return { field: `${field}.fromStep`, message: `${field}.fromStep must be a step name, got ${show(ref.fromStep)}` };
  }
  if (typeof ref.column !== 'string' || ref.column === '') {
    return { field: `${field}.column`, message: `${field}.column must be a column name, got ${show(ref.column)}` };
  }
  if (ref.row !== undefined && !isIntegerIn(ref.row, 0, Number.MAX_SAFE_INTEGER)) {
    return { field: `${field}.row`, message: `${field}.row must be an integer >= 0, got ${show(ref.row)}` };
  }
  if (ref.type !== undefined && (typeof ref.type !== 'string' || ref.type.trim() === '')) {
    return { field: `${field}.type`, message: `${field}.type must be a SQL type name, got ${show(ref.type)}` };
  }
  return undefined;
}

/** A reference must name a step this one waits for, and one that returns its rows inline. */
function referenceProblem(steps: PipelineStepInput[], index: Map<string, number>): PipelineProblem | undefined {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const upstream = ancestors(step.name, steps, index);
    for (const [field, param] of paramEntries(step.params)) {
      if (!isStepReference(param)) continue;
      const at = `steps[${i}].${field}.fromStep`;
      if (!index.has(param.fromStep)) {
        return {
          step: step.name,
          field: at,
          message: `step '${step.name}': ${field} refers to unknown step '${param.fromStep}'`,
        };
      }
      if (!upstream.has(param.fromStep)) {
        return {
          step: step.name,
          field: at,
          message: `step '${step.name}': ${field} refers to step '${param.fromStep}', which it does not depend on (add it to dependsOn)`,
        };
      }
      if (steps[index.get(param.fromStep)!]!.resultSink !== undefined) {
        return {
          step: step.name,
          field: at,
          message: `step '${step.name}': ${field} refers to step '${param.fromStep}', which writes its result to a sink; a referenced step must return its rows inline`,
        };
      }
    }
  }
  return undefined;
}

/** The parameters of a step as [field, value] pairs, e.g. ['params.since', {...}]. */
export function paramEntries(params: PipelineStepInput['params']): Array<[string, PipelineParam]> {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params.map((param, position) => [`params[${position}]`, param]);
  return Object.entries(params).map(([key, param]) => [`params.${key}`, param]);
}

/** Every step `name` waits for, directly or through others. */
function ancestors(name: string, steps: PipelineStepInput[], index: Map<string, number>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(steps[index.get(name)!]!.dependsOn ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(steps[index.get(next)!]!.dependsOn ?? []));
  }
  return seen;
}

/** A dependency cycle as the names along it (first repeated last), or undefined. */
function findCycle(steps: PipelineStepInput[]): string[] | undefined {
  const dependsOn = new Map(steps.map((s) => [s.name, s.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of dependsOn.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Throws the workflow's non-retryable failure (type `SqlPipelineInvalidInput`) for an invalid input. */
export function assertValidPipeline(input: unknown): void {
  const problem = findPipelineProblem(input);
  if (problem) {
    throw ApplicationFailure.create({
      type: SqlPipelineFailureType.InvalidInput,
      message: `invalid pipeline: ${problem.message}`,
      nonRetryable: true,
      details: [problem],
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
