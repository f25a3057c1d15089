/**
 * Builds canonical Arrow data (arrow-type.ts) from plain JS values, wherever no Arrow buffers
 * can be reused: the driver's column-based sets and values a server sent as text, the
 * warehouse's nested values and columns it re-encodes as text.
 *
 * Input values per canonical Arrow type (null or undefined is a NULL):
 * Bool boolean; Int8/16/32 and Float number; Int64 bigint; Decimal128 bigint (the unscaled
 * value); Utf8 string; Binary Uint8Array; DateDay number (days since 1970-01-01);
 * Timestamp bigint (microseconds since the epoch); List array; Map_ array of [key, value];
 * Struct object keyed by field name; Null anything.
 *
 * arrow-js's own builders are not used because they take timestamps as milliseconds and
 * decimals as word arrays; writing the buffers directly keeps microseconds and is faster.
 */
import { Type, makeData, type Data, type DataType, type List, type Map_, type Struct } from 'apache-arrow';
import { typeOf, arrowTypeName } from './arrow-typing.js';

/** Arrow data of `type` holding `values` (the input forms above). */
export function buildData(type: DataType, values: readonly unknown[]): Data {
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { type, length, nullCount, nullBitmap } as const;
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length } as never);
    case Type.Bool:
      return makeData({ ...base, data: packBits(values) } as never);
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.Decimal:
      return makeData({ ...base, data: fixedWidthValues(type, values) } as never);
    case Type.Utf8:
      return makeData({ ...base, ...utf8Values(values) } as never);
    case Type.Binary:
      return makeData({ ...base, ...binaryValues(values) } as never);
    case Type.List: {
      const { valueOffsets, flat } = flatten(values as ReadonlyArray<readonly unknown[] | null>);
      const child = buildData(typeOf((type as List).children[0]!), flat);
      return makeData({ ...base, valueOffsets, child } as never);
    }
    case Type.Map: {
      const { valueOffsets, flat } = flatten(values as ReadonlyArray<ReadonlyArray<readonly [unknown, unknown]> | null>);
      const entriesType = (type as Map_).children[0]!.type as Struct;
      const keys = buildData(
        typeOf(entriesType.children[0]!),
        flat.map((entry) => entry[0]),
      );
      const items = buildData(
        typeOf(entriesType.children[1]!),
        flat.map((entry) => entry[1]),
      );
      const child = makeData({ type: entriesType, length: flat.length, nullCount: 0, children: [keys, items] });
      return makeData({ ...base, valueOffsets, child } as never);
    }
    case Type.Struct: {
      const objects = values as ReadonlyArray<Record<string, unknown> | null | undefined>;
      const children = (type as Struct).children.map((field) =>
        buildData(
          typeOf(field),
          objects.map((o) => (o == null ? null : o[field.name])),
        ),
      );
      return makeData({ ...base, children } as never);
    }
    default:
      throw new TypeError(`Cannot build Arrow data of type ${arrowTypeName(type)}.`);
  }
}

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  // Arrow allows leaving out the bitmap when nothing is NULL.
  return { nullBitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

function packBits(values: readonly unknown[]): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i] === true) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function fixedWidthValues(type: DataType, values: readonly unknown[]): ArrayBufferView {
  const n = values.length;
  if (type.typeId === Type.Decimal) {
    // Decimal128: two little-endian 64-bit words per value, two's complement.
    const words = new BigUint64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'bigint') continue;
      words[2 * i] = BigInt.asUintN(64, v);
      words[2 * i + 1] = BigInt.asUintN(64, v >> 64n);
    }
    return new Uint32Array(words.buffer);
  }
  const out = new (type.ArrayType as new (n: number) => Record<number, unknown> & ArrayBufferView)(n);
  const zero = typeof out[0] === 'bigint' ? 0n : 0;
  for (let i = 0; i < n; i++) out[i] = values[i] ?? zero;
  return out;
}

function utf8Values(values: readonly unknown[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
    valueOffsets[i + 1] = total;
  }
  const data = Buffer.allocUnsafe(total);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') data.write(v, valueOffsets[i]!, 'utf8');
  }
  return { valueOffsets, data };
}

function binaryValues(values: readonly unknown[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof Uint8Array) total += v.byteLength;
    valueOffsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof Uint8Array) data.set(v, valueOffsets[i]);
  }
  return { valueOffsets, data };
}

function flatten<T>(lists: ReadonlyArray<readonly T[] | null | undefined>): { valueOffsets: Int32Array; flat: T[] } {
  const valueOffsets = new Int32Array(lists.length + 1);
  const flat: T[] = [];
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i];
    if (list != null) for (const item of list) flat.push(item);
    valueOffsets[i + 1] = flat.length;
  }
  return { valueOffsets, flat };
}
