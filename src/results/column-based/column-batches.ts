/**
 * Column-based row sets (the HiveServer2 form) to canonical Arrow record batches.
 *
 * Each TColumn holds one typed list of values plus a NULL bitmap (bit set = NULL, least
 * significant bit first, possibly shorter than the column when the tail has no NULLs).
 * DECIMAL, DATE, TIMESTAMP, INTERVAL and nested types arrive as text in stringVal; nested
 * types without element types (Spark's bare ARRAY_TYPE) stay that JSON text.
 */
import { RecordBatch, Struct, makeData, type Schema } from 'apache-arrow';
import type { TColumn } from '../../thrift/index.js';
import { buildData, typeOf } from '../../spark-types/index.js';
import { coerceValue } from '../text/coerce.js';
import { ResultDecodeError } from '../errors.js';
import { isOpaqueComplex } from '../../spark-types/index.js';
import { SqlType, type ColumnInfo, type SqlTypeDesc } from '../types.js';

/** The shape of node-int64's Int64 that we rely on: 8 big-endian bytes at an offset. */
interface WireInt64 {
  buffer: Buffer;
  offset: number;
}

/**
 * One record batch with the canonical `schema`, or none when the row set is empty.
 * `types[i]` is the full type of `columns[i]`.
 */
export function decodeColumnBatch(
  wireColumns: readonly TColumn[],
  columns: readonly ColumnInfo[],
  types: readonly SqlTypeDesc[],
  schema: Schema,
): RecordBatch[] {
  if (wireColumns.length !== columns.length) {
    throw new ResultDecodeError(`The row set has ${wireColumns.length} columns but the result schema has ${columns.length}.`);
  }
  if (columns.length === 0) return []; // no columns: a column-based set cannot say how many rows
  const children = wireColumns.map((wire, i) => {
    const column = columns[i]!;
    const values = readColumn(wire, column);
    try {
      return buildData(typeOf(schema.fields[i]!), convert(values, types[i]!));
    } catch (error) {
      throw new ResultDecodeError(`Cannot decode column '${column.name}' (${column.typeName}): ${(error as Error).message}.`, {
        cause: error,
        column: column.name,
      });
    }
  });
  const length = children[0]!.length;
  const uneven = children.findIndex((c) => c.length !== length);
  if (uneven >= 0) {
    throw new ResultDecodeError(
      `Column '${columns[uneven]!.name}' has ${children[uneven]!.length} values but column ` +
        `'${columns[0]!.name}' has ${length}.`,
    );
  }
  if (length === 0) return [];
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return [new RecordBatch(schema, data)];
}

/** The values of one wire column as JS values, NULLs as null. */
function readColumn(wire: TColumn, column: ColumnInfo): unknown[] {
  const typed = wire.boolVal ?? wire.byteVal ?? wire.i16Val ?? wire.i32Val ?? wire.doubleVal ?? wire.stringVal ?? wire.binaryVal;
  let values: unknown[];
  let nulls: Buffer | undefined;
  if (wire.i64Val) {
    nulls = wire.i64Val.nulls;
    values = int64sToBigInts(wire.i64Val.values);
  } else if (typed) {
    nulls = typed.nulls;
    values = typed.values.slice();
  } else {
    throw new ResultDecodeError(`Column '${column.name}' carries no values (an empty TColumn).`);
  }
  applyNulls(values, nulls);
  return values;
}

function int64sToBigInts(values: ReadonlyArray<WireInt64 | number | bigint>): bigint[] {
  const out = new Array<bigint>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // The Thrift reader gives Int64 objects; hand-built row sets may hold plain numbers.
    out[i] = typeof v === 'object' ? v.buffer.readBigInt64BE(v.offset) : BigInt(v);
  }
  return out;
}

function applyNulls(values: unknown[], nulls: Buffer | undefined): void {
  if (!nulls) return;
  const bytes = Math.min(nulls.length, (values.length + 7) >> 3);
  for (let b = 0; b < bytes; b++) {
    const byte = nulls[b]!;
    if (byte === 0) continue;
    for (let bit = 0, i = b * 8; bit < 8 && i < values.length; bit++, i++) if (byte & (1 << bit)) values[i] = null;
  }
}

/** The types whose wire values are already what buildData takes. */
const AS_IS = new Set([
  SqlType.BOOLEAN,
  SqlType.TINYINT,
  SqlType.SMALLINT,
  SqlType.INT,
  SqlType.BIGINT,
  SqlType.FLOAT,
  SqlType.DOUBLE,
  SqlType.STRING,
  SqlType.BINARY,
]);

function convert(values: unknown[], type: SqlTypeDesc): unknown[] {
  // Without element types the JSON text is kept as sent (see src/spark-types/arrow-type.ts).
  if (isOpaqueComplex(type) && values.every((v) => v === null || typeof v === 'string')) return values;
  if (AS_IS.has(type.typeId) && values.every((v) => v === null || wireFits(v, type.typeId))) return values;
  return values.map((v) => coerceValue(v, type));
}

function wireFits(value: unknown, typeId: SqlType): boolean {
  switch (typeId) {
    case SqlType.BOOLEAN:
      return typeof value === 'boolean';
    case SqlType.BIGINT:
      return typeof value === 'bigint';
    case SqlType.STRING:
      return typeof value === 'string';
    case SqlType.BINARY:
      return value instanceof Uint8Array;
    default:
      return typeof value === 'number';
  }
}
