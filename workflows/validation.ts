/**
 * Checks a `SqlQueryInput` before anything runs: the start helper calls it on the client (so a
 * bad input fails at once, before Temporal serializes it) and the workflow calls it again before
 * any activity (for inputs started by other clients). Pure code: loaded into the workflow sandbox.
 *
 * ```ts
 * const problem = findInputProblem({ statement: 'SELECT 1', pollIntervalMs: 0 });
 * // { field: 'pollIntervalMs', message: 'pollIntervalMs must be a number of milliseconds >= 100, got 0' }
 * ```
 */
import { ApplicationFailure } from '@temporalio/common';
import { SqlFailureType, type SqlQueryInput } from './messages.js';

/** Shortest allowed poll interval: each poll is a warehouse round trip and history events. @format milliseconds */
export const MIN_POLL_INTERVAL_MS = 100;

/** What is wrong with an input: the field (e.g. 'params.n' or 'params[2].value') and why. */
export interface InputProblem {
  field: string;
  message: string;
}

/** Thrown by `startSqlQuery` when its input is invalid; nothing was started. */
export class SqlQueryInputError extends Error {
  override readonly name = 'SqlQueryInputError';
  /** The offending field, e.g. 'pollIntervalMs' or 'params.when'. */
  readonly field: string;
  constructor(problem: InputProblem) {
    super(problem.message);
    this.field = problem.field;
  }
}

const AMBIGUOUS_POLICIES = ['fail', 'resubmit'];
// Same shape as the driver's check: type names are pasted into SQL by the client-side binder.
const TYPE_NAME_PATTERN =
  /^[A-Za-z][A-Za-z0-9_]*(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?$|^(ARRAY|MAP|STRUCT)\s*<[A-Za-z0-9_,:<>\s()]+>$/i;

/**
 * The first problem of `input`, or undefined when it is valid. `fromCaller` also refuses
 * `continuation` (set only by the workflow itself when it continues as new).
 */
export function findInputProblem(input: unknown, fromCaller = false): InputProblem | undefined {
  if (!isPlainObject(input)) return { field: 'input', message: `the input must be an object, got ${describe(input)}` };
  const i = input as Partial<Record<keyof SqlQueryInput, unknown>>;
  if (typeof i.statement !== 'string' || i.statement.trim() === '') {
    return { field: 'statement', message: `statement must be a non-empty string of SQL, got ${describe(i.statement)}` };
  }
  const problem =
    paramsProblem(i.params) ??
    numberProblem('pollIntervalMs', i.pollIntervalMs, MIN_POLL_INTERVAL_MS, 'a number of milliseconds') ??
    numberProblem('pollBackoffFactor', i.pollBackoffFactor, 1, 'a factor') ??
    numberProblem('maxPollIntervalMs', i.maxPollIntervalMs, MIN_POLL_INTERVAL_MS, 'a number of milliseconds') ??
    integerProblem('maxPollsPerRun', i.maxPollsPerRun, 1) ??
    integerProblem('inlineResultLimitBytes', i.inlineResultLimitBytes, 0) ??
    integerProblem('maxActivityAttempts', i.maxActivityAttempts, 1);
  if (problem) return problem;
  if (typeof i.pollIntervalMs === 'number' && typeof i.maxPollIntervalMs === 'number' && i.maxPollIntervalMs < i.pollIntervalMs) {
    return {
      field: 'maxPollIntervalMs',
      message: `maxPollIntervalMs (${i.maxPollIntervalMs}) must not be below pollIntervalMs (${i.pollIntervalMs})`,
    };
  }
  if (i.onAmbiguousSubmit !== undefined && !AMBIGUOUS_POLICIES.includes(i.onAmbiguousSubmit as string)) {
    return {
      field: 'onAmbiguousSubmit',
      message: `onAmbiguousSubmit must be 'fail' or 'resubmit', got ${describe(i.onAmbiguousSubmit)}`,
    };
  }
  if (i.continuation !== undefined && (fromCaller || !isPlainObject(i.continuation))) {
    return { field: 'continuation', message: 'continuation is set by the workflow when it continues as new, not by callers' };
  }
  return undefined;
}

function paramsProblem(params: unknown): InputProblem | undefined {
  if (params === undefined || params === null) return undefined;
  if (Array.isArray(params)) {
    for (let index = 0; index < params.length; index++) {
      const problem = paramProblem(`params[${index}]`, params[index] as unknown);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(params)) {
    return { field: 'params', message: `params must be an object (named) or an array (positional), got ${describe(params)}` };
  }
  for (const [name, value] of Object.entries(params)) {
    const field = `params.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return { field, message: `parameter name ${JSON.stringify(name)} is not usable as :name in SQL` };
    }
    const problem = paramProblem(field, value);
    if (problem) return problem;
  }
  return undefined;
}

/** A parameter must survive JSON unchanged: Temporal stores the input as JSON. */
function paramProblem(field: string, value: unknown): InputProblem | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return undefined;
    return {
      field,
      message: `${field} is ${value}, which JSON cannot carry; pass { type: 'DOUBLE', value: '${value}' }`,
    };
  }
  if (typeof value === 'bigint') {
    return { field, message: `${field} is a bigint, which JSON cannot carry; pass { type: 'BIGINT', value: '${value}' }` };
  }
  if (value instanceof Date) {
    return {
      field,
      message: `${field} is a Date, which JSON would turn into a STRING; pass { type: 'TIMESTAMP', value: '${dateText(value)}' }`,
    };
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return { field, message: `${field} is ${describe(value)}, which JSON would drop; use null for a NULL parameter` };
  }
  if (!isPlainObject(value)) {
    return {
      field,
      message: `${field} has an unsupported value (${describe(value)}); use a string, finite number, boolean, null or { type, value }`,
    };
  }
  const typed = value as Record<string, unknown>;
  const extra = Object.keys(typed).find((key) => key !== 'type' && key !== 'value');
  if (typeof typed.type !== 'string' || !('value' in typed) || extra !== undefined) {
    return { field, message: `${field} must be { type, value } with a SQL type name, got keys ${Object.keys(typed).join(', ')}` };
  }
  if (!TYPE_NAME_PATTERN.test(typed.type.trim())) {
    return { field: `${field}.type`, message: `${field}.type is not a SQL type name: ${JSON.stringify(typed.type)}` };
  }
  const inner = typed.value;
  if (inner === null || typeof inner === 'string' || typeof inner === 'boolean') return undefined;
  if (typeof inner === 'number' && Number.isFinite(inner)) return undefined;
  return {
    field: `${field}.value`,
    message: `${field}.value must be a string, finite number, boolean or null (the value's text), got ${describe(inner)}`,
  };
}

function numberProblem(field: string, value: unknown, min: number, what: string): InputProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return undefined;
  return { field, message: `${field} must be ${what} >= ${min}, got ${describe(value)}` };
}

function integerProblem(field: string, value: unknown, min: number): InputProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return undefined;
  return { field, message: `${field} must be an integer >= ${min}, got ${describe(value)}` };
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'YYYY-MM-DDTHH:MM:SSZ' : date.toISOString();
}

/** A short description of a value for messages; never the whole value (it may be large). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Throws the workflow's non-retryable failure (type `SqlInvalidInput`) for an invalid input. */
export function assertValidInput(input: unknown): void {
  const problem = findInputProblem(input);
  if (problem) {
    throw ApplicationFailure.create({
      type: SqlFailureType.InvalidInput,
      message: `invalid input: ${problem.message}`,
      nonRetryable: true,
      details: [problem],
    });
  }
}
