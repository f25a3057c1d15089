/**
 * Row values of a complex column whose element types the server never gave (Spark's Thrift
 * server: a bare ARRAY_TYPE/MAP_TYPE/STRUCT_TYPE and JSON text). The JSON text is read by its
 * JSON types, since nothing else is known:
 *
 * | JSON            | JS value                                                          |
 * |-----------------|-------------------------------------------------------------------|
 * | number          | number; an integer beyond Number.MAX_SAFE_INTEGER as bigint (never rounded) |
 * | string, boolean | string, boolean                                                   |
 * | null            | null                                                              |
 * | array           | array                                                             |
 * | object          | the column's own value: `Map` with string keys for a MAP, plain object for a STRUCT; nested objects are plain objects (JSON cannot tell a map from a struct) |
 *
 * So DECIMALs inside come back as numbers and TIMESTAMPs, DATEs and BINARY as their text.
 */
import { JsonNumber, JsonObject, excerpt, parseHiveJson, type JsonValue } from './hive-json.js';
import { TextValueError } from './hive-text.js';
import { SqlType, type SqlValue } from '../types.js';

const INTEGER = /^-?\d+$/;

/** The value of one cell of an opaque ARRAY, MAP or STRUCT column. */
export function valueOfJsonText(text: string, typeId: SqlType): SqlValue {
  const json = parseHiveJson(text);
  switch (typeId) {
    case SqlType.ARRAY:
      if (!Array.isArray(json)) throw new TextValueError(`'${excerpt(text)}' is not a JSON array`);
      return json.map(plainValue);
    case SqlType.MAP:
      if (!(json instanceof JsonObject)) throw new TextValueError(`'${excerpt(text)}' is not a JSON object`);
      return new Map<SqlValue, SqlValue>(json.entries.map(([key, value]) => [keyText(key), plainValue(value)]));
    case SqlType.STRUCT:
      if (!(json instanceof JsonObject)) throw new TextValueError(`'${excerpt(text)}' is not a JSON object`);
      return objectOf(json);
    default:
      return plainValue(json);
  }
}

function plainValue(json: JsonValue): SqlValue {
  if (json instanceof JsonNumber) return numberOf(json.text);
  if (json instanceof JsonObject) return objectOf(json);
  if (Array.isArray(json)) return json.map(plainValue);
  return json;
}

function objectOf(json: JsonObject): { [field: string]: SqlValue } {
  // fromEntries defines own properties, so a key such as '__proto__' stays a plain key.
  return Object.fromEntries<SqlValue>(json.entries.map(([key, value]) => [keyText(key), plainValue(value)]));
}

function numberOf(text: string): number | bigint {
  const n = Number(text);
  return INTEGER.test(text) && !Number.isSafeInteger(n) ? BigInt(text) : n;
}

/** Keys as strings; Spark writes number keys bare (`{1:"a"}`), kept as their text. */
function keyText(key: JsonValue): string {
  if (typeof key === 'string') return key;
  if (key instanceof JsonNumber) return key.text;
  if (key === null || typeof key === 'boolean') return String(key);
  throw new TextValueError('a JSON object key is itself an array or object');
}
