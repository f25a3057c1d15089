/**
 * Arrow data copied straight from DuckDB's vector memory, for the column types whose DuckDB
 * layout maps onto Arrow's byte for byte or nearly: integers, floats, DATE, TIMESTAMP (µs),
 * BOOLEAN (bytes to bits), DECIMAL and HUGEINT (widened to 128 bits), VARCHAR and BLOB.
 * No JS value is made per row.
 *
 * DuckDB's validity mask is 64-bit words, least significant bit first: on a little-endian
 * host its bytes are an Arrow validity bitmap. No mask means every row is valid.
 */
import { DuckDBTypeId, type DuckDBDataChunk } from '@duckdb/node-api';
import duckdbBindings from '@duckdb/node-bindings';
import { type Data, makeData } from 'apache-arrow';
import { arrowTypeOf } from '../../spark-types/index.js';
import type { ResultColumn } from '../types.js';

/** Byte width of DuckDB types stored exactly as Arrow stores their Spark type. */
const SAME_LAYOUT_WIDTHS = new Map<DuckDBTypeId, number>([
  [DuckDBTypeId.TINYINT, 1],
  [DuckDBTypeId.SMALLINT, 2],
  [DuckDBTypeId.INTEGER, 4],
  [DuckDBTypeId.BIGINT, 8],
  [DuckDBTypeId.FLOAT, 4],
  [DuckDBTypeId.DOUBLE, 8],
  [DuckDBTypeId.DATE, 4],
  [DuckDBTypeId.TIMESTAMP, 8],
  [DuckDBTypeId.TIMESTAMP_TZ, 8],
  // hugeint_t is {uint64 lower, int64 upper}: little-endian 128-bit two's complement, as Decimal128.
  [DuckDBTypeId.HUGEINT, 16],
]);

/** Bytes of one DuckDB string_t: a 4-byte length, then 12 inline bytes or a prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_STRING_BYTES = 12;

/** One chunk's vector: its data bytes (valid while the chunk lives), row count and first row. */
interface Piece {
  readonly bytes: Uint8Array;
  readonly validity: Uint8Array | null;
  readonly n: number;
  readonly row: number;
}

interface Gathered {
  readonly pieces: Piece[];
  /** Arrow validity bitmap of all rows, undefined when none is null. */
  readonly nullBitmap: Uint8Array | undefined;
}

/** Arrow data for column `index` of `chunks`, or undefined when its type has no raw path. */
export function copyVectors(
  column: ResultColumn,
  index: number,
  chunks: readonly DuckDBDataChunk[],
  length: number,
): Data | undefined {
  const type = column.duckdbType;
  const same = SAME_LAYOUT_WIDTHS.get(type.typeId);
  const base = (gathered: Gathered) => ({
    type: arrowTypeOf(column.sparkType),
    length,
    nullCount: gathered.nullBitmap ? -1 : 0, // -1: Arrow counts the bitmap when asked
    nullBitmap: gathered.nullBitmap,
  });
  if (same !== undefined) {
    const gathered = gather(chunks, index, same, length);
    const bytes = new Uint8Array(length * same);
    for (const piece of gathered.pieces) bytes.set(piece.bytes, piece.row * same);
    return make({ ...base(gathered), data: typedView(type.typeId, bytes, length) });
  }
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    const width = decimalStorageBytes(type.width);
    const gathered = gather(chunks, index, width, length);
    return make({ ...base(gathered), data: widenDecimals(gathered.pieces, width, length) });
  }
  if (type.typeId === DuckDBTypeId.BOOLEAN) {
    const gathered = gather(chunks, index, 1, length);
    const bits = new Uint8Array(Math.ceil(length / 8));
    for (const { bytes, n, row } of gathered.pieces) {
      for (let i = 0; i < n; i++) if (bytes[i]) bits[(row + i) >> 3]! |= 1 << ((row + i) & 7);
    }
    return make({ ...base(gathered), data: bits });
  }
  if (type.typeId === DuckDBTypeId.VARCHAR || type.typeId === DuckDBTypeId.BLOB) {
    const gathered = gather(chunks, index, STRING_T_BYTES, length);
    return make({ ...base(gathered), ...copyStrings(gathered.pieces, length) });
  }
  return undefined;
}

function make(props: Record<string, unknown>): Data {
  return makeData(props as unknown as Parameters<typeof makeData>[0]);
}

function gather(chunks: readonly DuckDBDataChunk[], index: number, width: number, length: number): Gathered {
  const pieces: Piece[] = [];
  const bitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  let anyNull = false;
  let row = 0;
  for (const chunk of chunks) {
    const n = chunk.rowCount;
    if (n === 0) continue;
    const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, index);
    const bytes = duckdbBindings.vector_get_data(vector, n * width);
    const validity = duckdbBindings.vector_get_validity(vector, Math.ceil(n / 64) * 8) ?? null;
    if (validity) anyNull = copyBits(validity, n, bitmap, row) || anyNull;
    pieces.push({ bytes, validity, n, row });
    row += n;
  }
  return { pieces, nullBitmap: anyNull ? bitmap : undefined };
}

/** Copies `count` bits into `target` at bit `at`; returns whether any copied bit is 0. */
function copyBits(source: Uint8Array, count: number, target: Uint8Array, at: number): boolean {
  let zero = false;
  let i = 0;
  if (at % 8 === 0) {
    const whole = count >> 3;
    target.set(source.subarray(0, whole), at >> 3);
    for (let b = 0; b < whole; b++) if (source[b] !== 0xff) zero = true;
    i = whole * 8;
  }
  for (; i < count; i++) {
    if ((source[i >> 3]! & (1 << (i & 7))) === 0) {
      target[(at + i) >> 3]! &= ~(1 << ((at + i) & 7));
      zero = true;
    }
  }
  return zero;
}

function typedView(typeId: DuckDBTypeId, bytes: Uint8Array, length: number): ArrayBufferView {
  switch (typeId) {
    case DuckDBTypeId.TINYINT:
      return new Int8Array(bytes.buffer, 0, length);
    case DuckDBTypeId.SMALLINT:
      return new Int16Array(bytes.buffer, 0, length);
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.DATE:
      return new Int32Array(bytes.buffer, 0, length);
    case DuckDBTypeId.FLOAT:
      return new Float32Array(bytes.buffer, 0, length);
    case DuckDBTypeId.DOUBLE:
      return new Float64Array(bytes.buffer, 0, length);
    case DuckDBTypeId.HUGEINT:
      return new Uint32Array(bytes.buffer, 0, length * 4);
    default:
      return new BigInt64Array(bytes.buffer, 0, length);
  }
}

/** How DuckDB stores a DECIMAL of this precision: int16, int32, int64 or int128. */
function decimalStorageBytes(precision: number): number {
  return precision <= 4 ? 2 : precision <= 9 ? 4 : precision <= 18 ? 8 : 16;
}

/** Sign-extends DuckDB's decimal integers to Arrow's 128-bit little-endian words. */
function widenDecimals(pieces: readonly Piece[], width: number, length: number): Uint32Array {
  const words = new Int32Array(length * 4);
  for (const { bytes, n, row } of pieces) {
    if (width === 16) {
      words.set(new Int32Array(bytes.slice().buffer, 0, n * 4), row * 4);
      continue;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, n * width);
    for (let i = 0; i < n; i++) {
      const at = (row + i) * 4;
      const low = width === 2 ? view.getInt16(i * 2, true) : view.getInt32(i * width, true);
      const high = width === 8 ? view.getInt32(i * 8 + 4, true) : low < 0 ? -1 : 0;
      const sign = high < 0 ? -1 : 0;
      words[at] = low;
      words[at + 1] = high;
      words[at + 2] = sign;
      words[at + 3] = sign;
    }
  }
  return new Uint32Array(words.buffer);
}

/** Arrow offsets and bytes of string_t entries: short strings inline, longer ones by pointer. */
function copyStrings(pieces: readonly Piece[], length: number): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(length + 1);
  for (const { bytes, validity, n, row } of pieces) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, n * STRING_T_BYTES);
    for (let i = 0; i < n; i++) {
      const valid = !validity || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
      valueOffsets[row + i + 1] = valueOffsets[row + i]! + (valid ? view.getUint32(i * STRING_T_BYTES, true) : 0);
    }
  }
  const data = new Uint8Array(valueOffsets[length]!);
  for (const { bytes, n, row } of pieces) {
    for (let i = 0; i < n; i++) {
      const start = valueOffsets[row + i]!;
      const size = valueOffsets[row + i + 1]! - start;
      if (size === 0) continue;
      const entry = i * STRING_T_BYTES;
      if (size <= INLINE_STRING_BYTES) {
        // Byte by byte: a view per short string made a million objects per million rows for GC.
        for (let b = 0; b < size; b++) data[start + b] = bytes[entry + 4 + b]!;
      } else {
        data.set(duckdbBindings.get_data_from_pointer(bytes.buffer as ArrayBuffer, bytes.byteOffset + entry + 8, size), start);
      }
    }
  }
  return { valueOffsets, data };
}
