/**
 * Encodes driver rows as JSON that Temporal's payload converter keeps intact (JSON.stringify
 * would throw on bigint, turn a Buffer into `{type,data}`, a Map into `{}` and NaN into null).
 * The rule, one per JS type, whatever the column (see `JsonValue` in workflows/messages.ts):
 * bigint -> decimal string (always, so a BIGINT column has one JSON type); Buffer -> base64;
 * Date -> ISO 8601 UTC string; Map -> array of `{ key, value }` (keys may be non-strings);
 * NaN / ±Infinity -> 'NaN' / 'Infinity' / '-Infinity'; arrays and objects recursively.
 */
import type { JsonColumn, JsonRow, JsonValue } from '../workflows/messages.js';

export function toJsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    default:
      break;
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) {
    return [...value.entries()].map(([key, entry]) => ({ key: toJsonValue(key), value: toJsonValue(entry) }));
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJsonValue(entry)]));
  }
  throw new TypeError(`cannot encode a value of type ${typeof value} as JSON`);
}

export function toJsonRow(row: Record<string, unknown>): JsonRow {
  const out: JsonRow = {};
  for (const [key, value] of Object.entries(row)) out[key] = toJsonValue(value);
  return out;
}

export function toJsonColumns(columns: ReadonlyArray<{ name: string; typeName: string }>): JsonColumn[] {
  return columns.map(({ name, typeName }) => ({ name, typeName }));
}
