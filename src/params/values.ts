/**
 * Query parameters: the JS values users pass and the SQL type each one gets.
 *
 * | JS value                         | SQL type                    | sent as text                 |
 * |----------------------------------|-----------------------------|------------------------------|
 * | string                           | STRING                      | the string                   |
 * | number, integer within int32     | INT                         | '42'                         |
 * | number, other safe integer       | BIGINT                      | '5000000000'                 |
 * | number, otherwise                | DOUBLE                      | '1.5', 'NaN', 'Infinity'     |
 * | bigint                           | BIGINT                      | '9007199254740993'           |
 * | boolean                          | BOOLEAN                     | 'true' / 'false'             |
 * | Date                             | TIMESTAMP                   | ISO-8601 in UTC              |
 * | Buffer / Uint8Array              | BINARY                      | the bytes as UTF-8 text (*)  |
 * | null / undefined                 | VOID                        | (no value)                   |
 * | array of one kind above          | ARRAY<that type>            | one argument per element     |
 * | `{ type: 'DECIMAL(10,2)', value }` | the given type            | String(value)                |
 * | `{ type: 'ARRAY<T>', value: [] }`  | ARRAY; MAP<K,V> takes a Map or object; STRUCT<..> an object | typed arguments |
 *
 * (*) Native parameters carry text only, and servers turn text into BINARY as its UTF-8 bytes,
 * so a Buffer that is not valid UTF-8 cannot be sent natively and is rejected (pass it as a hex
 * STRING and `unhex(:p)` in SQL). The client-side binder writes any Buffer exactly, as X'hex'.
 */
import { InvalidArgumentError } from '../errors.js';
import { complexParam, complexTypeOf, inferredArray } from './complex.js';

/** An explicitly typed parameter: the escape hatch when the inferred type is not the one wanted. */
export interface TypedSqlParam {
  /** A Spark SQL type name: 'DECIMAL(10,2)', 'DATE', 'SMALLINT', ... */
  type: string;
  /** Sent as `String(value)`; null for a typed NULL. */
  value: unknown;
}

/** A scalar parameter value. */
type ScalarSqlParam = string | number | bigint | boolean | Date | Buffer | Uint8Array | null | undefined;

/** One parameter value: a scalar, an array of one scalar kind (an ARRAY), or a typed value. */
export type SqlParam = ScalarSqlParam | readonly ScalarSqlParam[] | TypedSqlParam;

/** Named parameters (`:name` in SQL) or positional ones (`?` in SQL). */
export type SqlParams = Readonly<Record<string, SqlParam>> | readonly SqlParam[];

/** A parameter reduced to a SQL type name and its text (undefined text = NULL). */
export interface NormalizedParam {
  type: string;
  text: string | undefined;
  /** The raw bytes of a BINARY value. */
  bytes?: Buffer;
  /** An ARRAY's elements, a MAP's keys and values alternating, a STRUCT's fields in order. */
  elements?: NormalizedParam[];
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
// Type names are pasted into SQL by the client-side binder, so only type-name characters pass.
const TYPE_NAME_PATTERN =
  /^[A-Za-z][A-Za-z0-9_]*(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?$|^(ARRAY|MAP|STRUCT)\s*<[A-Za-z0-9_,:<>\s()]+>$/i;

/** Gives a parameter its SQL type and text; `label` names it in errors (':name' or '?3'). */
export function normalizeParam(value: SqlParam, label: string): NormalizedParam {
  if (value === null || value === undefined) return { type: 'VOID', text: undefined };
  if (typeof value === 'string') return { type: 'STRING', text: value };
  if (typeof value === 'boolean') return { type: 'BOOLEAN', text: value ? 'true' : 'false' };
  if (typeof value === 'bigint') return { type: 'BIGINT', text: value.toString() };
  if (typeof value === 'number') return normalizeNumber(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(label, `parameter ${label} is an invalid Date`);
    return { type: 'TIMESTAMP', text: value.toISOString() };
  }
  if (value instanceof Uint8Array) return binary('BINARY', value);
  if (Array.isArray(value)) return inferredArray(value, label, scalarTyped);
  if (typeof value === 'object' && 'type' in value && 'value' in value) return normalizeTyped(value, label);
  throw new InvalidArgumentError(
    label,
    `parameter ${label} has an unsupported value (${describe(value)}); use string, number, bigint, boolean, Date, Buffer, null or { type, value }`,
  );
}

function normalizeNumber(value: number): NormalizedParam {
  if (Number.isSafeInteger(value)) {
    return { type: value >= INT32_MIN && value <= INT32_MAX ? 'INT' : 'BIGINT', text: String(value) };
  }
  return { type: 'DOUBLE', text: String(value) };
}

function normalizeTyped(param: TypedSqlParam, label: string): NormalizedParam {
  if (typeof param.type !== 'string' || !TYPE_NAME_PATTERN.test(param.type.trim())) {
    throw new InvalidArgumentError(label, `parameter ${label} has an invalid SQL type name: ${JSON.stringify(param.type)}`);
  }
  const complex = complexTypeOf(param.type, label);
  if (complex !== undefined) {
    return param.value === null || param.value === undefined
      ? { type: complex.typeName, text: undefined }
      : complexParam(complex, param.value, label, scalarTyped);
  }
  return scalarTyped(param.type, param.value, label);
}

function scalarTyped(typeName: string, value: unknown, label: string): NormalizedParam {
  const type = typeName.trim().toUpperCase();
  if (value === null || value === undefined) return { type, text: undefined };
  if (value instanceof Date) return { type, text: value.toISOString() };
  if (value instanceof Uint8Array) return binary(type, value);
  if (typeof value === 'object') return { type, text: JSON.stringify(value) };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return { type, text: String(value) };
  }
  throw new InvalidArgumentError(label, `parameter ${label} has an unsupported value (${describe(value)})`);
}

function binary(type: string, value: Uint8Array): NormalizedParam {
  const bytes = Buffer.from(value);
  return { type, text: bytes.toString('utf8'), bytes };
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

/** Whether the parameters are positional. */
export function isPositional(params: SqlParams): params is readonly SqlParam[] {
  return Array.isArray(params);
}
