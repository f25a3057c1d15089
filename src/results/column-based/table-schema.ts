/**
 * Reads the HiveServer2 TTableSchema into our own column descriptions.
 *
 * A TTypeDesc is a flat list of type entries; entry 0 is the column's type. It describes a
 * complex type in one of two ways:
 * - HiveServer2's tree: arrayEntry/mapEntry/structEntry point at their parts by index into
 *   the same list (objectTypePtr, keyTypePtr, ...): the full type.
 * - Databricks' and Spark's form: a primitiveEntry with ARRAY_TYPE, MAP_TYPE or STRUCT_TYPE and
 *   nothing more. That gives an opaque type (typeName 'ARRAY', no element type; see
 *   isOpaqueComplex), which the decoder completes from the Arrow schema when there is one.
 */
import { TTypeId } from '../../thrift/index.js';
import type { TTableSchema, TTypeDesc, TTypeEntry, TPrimitiveTypeEntry } from '../../thrift/index.js';
import { ResultDecodeError } from '../errors.js';
import {
  arrayType,
  decimalType,
  DEFAULT_DECIMAL_PRECISION,
  DEFAULT_DECIMAL_SCALE,
  mapType,
  SCALAR,
  structType,
} from '../../spark-types/index.js';
import { SqlType, type ColumnInfo, type SqlTypeDesc } from '../types.js';

const PRIMITIVES = new Map<number, SqlTypeDesc>([
  [TTypeId.BOOLEAN_TYPE, SCALAR.BOOLEAN],
  [TTypeId.TINYINT_TYPE, SCALAR.TINYINT],
  [TTypeId.SMALLINT_TYPE, SCALAR.SMALLINT],
  [TTypeId.INT_TYPE, SCALAR.INT],
  [TTypeId.BIGINT_TYPE, SCALAR.BIGINT],
  [TTypeId.FLOAT_TYPE, SCALAR.FLOAT],
  [TTypeId.DOUBLE_TYPE, SCALAR.DOUBLE],
  [TTypeId.STRING_TYPE, SCALAR.STRING],
  // Spark reads VARCHAR/CHAR as STRING.
  [TTypeId.VARCHAR_TYPE, SCALAR.STRING],
  [TTypeId.CHAR_TYPE, SCALAR.STRING],
  [TTypeId.TIMESTAMP_TYPE, SCALAR.TIMESTAMP],
  [TTypeId.BINARY_TYPE, SCALAR.BINARY],
  [TTypeId.DATE_TYPE, SCALAR.DATE],
  [TTypeId.NULL_TYPE, SCALAR.VOID],
  [TTypeId.INTERVAL_YEAR_MONTH_TYPE, { typeId: SqlType.INTERVAL, typeName: 'INTERVAL YEAR TO MONTH' }],
  [TTypeId.INTERVAL_DAY_TIME_TYPE, { typeId: SqlType.INTERVAL, typeName: 'INTERVAL DAY TO SECOND' }],
  // The primitive form of complex types: the parts are not given (see the top of this file).
  [TTypeId.ARRAY_TYPE, { typeId: SqlType.ARRAY, typeName: 'ARRAY' }],
  [TTypeId.MAP_TYPE, { typeId: SqlType.MAP, typeName: 'MAP' }],
  [TTypeId.STRUCT_TYPE, { typeId: SqlType.STRUCT, typeName: 'STRUCT' }],
]);

/** The columns of a result and the full type of each, in server order. */
export interface ParsedSchema {
  columns: ColumnInfo[];
  types: SqlTypeDesc[];
}

export function parseTableSchema(schema: TTableSchema | undefined | null): ParsedSchema {
  const descs = [...(schema?.columns ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const types = descs.map((column) => parseTypeDesc(column.typeDesc, column.columnName));
  const columns = descs.map((column, i) => ({
    name: column.columnName,
    typeName: types[i]!.typeName,
    typeId: types[i]!.typeId,
  }));
  return { columns, types };
}

/** Parses one column's TTypeDesc; `columnName` is only for error messages. */
function parseTypeDesc(typeDesc: TTypeDesc | undefined, columnName: string): SqlTypeDesc {
  const entries = typeDesc?.types ?? [];
  const visiting = new Set<number>();

  const entryAt = (ptr: number): SqlTypeDesc => {
    const entry = entries[ptr];
    if (entry === undefined || visiting.has(ptr)) {
      throw new ResultDecodeError(
        `Column '${columnName}' has a malformed type description (entry ${ptr} of ${entries.length} is ` +
          `${entry === undefined ? 'missing' : 'part of a cycle'}).`,
      );
    }
    visiting.add(ptr);
    const parsed = parseEntry(entry, entryAt, columnName);
    visiting.delete(ptr);
    return parsed;
  };
  return entryAt(0);
}

function parseEntry(entry: TTypeEntry, entryAt: (ptr: number) => SqlTypeDesc, columnName: string): SqlTypeDesc {
  if (entry.primitiveEntry) return parsePrimitive(entry.primitiveEntry, columnName);
  if (entry.arrayEntry) return arrayType(entryAt(entry.arrayEntry.objectTypePtr));
  if (entry.mapEntry) return mapType(entryAt(entry.mapEntry.keyTypePtr), entryAt(entry.mapEntry.valueTypePtr));
  if (entry.structEntry) {
    return structType(Object.entries(entry.structEntry.nameToTypePtr).map(([name, ptr]) => ({ name, type: entryAt(ptr) })));
  }
  // Unions and user-defined types have no Databricks counterpart; their values arrive as text.
  if (entry.unionEntry) return SCALAR.STRING;
  if (entry.userDefinedTypeEntry) {
    return { typeId: SqlType.STRING, typeName: entry.userDefinedTypeEntry.typeClassName || 'STRING' };
  }
  throw new ResultDecodeError(`Column '${columnName}' has an empty type entry.`);
}

function parsePrimitive(entry: TPrimitiveTypeEntry, columnName: string): SqlTypeDesc {
  if (entry.type === TTypeId.DECIMAL_TYPE) {
    const qualifiers = entry.typeQualifiers?.qualifiers ?? {};
    const precision = qualifiers['precision']?.i32Value ?? DEFAULT_DECIMAL_PRECISION;
    const scale = qualifiers['scale']?.i32Value ?? DEFAULT_DECIMAL_SCALE;
    try {
      return decimalType(precision, scale);
    } catch {
      throw new ResultDecodeError(`Column '${columnName}' has an invalid DECIMAL(${precision},${scale}).`);
    }
  }
  const known = PRIMITIVES.get(entry.type);
  if (known === undefined) {
    throw new ResultDecodeError(`Column '${columnName}' has an unknown type id ${String(entry.type)}.`);
  }
  return { ...known };
}
