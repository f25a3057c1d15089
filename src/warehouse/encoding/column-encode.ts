/**
 * HiveServer2 column-based row sets, for clients that do not read Arrow.
 *
 * Like Spark's Thrift server: numbers in their typed columns, DECIMAL, DATE, TIMESTAMP and
 * complex types as text in string columns, BINARY as bytes. `nulls` is a bitmap, least
 * significant bit first.
 */
import Int64 from 'node-int64';
import type { Data, RecordBatch } from 'apache-arrow';
import {
  TBinaryColumn,
  TBoolColumn,
  TByteColumn,
  TColumn,
  TDoubleColumn,
  TI16Column,
  TI32Column,
  TI64Column,
  TStringColumn,
} from '../../thrift/index.js';
import { SqlType, type SqlTypeDesc } from '../../spark-types/index.js';
import { isValid, readCell } from './arrow-data.js';
import { cellToText } from './text-format.js';
import type { ResultColumn } from '../types.js';

/** The typed columns of a canonical batch. */
export function encodeColumns(batch: RecordBatch, columns: readonly ResultColumn[]): TColumn[] {
  return columns.map((column, i) => encodeColumn(batch.data.children[i]!, column.sparkType));
}

function encodeColumn(data: Data, type: SqlTypeDesc): TColumn {
  const length = data.length;
  const nulls = Buffer.alloc(Math.ceil(length / 8));
  for (let row = 0; row < length; row++) {
    if (!isValid(data, row)) nulls[row >> 3]! |= 1 << (row & 7);
  }
  const values = <T>(read: (row: number) => T, empty: T): T[] => {
    const out: T[] = new Array<T>(length);
    for (let row = 0; row < length; row++) out[row] = isValid(data, row) ? read(row) : empty;
    return out;
  };
  switch (type.typeId) {
    case SqlType.BOOLEAN:
      return new TColumn({ boolVal: new TBoolColumn({ values: values((r) => readCell(data, r, type) === true, false), nulls }) });
    case SqlType.TINYINT:
      return new TColumn({ byteVal: new TByteColumn({ values: numbers(data, nulls), nulls }) });
    case SqlType.SMALLINT:
      return new TColumn({ i16Val: new TI16Column({ values: numbers(data, nulls), nulls }) });
    case SqlType.INT:
      return new TColumn({ i32Val: new TI32Column({ values: numbers(data, nulls), nulls }) });
    case SqlType.FLOAT:
    case SqlType.DOUBLE:
      return new TColumn({ doubleVal: new TDoubleColumn({ values: numbers(data, nulls), nulls }) });
    case SqlType.BIGINT: {
      // Read the two 32-bit halves straight from the Arrow buffer: no bigint per value.
      const words = data.values as BigInt64Array;
      const halves = new Int32Array(words.buffer, words.byteOffset, length * 2);
      const zero = new Int64(0);
      const out = values((r) => new Int64(halves[2 * r + 1]! >>> 0, halves[2 * r]! >>> 0), zero);
      return new TColumn({ i64Val: new TI64Column({ values: out, nulls }) });
    }
    case SqlType.BINARY:
      return new TColumn({
        binaryVal: new TBinaryColumn({
          values: values((r) => Buffer.from(readCell(data, r, type) as Uint8Array), Buffer.alloc(0)),
          nulls,
        }),
      });
    case SqlType.STRING:
      return new TColumn({
        stringVal: new TStringColumn({ values: values((r) => readCell(data, r, type) as string, ''), nulls }),
      });
    default:
      // DECIMAL, DATE, TIMESTAMP, ARRAY, MAP, STRUCT as text; VOID as an all-null string column.
      return new TColumn({
        stringVal: new TStringColumn({ values: values((r) => cellToText(readCell(data, r, type), type) ?? '', ''), nulls }),
      });
  }
}

/** The numbers of a fixed-width column straight from its buffer, 0 where NULL. */
function numbers(data: Data, nulls: Buffer): number[] {
  const out = Array.from((data.values as Int32Array | Float64Array).subarray(0, data.length));
  for (let row = 0; row < out.length; row++) if (nulls[row >> 3]! & (1 << (row & 7))) out[row] = 0;
  return out;
}
