/**
 * Turns a value in some wire form (text, parsed nested text, or a JS value read from a
 * non-canonical Arrow column) into the input form buildData expects for the canonical type
 * (see src/spark-types/arrow-build.ts). This is the slow, general path: the common cases never come here.
 */
import { JsonNumber, JsonObject, parseHiveJson } from './hive-json.js';
import { TextValueError, parseDate, parseDecimal, parseTimestamp } from './hive-text.js';
import { isOpaqueComplex } from '../../spark-types/index.js';
import { SqlType, type SqlTypeDesc } from '../types.js';

const MS_PER_DAY = 86_400_000;

export function coerceValue(value: unknown, type: SqlTypeDesc): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof JsonNumber) value = value.text;
  if (isOpaqueComplex(type)) {
    // No element types to convert to: only the text form can be kept (see src/spark-types/arrow-type.ts).
    if (typeof value === 'string') return value;
    throw new TextValueError(`a ${type.typeName} without element types can only be read from its JSON text`);
  }
  switch (type.typeId) {
    case SqlType.NULL:
      return null;
    case SqlType.BOOLEAN:
      return typeof value === 'string' ? parseBoolean(value) : Boolean(value);
    case SqlType.TINYINT:
    case SqlType.SMALLINT:
    case SqlType.INT:
    case SqlType.FLOAT:
    case SqlType.DOUBLE:
      return typeof value === 'string' ? parseNumber(value, type) : Number(value);
    case SqlType.BIGINT:
      return toBigInt(value);
    case SqlType.DECIMAL:
      return toUnscaled(value, type.scale ?? 0);
    case SqlType.STRING:
    case SqlType.INTERVAL:
      return typeof value === 'string' ? value : String(value);
    case SqlType.BINARY:
      // Only nested BINARY arrives as text, base64 as Spark's to_json writes it.
      return value instanceof Uint8Array ? value : Buffer.from(String(value), 'base64');
    case SqlType.DATE:
      if (value instanceof Date) return Math.floor(value.getTime() / MS_PER_DAY);
      return typeof value === 'number' ? value : parseDate(String(value));
    case SqlType.TIMESTAMP:
      if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
      return typeof value === 'bigint' ? value : parseTimestamp(String(value));
    case SqlType.ARRAY:
      return listOf(nested(value), type);
    case SqlType.MAP:
      return entriesOf(nested(value), type).map(([k, v]) => [coerceValue(k, type.key!), coerceValue(v, type.value!)]);
    case SqlType.STRUCT:
      return structOf(nested(value), type);
  }
}

/** Nested values may arrive as their text (the JSON form). */
function nested(value: unknown): unknown {
  return typeof value === 'string' ? parseHiveJson(value) : value;
}

function listOf(value: unknown, type: SqlTypeDesc): unknown[] {
  if (!Array.isArray(value)) throw new TextValueError(`expected an array for ${type.typeName}`);
  return value.map((item) => coerceValue(item, type.element!));
}

function entriesOf(value: unknown, type: SqlTypeDesc): ReadonlyArray<readonly [unknown, unknown]> {
  if (value instanceof JsonObject) return value.entries;
  if (value instanceof Map) return [...value.entries()];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value);
  throw new TextValueError(`expected an object for ${type.typeName}`);
}

function structOf(value: unknown, type: SqlTypeDesc): Record<string, unknown> {
  const byName = new Map<unknown, unknown>(entriesOf(value, type));
  const out: Record<string, unknown> = {};
  for (const field of type.fields ?? []) out[field.name] = coerceValue(byName.get(field.name), field.type);
  return out;
}

function parseBoolean(text: string): boolean {
  const lower = text.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new TextValueError(`'${text}' is not a boolean`);
}

function parseNumber(text: string, type: SqlTypeDesc): number {
  const n = Number(text);
  const special = /^\s*[+-]?(NaN|Infinity)\s*$/.test(text);
  if (text.trim() === '' || (Number.isNaN(n) && !special)) throw new TextValueError(`'${text}' is not a ${type.typeName}`);
  return n;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  try {
    return BigInt(String(value).trim());
  } catch {
    throw new TextValueError(`'${String(value)}' is not a BIGINT`);
  }
}

function toUnscaled(value: unknown, scale: number): bigint {
  if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
  return parseDecimal(String(value), scale);
}
