/**
 * The text forms Spark gives values that travel as strings: DECIMAL, DATE and TIMESTAMP in
 * column-based sets (and in Arrow when the client does not take them natively) in the shared
 * formats of src/spark-types/value-text.ts, complex types as JSON.
 */
import { formatDate, formatDecimal, formatTimestamp, SqlType, type SqlTypeDesc } from '../../spark-types/index.js';
import type { Cell } from './arrow-data.js';

/** A cell of a scalar type (every type but ARRAY, MAP, STRUCT and BINARY). */
type Scalar = boolean | number | bigint | string;

/** The text a scalar or complex cell travels as when not sent natively. */
export function cellToText(cell: Cell, type: SqlTypeDesc): string | null {
  if (cell === null) return null;
  switch (type.typeId) {
    case SqlType.DECIMAL:
      return formatDecimal(cell as bigint, type.scale!);
    case SqlType.DATE:
      return formatDate(cell as number);
    case SqlType.TIMESTAMP:
      return formatTimestamp(cell as bigint);
    case SqlType.ARRAY:
    case SqlType.MAP:
    case SqlType.STRUCT:
      return toJsonText(cell, type);
    case SqlType.BINARY:
      return Buffer.from(cell as Uint8Array).toString('base64');
    default:
      return (cell as Scalar).toString();
  }
}

/** JSON text of a cell as Spark's to_json writes it (BIGINT and DECIMAL exact). */
function toJsonText(cell: Cell, type: SqlTypeDesc): string {
  if (cell === null) return 'null';
  switch (type.typeId) {
    case SqlType.ARRAY:
      return `[${(cell as Cell[]).map((c) => toJsonText(c, type.element!)).join(',')}]`;
    case SqlType.MAP:
      return `{${(cell as [Cell, Cell][])
        .map(([k, v]) => `${JSON.stringify(cellToText(k, type.key!) ?? 'null')}:${toJsonText(v, type.value!)}`)
        .join(',')}}`;
    case SqlType.STRUCT:
      return `{${(type.fields ?? [])
        .map((f) => `${JSON.stringify(f.name)}:${toJsonText((cell as { [field: string]: Cell })[f.name] ?? null, f.type)}`)
        .join(',')}}`;
    case SqlType.BOOLEAN:
    case SqlType.TINYINT:
    case SqlType.SMALLINT:
    case SqlType.INT:
    case SqlType.BIGINT:
      return (cell as Scalar).toString();
    case SqlType.DECIMAL:
      return formatDecimal(cell as bigint, type.scale!);
    case SqlType.FLOAT:
    case SqlType.DOUBLE:
      return Number.isFinite(cell) ? (cell as number).toString() : JSON.stringify((cell as number).toString());
    default:
      return JSON.stringify(cellToText(cell, type));
  }
}
