/**
 * Turns DuckDB data chunks into Arrow record batches of the canonical Spark types.
 *
 * Fixed-width columns whose DuckDB storage equals Arrow's (integers, floats, DATE, TIMESTAMP
 * in microseconds) are copied as raw bytes from DuckDB's vectors, validity bitmap included:
 * no JS value per row. Other columns go through cells (see arrow-data.ts).
 */
import {
  DuckDBTypeId,
  type DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBArrayValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
} from '@duckdb/node-api';
import duckdbBindings from '@duckdb/node-bindings';
import { type Data, Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { arrowTypeOf, buildData, type Cell } from './arrow-data.js';
import type { ResultColumn, SparkType } from './types.js';

/** Byte width of DuckDB types stored exactly as Arrow stores their Spark type. */
const RAW_WIDTHS = new Map<DuckDBTypeId, number>([
  [DuckDBTypeId.TINYINT, 1],
  [DuckDBTypeId.SMALLINT, 2],
  [DuckDBTypeId.INTEGER, 4],
  [DuckDBTypeId.BIGINT, 8],
  [DuckDBTypeId.FLOAT, 4],
  [DuckDBTypeId.DOUBLE, 8],
  [DuckDBTypeId.DATE, 4],
  [DuckDBTypeId.TIMESTAMP, 8],
  [DuckDBTypeId.TIMESTAMP_TZ, 8],
]);

/** The canonical Arrow schema of a result. */
export function canonicalSchema(columns: readonly ResultColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowTypeOf(c.sparkType), true)));
}

/** One record batch holding all rows of `chunks`, in order. */
export function chunksToBatch(schema: Schema, columns: readonly ResultColumn[], chunks: readonly DuckDBDataChunk[]): RecordBatch {
  const length = chunks.reduce((n, chunk) => n + chunk.rowCount, 0);
  const children = columns.map((column, index) => {
    const typeId = column.duckdbType.typeId;
    const width = RAW_WIDTHS.get(typeId);
    if (width !== undefined) return rawColumn(column, index, width, chunks, length);
    if (typeId === DuckDBTypeId.VARCHAR || typeId === DuckDBTypeId.BLOB) return rawStringColumn(column, index, chunks, length);
    return buildData(column.sparkType, cellsOf(chunks, index, column));
  });
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

function rawColumn(column: ResultColumn, index: number, width: number, chunks: readonly DuckDBDataChunk[], length: number): Data {
  const bytes = new Uint8Array(length * width);
  const bitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  let row = 0;
  let anyNull = false;
  for (const chunk of chunks) {
    const n = chunk.rowCount;
    if (n === 0) continue;
    const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, index);
    bytes.set(duckdbBindings.vector_get_data(vector, n * width), row * width);
    // DuckDB's validity mask is 64-bit words, LSB first: on little-endian hosts its bytes are
    // an Arrow bitmap. No mask means every row is valid.
    const validity = duckdbBindings.vector_get_validity(vector, Math.ceil(n / 64) * 8);
    if (validity) {
      anyNull = copyBits(validity, n, bitmap, row) || anyNull;
    }
    row += n;
  }
  const data = new (typedArrayOf(column.sparkType))(bytes.buffer, 0, length);
  const nullBitmap = anyNull ? bitmap : undefined;
  return makeData({
    type: arrowTypeOf(column.sparkType),
    length,
    nullCount: anyNull ? -1 : 0, // -1: Arrow counts the bitmap lazily
    nullBitmap,
    data,
  } as Parameters<typeof makeData>[0]);
}

/** Bytes of one DuckDB string_t: a 4-byte length, then 12 inline bytes or a prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_STRING_BYTES = 12;

/**
 * VARCHAR and BLOB columns copied byte for byte into Arrow's offsets and data buffers: short
 * strings straight from the vector, longer ones through their pointer, no JS string made.
 */
function rawStringColumn(column: ResultColumn, index: number, chunks: readonly DuckDBDataChunk[], length: number): Data {
  const valueOffsets = new Int32Array(length + 1);
  const bitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  const parts: { entries: Uint8Array; n: number; at: number }[] = [];
  let row = 0;
  let anyNull = false;
  for (const chunk of chunks) {
    const n = chunk.rowCount;
    if (n === 0) continue;
    const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, index);
    const entries = duckdbBindings.vector_get_data(vector, n * STRING_T_BYTES);
    const validity = duckdbBindings.vector_get_validity(vector, Math.ceil(n / 64) * 8);
    if (validity) anyNull = copyBits(validity, n, bitmap, row) || anyNull;
    const view = new DataView(entries.buffer, entries.byteOffset, n * STRING_T_BYTES);
    for (let i = 0; i < n; i++) {
      const valid = !validity || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
      const bytes = valid ? view.getUint32(i * STRING_T_BYTES, true) : 0;
      valueOffsets[row + i + 1] = valueOffsets[row + i]! + bytes;
    }
    parts.push({ entries, n, at: row });
    row += n;
  }
  const data = new Uint8Array(valueOffsets[length]!);
  for (const { entries, n, at } of parts) {
    for (let i = 0; i < n; i++) {
      const start = valueOffsets[at + i]!;
      const bytes = valueOffsets[at + i + 1]! - start;
      if (bytes === 0) continue;
      const entry = i * STRING_T_BYTES;
      data.set(
        bytes <= INLINE_STRING_BYTES
          ? entries.subarray(entry + 4, entry + 4 + bytes)
          : duckdbBindings.get_data_from_pointer(entries.buffer as ArrayBuffer, entries.byteOffset + entry + 8, bytes),
        start,
      );
    }
  }
  return makeData({
    type: arrowTypeOf(column.sparkType),
    length,
    nullCount: anyNull ? -1 : 0,
    nullBitmap: anyNull ? bitmap : undefined,
    valueOffsets,
    data,
  } as Parameters<typeof makeData>[0]);
}

/** Copies `count` bits into `target` at bit `at`; returns whether any copied bit is 0. */
function copyBits(source: Uint8Array, count: number, target: Uint8Array, at: number): boolean {
  let zero = false;
  if (at % 8 === 0) {
    const whole = count >> 3;
    target.set(source.subarray(0, whole), at >> 3);
    for (let b = 0; b < whole; b++) if (source[b] !== 0xff) zero = true;
    for (let i = whole * 8; i < count; i++) zero = setBit(target, at + i, source, i) || zero;
    return zero;
  }
  for (let i = 0; i < count; i++) zero = setBit(target, at + i, source, i) || zero;
  return zero;
}

function setBit(target: Uint8Array, t: number, source: Uint8Array, s: number): boolean {
  const valid = (source[s >> 3]! & (1 << (s & 7))) !== 0;
  if (!valid) target[t >> 3]! &= ~(1 << (t & 7));
  return !valid;
}

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

function typedArrayOf(type: SparkType): TypedArrayConstructor {
  switch (type.kind) {
    case 'TINYINT':
      return Int8Array;
    case 'SMALLINT':
      return Int16Array;
    case 'INT':
    case 'DATE':
      return Int32Array;
    case 'FLOAT':
      return Float32Array;
    case 'DOUBLE':
      return Float64Array;
    default:
      return BigInt64Array;
  }
}

function cellsOf(chunks: readonly DuckDBDataChunk[], index: number, column: ResultColumn): Cell[] {
  const cells: Cell[] = [];
  for (const chunk of chunks) {
    if (chunk.rowCount === 0) continue;
    for (const value of chunk.getColumnVector(index).toArray()) {
      cells.push(toCell(value, column.duckdbType, column.sparkType));
    }
  }
  return cells;
}

/** The cell for one DuckDB value shown as Spark type `spark`. */
export function toCell(value: DuckDBValue, duck: DuckDBType, spark: SparkType): Cell {
  if (value === null || value === undefined) return null;
  switch (spark.kind) {
    case 'VOID':
      return null;
    case 'BOOLEAN':
      return value === true;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
      return Number(value);
    case 'BIGINT':
      return BigInt(value as number | bigint);
    case 'DECIMAL':
      return value instanceof DuckDBDecimalValue ? value.value : BigInt(value as number | bigint);
    case 'BINARY':
      return value instanceof DuckDBBlobValue ? value.bytes : new Uint8Array(0);
    case 'DATE':
      return value instanceof DuckDBDateValue ? value.days : null;
    case 'TIMESTAMP':
      return timestampMicros(value);
    case 'ARRAY': {
      const items = value instanceof DuckDBListValue || value instanceof DuckDBArrayValue ? value.items : [];
      const elementDuck = (duck as unknown as { valueType: DuckDBType }).valueType;
      return items.map((item) => toCell(item, elementDuck, spark.element));
    }
    case 'MAP': {
      const mapDuck = duck as unknown as { keyType: DuckDBType; valueType: DuckDBType };
      const entries = value instanceof DuckDBMapValue ? value.entries : [];
      return entries.map((e): [Cell, Cell] => [
        toCell(e.key, mapDuck.keyType, spark.key),
        toCell(e.value, mapDuck.valueType, spark.value),
      ]);
    }
    case 'STRUCT': {
      const structDuck = duck as unknown as { entryTypes: readonly DuckDBType[] };
      const entries = value instanceof DuckDBStructValue ? value.entries : {};
      return spark.fields.map((field, f) => toCell(entries[field.name] ?? null, structDuck.entryTypes[f]!, field.type));
    }
    case 'STRING':
      return typeof value === 'string' ? value : String(value);
  }
}

function timestampMicros(value: DuckDBValue): bigint | null {
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return value.micros;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * 1_000_000n;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis * 1_000n;
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos / 1_000n;
  return null;
}
