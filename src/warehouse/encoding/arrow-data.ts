/**
 * Reading cell values back out of canonical Arrow data (src/spark-types/arrow-type.ts), for
 * re-encoding a result in the forms a client asks for: text columns, column-based sets.
 *
 * Cells are the input form of the shared buildData (src/spark-types/arrow-build.ts):
 * BOOLEAN boolean; TINYINT..INT, FLOAT, DOUBLE number; BIGINT bigint; DECIMAL the unscaled
 * bigint; STRING string; BINARY Uint8Array; DATE days since epoch (number); TIMESTAMP
 * microseconds since epoch (bigint); ARRAY Cell[]; MAP [key, value][]; STRUCT an object keyed
 * by field name; NULL null.
 */
import { Type, type Data } from 'apache-arrow';
import { SqlType, type SqlTypeDesc } from '../../spark-types/index.js';

export type Cell = null | boolean | number | bigint | string | Uint8Array | Cell[] | [Cell, Cell][] | { [field: string]: Cell };

/** Whether row `index` of `data` holds a value. */
export function isValid(data: Data, index: number): boolean {
  if (data.typeId === Type.Null) return false;
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return true;
  const bit = data.offset + index;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

const decoder = new TextDecoder();

/** Reads the cell at row `index` of canonical Arrow data of Spark type `type`. */
export function readCell(data: Data, index: number, type: SqlTypeDesc): Cell {
  if (!isValid(data, index)) return null;
  // Arrow's slice() narrows value and offset buffers but only moves `offset` for bitmaps.
  const i = index;
  const values = data.values as ArrayLike<number | bigint>;
  switch (type.typeId) {
    case SqlType.NULL:
      return null;
    case SqlType.BOOLEAN:
      return ((data.values as Uint8Array)[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7))) !== 0;
    case SqlType.TINYINT:
    case SqlType.SMALLINT:
    case SqlType.INT:
    case SqlType.FLOAT:
    case SqlType.DOUBLE:
    case SqlType.DATE:
      return values[i] as number;
    case SqlType.BIGINT:
    case SqlType.TIMESTAMP:
      return values[i] as bigint;
    case SqlType.DECIMAL: {
      const words = new BigInt64Array((data.values as Uint32Array).buffer, (data.values as Uint32Array).byteOffset + i * 16, 2);
      return (words[1]! << 64n) | BigInt.asUintN(64, words[0]!);
    }
    case SqlType.STRING:
    case SqlType.INTERVAL:
    case SqlType.BINARY: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = (data.values as Uint8Array).subarray(offsets[i], offsets[i + 1]);
      return type.typeId === SqlType.BINARY ? bytes : decoder.decode(bytes);
    }
    case SqlType.ARRAY: {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0]!;
      const out: Cell[] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) out.push(readCell(child, j, type.element!));
      return out;
    }
    case SqlType.MAP: {
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0]!;
      const out: [Cell, Cell][] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        out.push([readCell(entries.children[0]!, j, type.key!), readCell(entries.children[1]!, j, type.value!)]);
      }
      return out;
    }
    case SqlType.STRUCT: {
      // Arrow slices a struct's children along with it, so they take the struct's logical row.
      const out: { [field: string]: Cell } = {};
      (type.fields ?? []).forEach((field, f) => (out[field.name] = readCell(data.children[f]!, index, field.type)));
      return out;
    }
  }
}
