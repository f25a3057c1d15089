/**
 * Arrow record batches to plain JS rows.
 *
 * JS type of each SQL type in a row:
 *
 * | SQL type                 | JS value                                                   |
 * |--------------------------|------------------------------------------------------------|
 * | BOOLEAN                  | boolean                                                    |
 * | TINYINT, SMALLINT, INT   | number                                                     |
 * | BIGINT                   | bigint                                                     |
 * | FLOAT, DOUBLE            | number (FLOAT widened from 32 bits, e.g. 1.1 -> 1.100000023841858) |
 * | DECIMAL(p,s)             | string, exact, with exactly s decimals ('12.30', '-0.05', '42') |
 * | STRING                   | string                                                     |
 * | BINARY                   | Buffer (a copy, safe to keep)                              |
 * | DATE                     | string 'YYYY-MM-DD'                                        |
 * | TIMESTAMP                | Date (millisecond precision: microseconds are truncated toward the past; the Arrow table keeps them) |
 * | ARRAY<T>                 | array of T's values                                        |
 * | MAP<K,V>                 | Map from K's values to V's values                          |
 * | STRUCT<...>              | plain object keyed by field name                           |
 * | ARRAY, MAP, STRUCT (no element types, Spark's Thrift server) | array, Map with string keys, plain object, read from the JSON text by JSON types (text/json-values.ts) |
 * | VOID (NULL)              | null                                                       |
 * | INTERVAL                 | string, as the server wrote it                             |
 * | any NULL value           | null                                                       |
 *
 * Nested values follow the same rules. Rows are keyed by column name; when two columns share a
 * name the later one wins (use the Arrow table to see both).
 *
 * Rows are made one at a time straight from the Arrow buffers (no intermediate array per
 * column for the scalar types), in one shape per column list (row-shape.ts).
 */
import { Type, TimeUnit, type Data, type DataType, type Decimal, type RecordBatch, type Timestamp } from 'apache-arrow';
import { arrowTypeName, formatDate, formatDecimal } from '../../spark-types/index.js';
import { ResultDecodeError } from '../errors.js';
import { valueOfJsonText } from '../text/json-values.js';
import { SqlType, type ColumnInfo, type Row, type SqlValue } from '../types.js';
import { rowMaker, type CellReader } from './row-shape.js';

const MS_PER_DAY = 86_400_000;
/** Microsecond counts within this bound convert exactly through a double. */
const SAFE_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

export function batchToRows(batch: RecordBatch, columns: readonly ColumnInfo[]): Row[] {
  const rows: Row[] = [];
  const read = rowReader(batch, columns);
  for (let i = 0; i < batch.numRows; i++) rows.push(read(i));
  return rows;
}

/**
 * The function that makes row `i` of `batch`, on demand: each row made once, in a shape shared
 * by the whole result, its cells read straight from the Arrow buffers. Rows made one at a time
 * and dropped by the caller die young, which costs the garbage collector far less than a whole
 * batch of rows held at once.
 */
export function rowReader(batch: RecordBatch, columns: readonly ColumnInfo[]): (i: number) => Row {
  const fields = batch.data.children;
  if (fields.length !== columns.length) {
    throw new ResultDecodeError(`The batch has ${fields.length} columns but ${columns.length} were described.`);
  }
  return rowMaker(columns.map((column) => column.name))(columns.map((column, c) => cellReader(fields[c]!, column)));
}

const COMPLEX = new Set([SqlType.ARRAY, SqlType.MAP, SqlType.STRUCT]);

function columnValues(data: Data, column: ColumnInfo): SqlValue[] {
  const values = dataToValues(data);
  // A complex column held as Utf8 is one whose element types are unknown: JSON text.
  if (!COMPLEX.has(column.typeId) || data.type.typeId !== Type.Utf8) return values;
  return values.map((text) => {
    if (text === null) return null;
    try {
      return valueOfJsonText(text as string, column.typeId);
    } catch (error) {
      throw new ResultDecodeError(`Cannot read column '${column.name}' (${column.typeName}): ${(error as Error).message}.`, {
        cause: error,
        column: column.name,
      });
    }
  });
}

/**
 * Reads one column's cells by row index, for the scalar types without an intermediate array:
 * a timestamp's or decimal's 64-bit words read as two 32-bit halves (no bigint per cell where
 * a double holds the value exactly). Other types read from `columnValues`.
 */
function cellReader(data: Data, column: ColumnInfo): CellReader {
  const read = scalarReader(data, column);
  if (!read) {
    const values = columnValues(data, column);
    return (i) => values[i]!;
  }
  if (data.nullCount === 0 || data.typeId === Type.Null) return read;
  const bitmap = data.nullBitmap;
  const offset = data.offset;
  return (i) => ((bitmap[(offset + i) >> 3]! & (1 << ((offset + i) & 7))) === 0 ? null : read(i));
}

/** 2^32, and the high word bound within which a 64-bit integer is exact as a double. */
const WORD = 4_294_967_296;
const SAFE_HIGH = 2 ** 21;

function scalarReader(data: Data, column: ColumnInfo): CellReader | undefined {
  const type: DataType = data.type;
  switch (type.typeId) {
    case Type.Null:
      return () => null;
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return (i) => (bits[(offset + i) >> 3]! & (1 << ((offset + i) & 7))) !== 0;
    }
    case Type.Int:
    case Type.Float: {
      // Typed arrays of numbers or bigints: Int64 gives a bigint, as the row type says.
      const values = data.values as ArrayLike<number>;
      return (i) => values[i]!;
    }
    case Type.Utf8: {
      if (COMPLEX.has(column.typeId)) return undefined; // JSON text of a complex value
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return (i) => buffer.toString('utf8', offsets[i], offsets[i + 1]);
    }
    case Type.Decimal:
      return decimalReader(data as Data<Decimal>);
    case Type.Timestamp:
      return timestampReader(data as Data<Timestamp>);
    default:
      return undefined;
  }
}

function decimalReader(data: Data<Decimal>): CellReader {
  const { scale, bitWidth } = data.type;
  if (bitWidth !== 128) throw new ResultDecodeError(`Decimal${bitWidth} is not supported; expected Decimal128.`);
  const words = new Int32Array(data.values.buffer, data.values.byteOffset, data.length * 4);
  const wide = new BigUint64Array(data.values.buffer, data.values.byteOffset, data.length * 2);
  return (i) => {
    const low = words[4 * i]!;
    const high = words[4 * i + 1]!;
    const upper = words[4 * i + 2]!;
    // The upper 64 bits only extend the sign, and the lower 64 fit a double exactly.
    if (upper === (high < 0 ? -1 : 0) && words[4 * i + 3] === upper && high < SAFE_HIGH && high >= -SAFE_HIGH) {
      return formatDecimalNumber(high * WORD + (low >>> 0), scale);
    }
    return formatDecimal((BigInt.asIntN(64, wide[2 * i + 1]!) << 64n) | wide[2 * i]!, scale);
  };
}

/** formatDecimal of an unscaled value a double holds exactly. */
function formatDecimalNumber(unscaled: number, scale: number): string {
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled);
  if (scale === 0) return negative ? '-' + digits : digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0');
  const text = padded.slice(0, padded.length - scale) + '.' + padded.slice(padded.length - scale);
  return negative ? '-' + text : text;
}

function timestampReader(data: Data<Timestamp>): CellReader {
  const ticks = data.values;
  const words = new Int32Array(ticks.buffer, ticks.byteOffset, data.length * 2);
  const perMs = TICKS_PER_MS[data.type.unit];
  return (i) => {
    const high = words[2 * i + 1]!;
    if (high < SAFE_HIGH && high >= -SAFE_HIGH) return new Date(Math.floor((high * WORD + (words[2 * i]! >>> 0)) / perMs));
    const t = ticks[i]!;
    return new Date(perMs <= 1 ? Math.floor(Number(t) / perMs) : Number(floorDiv(t, BigInt(perMs))));
  };
}

/** The JS values of every slot of an Arrow column (NULLs as null). */
export function dataToValues(data: Data): SqlValue[] {
  return applyValidity(data, nonNullValues(data));
}

/** Sets to null the slots of `values` that are NULL in `data`; returns `values`. */
export function applyValidity<T>(data: Data, values: Array<T | null>): Array<T | null> {
  if (data.nullCount > 0 && data.typeId !== Type.Null) {
    const bitmap = data.nullBitmap;
    for (let i = 0, bit = data.offset; i < data.length; i++, bit++) {
      if ((bitmap[bit >> 3]! & (1 << (bit & 7))) === 0) values[i] = null;
    }
  }
  return values;
}

/** Values of every slot, reading NULL slots as whatever garbage they hold (fixed by caller). */
function nonNullValues(data: Data): SqlValue[] {
  const n = data.length;
  const type: DataType = data.type;
  switch (type.typeId) {
    case Type.Null:
      return new Array<SqlValue>(n).fill(null);
    case Type.Bool: {
      const out = new Array<SqlValue>(n);
      const bits = data.values as Uint8Array;
      for (let i = 0, bit = data.offset; i < n; i++, bit++) out[i] = (bits[bit >> 3]! & (1 << (bit & 7))) !== 0;
      return out;
    }
    case Type.Int:
    case Type.Float:
      // Typed arrays of numbers or bigints: Int64 gives bigint directly.
      return Array.from((data.values as { subarray(begin: number, end: number): ArrayLike<number> }).subarray(0, n));
    case Type.Decimal:
      return decimals(data as Data<Decimal>);
    case Type.Utf8:
      return strings(data);
    case Type.Binary:
      return binaries(data);
    case Type.Date:
      return dates(data);
    case Type.Timestamp:
      return timestamps(data as Data<Timestamp>);
    case Type.List:
      return lists(data);
    case Type.Map:
      return maps(data);
    case Type.Struct:
      return structs(data);
    default:
      throw new ResultDecodeError(`Arrow type ${arrowTypeName(type)} has no JS row value.`);
  }
}

function decimals(data: Data<Decimal>): SqlValue[] {
  const { scale, bitWidth } = data.type;
  if (bitWidth !== 128) throw new ResultDecodeError(`Decimal${bitWidth} is not supported; expected Decimal128.`);
  const words = new BigUint64Array(data.values.buffer, data.values.byteOffset, data.length * 2);
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) {
    const unscaled = (BigInt.asIntN(64, words[2 * i + 1]!) << 64n) | words[2 * i]!;
    out[i] = formatDecimal(unscaled, scale);
  }
  return out;
}

function strings(data: Data): SqlValue[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = buffer.toString('utf8', offsets[i], offsets[i + 1]);
  return out;
}

function binaries(data: Data): SqlValue[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Buffer.from(bytes.subarray(offsets[i], offsets[i + 1]));
  return out;
}

function dates(data: Data): SqlValue[] {
  const out = new Array<SqlValue>(data.length);
  if (data.type.typeId === Type.DateDay || (data.type as { unit?: number }).unit === 0) {
    const days = data.values as Int32Array;
    for (let i = 0; i < data.length; i++) out[i] = formatDate(days[i]!);
  } else {
    const ms = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++) out[i] = formatDate(Math.floor(Number(ms[i]) / MS_PER_DAY));
  }
  return out;
}

const TICKS_PER_MS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 1 / 1000,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 1000,
  [TimeUnit.NANOSECOND]: 1_000_000,
};

function timestamps(data: Data<Timestamp>): SqlValue[] {
  const ticks = data.values;
  const perMs = TICKS_PER_MS[data.type.unit];
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) {
    const t = ticks[i]!;
    // Beyond 2^53 ticks a double would round; divide as bigints (flooring) instead.
    const ms =
      perMs <= 1 || (t <= SAFE_MICROS && t >= -SAFE_MICROS) ? Math.floor(Number(t) / perMs) : Number(floorDiv(t, BigInt(perMs)));
    out[i] = new Date(ms);
  }
  return out;
}

/** `a / b` rounded toward negative infinity (bigint division truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function lists(data: Data): SqlValue[] {
  const offsets = data.valueOffsets as Int32Array;
  const items = dataToValues(data.children[0]!);
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = items.slice(offsets[i], offsets[i + 1]);
  return out;
}

function maps(data: Data): SqlValue[] {
  const offsets = data.valueOffsets as Int32Array;
  const entries = data.children[0]!;
  // arrow-js slices a struct's children along with it, so they line up with the offsets.
  const keys = dataToValues(entries.children[0]!);
  const items = dataToValues(entries.children[1]!);
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) {
    const map = new Map<SqlValue, SqlValue>();
    for (let j = offsets[i]!; j < offsets[i + 1]!; j++) map.set(keys[j]!, items[j]!);
    out[i] = map;
  }
  return out;
}

function structs(data: Data): SqlValue[] {
  const fields = (data.type.children ?? []) as Array<{ name: string }>;
  const columns = data.children.map((child) => dataToValues(child));
  const out = new Array<SqlValue>(data.length);
  for (let i = 0; i < data.length; i++) {
    const object: { [field: string]: SqlValue } = {};
    for (let f = 0; f < fields.length; f++) object[fields[f]!.name] = columns[f]![i]!;
    out[i] = object;
  }
  return out;
}
