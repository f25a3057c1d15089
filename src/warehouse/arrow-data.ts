/**
 * Arrow data for Spark types: the Arrow type of each Spark type, building Arrow `Data` from
 * plain cell values, and reading cell values back out of it.
 *
 * Cells are the warehouse's in-between form for values that do not take the raw-copy path
 * (strings, decimals, nested values) and for re-encoding (text forms, column-based sets):
 * BOOLEAN boolean; TINYINT..INT, FLOAT, DOUBLE number; BIGINT bigint; DECIMAL the unscaled
 * bigint; STRING string; BINARY Uint8Array; DATE days since epoch (number); TIMESTAMP
 * microseconds since epoch (bigint); ARRAY Cell[]; MAP [key, value][]; STRUCT Cell[] in field
 * order; NULL null.
 */
import {
  Binary,
  Bool,
  type Data,
  DateDay,
  type DataType,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  makeData,
  Null,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
} from 'apache-arrow';
import type { SparkType } from './types.js';

export type Cell = null | boolean | number | bigint | string | Uint8Array | Cell[] | [Cell, Cell][];

/** The canonical (fully native) Arrow type of a Spark type. */
export function arrowTypeOf(type: SparkType): DataType {
  switch (type.kind) {
    case 'BOOLEAN':
      return new Bool();
    case 'TINYINT':
      return new Int8();
    case 'SMALLINT':
      return new Int16();
    case 'INT':
      return new Int32();
    case 'BIGINT':
      return new Int64();
    case 'FLOAT':
      return new Float32();
    case 'DOUBLE':
      return new Float64();
    case 'STRING':
      return new Utf8();
    case 'BINARY':
      return new Binary();
    case 'DATE':
      return new DateDay();
    case 'TIMESTAMP':
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case 'VOID':
      return new Null();
    case 'DECIMAL':
      return new Decimal(type.scale, type.precision, 128);
    case 'ARRAY':
      return new List(new Field('element', arrowTypeOf(type.element), true));
    case 'MAP':
      return new Map_(new Field('entries', entriesTypeOf(type.key, type.value), false) as Field<never>, false);
    case 'STRUCT':
      return new Struct(type.fields.map((f) => new Field(f.name, arrowTypeOf(f.type), true)));
  }
}

/** A validity bitmap (LSB first) for `cells`, or undefined when none is null. */
function validityOf(cells: readonly Cell[]): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (const cell of cells) if (cell === null) nullCount++;
  if (nullCount === 0) return { bitmap: undefined, nullCount };
  const bitmap = new Uint8Array(Math.ceil(cells.length / 8));
  cells.forEach((cell, i) => {
    if (cell !== null) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { bitmap, nullCount };
}

const encoder = new TextEncoder();

/** Builds Arrow data of type arrowTypeOf(type) from cells. */
export function buildData(type: SparkType, cells: readonly Cell[]): Data {
  const length = cells.length;
  const { bitmap: nullBitmap, nullCount } = validityOf(cells);
  const base = { length, nullCount, nullBitmap };
  switch (type.kind) {
    case 'VOID':
      return makeData({ type: new Null(), length });
    case 'BOOLEAN': {
      const bits = new Uint8Array(Math.ceil(length / 8));
      cells.forEach((cell, i) => {
        if (cell === true) bits[i >> 3]! |= 1 << (i & 7);
      });
      return makeData({ type: new Bool(), ...base, data: bits });
    }
    case 'TINYINT':
      return makeData({ type: new Int8(), ...base, data: Int8Array.from(cells, numberOr0) });
    case 'SMALLINT':
      return makeData({ type: new Int16(), ...base, data: Int16Array.from(cells, numberOr0) });
    case 'INT':
      return makeData({ type: new Int32(), ...base, data: Int32Array.from(cells, numberOr0) });
    case 'DATE':
      return makeData({ type: new DateDay(), ...base, data: Int32Array.from(cells, numberOr0) });
    case 'FLOAT':
      return makeData({ type: new Float32(), ...base, data: Float32Array.from(cells, numberOr0) });
    case 'DOUBLE':
      return makeData({ type: new Float64(), ...base, data: Float64Array.from(cells, numberOr0) });
    case 'BIGINT':
      return makeData({ type: new Int64(), ...base, data: BigInt64Array.from(cells, bigintOr0) });
    case 'TIMESTAMP':
      return makeData({
        type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'),
        ...base,
        data: BigInt64Array.from(cells, bigintOr0),
      });
    case 'DECIMAL': {
      const words = new BigInt64Array(length * 2);
      cells.forEach((cell, i) => {
        const v = typeof cell === 'bigint' ? cell : 0n;
        words[2 * i] = BigInt.asIntN(64, v);
        words[2 * i + 1] = BigInt.asIntN(64, v >> 64n);
      });
      return makeData({
        type: new Decimal(type.scale, type.precision, 128),
        ...base,
        data: new Uint32Array(words.buffer),
      });
    }
    case 'STRING':
    case 'BINARY': {
      const parts = cells.map((cell) =>
        typeof cell === 'string' ? encoder.encode(cell) : cell instanceof Uint8Array ? cell : new Uint8Array(0),
      );
      const valueOffsets = new Int32Array(length + 1);
      let total = 0;
      parts.forEach((part, i) => {
        total += part.length;
        valueOffsets[i + 1] = total;
      });
      const data = new Uint8Array(total);
      parts.forEach((part, i) => data.set(part, valueOffsets[i]));
      return type.kind === 'STRING'
        ? makeData({ type: new Utf8(), ...base, valueOffsets, data })
        : makeData({ type: new Binary(), ...base, valueOffsets, data });
    }
    case 'ARRAY': {
      const { valueOffsets, flat } = flatten(cells as readonly (Cell[] | null)[]);
      const child = buildData(type.element, flat);
      return makeData({ type: arrowTypeOf(type) as List, ...base, valueOffsets, child });
    }
    case 'MAP': {
      const { valueOffsets, flat } = flatten(cells as readonly ([Cell, Cell][] | null)[]);
      const entries = makeData({
        type: entriesTypeOf(type.key, type.value),
        length: flat.length,
        nullCount: 0,
        children: [
          buildData(
            type.key,
            flat.map((e) => e[0]),
          ),
          buildData(
            type.value,
            flat.map((e) => e[1]),
          ),
        ],
      });
      return makeData({ type: arrowTypeOf(type) as Map_, ...base, valueOffsets, child: entries });
    }
    case 'STRUCT': {
      const children = type.fields.map((field, f) =>
        buildData(
          field.type,
          cells.map((cell) => (cell === null ? null : ((cell as Cell[])[f] ?? null))),
        ),
      );
      return makeData({ type: arrowTypeOf(type) as Struct, ...base, children });
    }
  }
}

/** Arrow's map entries: a non-null key and a nullable value. */
function entriesTypeOf(key: SparkType, value: SparkType): Struct {
  return new Struct([new Field('key', arrowTypeOf(key), false), new Field('value', arrowTypeOf(value), true)]);
}

function flatten<T>(lists: readonly (T[] | null)[]): { valueOffsets: Int32Array; flat: T[] } {
  const valueOffsets = new Int32Array(lists.length + 1);
  const flat: T[] = [];
  lists.forEach((list, i) => {
    if (list !== null) flat.push(...list);
    valueOffsets[i + 1] = flat.length;
  });
  return { valueOffsets, flat };
}

function numberOr0(cell: Cell): number {
  return typeof cell === 'number' ? cell : 0;
}

function bigintOr0(cell: Cell): bigint {
  return typeof cell === 'bigint' ? cell : 0n;
}

/** Whether row `index` of `data` holds a value. */
export function isValid(data: Data, index: number): boolean {
  if (data.typeId === 0 /* Null */) return false;
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return true;
  const bit = data.offset + index;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

const decoder = new TextDecoder();

/** Reads the cell at row `index` of canonical Arrow data of Spark type `type`. */
export function readCell(data: Data, index: number, type: SparkType): Cell {
  if (!isValid(data, index)) return null;
  // Arrow's slice() narrows value and offset buffers but only moves `offset` for bitmaps.
  const i = index;
  const values = data.values as ArrayLike<number | bigint> & { subarray?: unknown };
  switch (type.kind) {
    case 'VOID':
      return null;
    case 'BOOLEAN':
      return ((data.values as Uint8Array)[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7))) !== 0;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return values[i] as number;
    case 'BIGINT':
    case 'TIMESTAMP':
      return values[i] as bigint;
    case 'DECIMAL': {
      const words = new BigInt64Array((data.values as Uint32Array).buffer, (data.values as Uint32Array).byteOffset + i * 16, 2);
      return (words[1]! << 64n) | BigInt.asUintN(64, words[0]!);
    }
    case 'STRING':
    case 'BINARY': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = (data.values as Uint8Array).subarray(offsets[i], offsets[i + 1]);
      return type.kind === 'STRING' ? decoder.decode(bytes) : bytes;
    }
    case 'ARRAY': {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0]!;
      const out: Cell[] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) out.push(readCell(child, j, type.element));
      return out;
    }
    case 'MAP': {
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0]!;
      const out: [Cell, Cell][] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        out.push([readCell(entries.children[0]!, j, type.key), readCell(entries.children[1]!, j, type.value)]);
      }
      return out;
    }
    case 'STRUCT':
      // Arrow slices a struct's children along with it, so they take the struct's logical row.
      return type.fields.map((field, f) => readCell(data.children[f]!, index, field.type));
  }
}
