/**
 * How DuckDB column types appear to a Databricks client: as Spark SQL types.
 *
 * Every DuckDB type maps onto one of the Spark types the contract lists; types Spark has no
 * counterpart for (UUID, TIME, INTERVAL, ENUM, ...) are sent as STRING, as their text.
 */
import {
  DuckDBArrayType,
  DuckDBDecimalType,
  DuckDBListType,
  DuckDBMapType,
  DuckDBStructType,
  DuckDBTypeId,
  type DuckDBType,
} from '@duckdb/node-api';
import {
  TColumnDesc,
  TPrimitiveTypeEntry,
  TTableSchema,
  TTypeDesc,
  TTypeEntry,
  TTypeId,
  TTypeQualifiers,
  TTypeQualifierValue,
} from '../thrift/index.js';

/** A Spark SQL type, as the warehouse reports and encodes it. */
export type SparkType =
  | {
      readonly kind:
        | 'BOOLEAN'
        | 'TINYINT'
        | 'SMALLINT'
        | 'INT'
        | 'BIGINT'
        | 'FLOAT'
        | 'DOUBLE'
        | 'STRING'
        | 'BINARY'
        | 'DATE'
        | 'TIMESTAMP'
        | 'VOID';
    }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'ARRAY'; readonly element: SparkType }
  | { readonly kind: 'MAP'; readonly key: SparkType; readonly value: SparkType }
  | { readonly kind: 'STRUCT'; readonly fields: readonly SparkField[] };

export interface SparkField {
  readonly name: string;
  readonly type: SparkType;
}

/** One result column: its name, its DuckDB type (how the data is stored) and its Spark type. */
export interface ResultColumn {
  readonly name: string;
  readonly duckdbType: DuckDBType;
  readonly sparkType: SparkType;
}

const STRING: SparkType = { kind: 'STRING' };

/** The Spark type a DuckDB type is shown as. */
export function sparkTypeOf(type: DuckDBType): SparkType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { kind: 'BOOLEAN' };
    case DuckDBTypeId.TINYINT:
      return { kind: 'TINYINT' };
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return { kind: 'SMALLINT' };
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return { kind: 'INT' };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return { kind: 'BIGINT' };
    case DuckDBTypeId.UBIGINT:
      return { kind: 'DECIMAL', precision: 20, scale: 0 };
    case DuckDBTypeId.HUGEINT:
      return { kind: 'DECIMAL', precision: 38, scale: 0 };
    case DuckDBTypeId.FLOAT:
      return { kind: 'FLOAT' };
    case DuckDBTypeId.DOUBLE:
      return { kind: 'DOUBLE' };
    case DuckDBTypeId.DECIMAL: {
      const decimal = type;
      return { kind: 'DECIMAL', precision: decimal.width, scale: decimal.scale };
    }
    case DuckDBTypeId.BLOB:
      return { kind: 'BINARY' };
    case DuckDBTypeId.DATE:
      return { kind: 'DATE' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { kind: 'TIMESTAMP' };
    case DuckDBTypeId.SQLNULL:
      return { kind: 'VOID' };
    case DuckDBTypeId.LIST:
      return { kind: 'ARRAY', element: sparkTypeOf(type.valueType) };
    case DuckDBTypeId.ARRAY:
      return { kind: 'ARRAY', element: sparkTypeOf(type.valueType) };
    case DuckDBTypeId.MAP: {
      const map = type;
      return { kind: 'MAP', key: sparkTypeOf(map.keyType), value: sparkTypeOf(map.valueType) };
    }
    case DuckDBTypeId.STRUCT: {
      const struct = type;
      return {
        kind: 'STRUCT',
        fields: struct.entryNames.map((name, i) => ({ name, type: sparkTypeOf(struct.entryTypes[i]!) })),
      };
    }
    default:
      // VARCHAR, and every DuckDB type Spark lacks, travel as text.
      return STRING;
  }
}

/** The Spark type name a user sees: 'INT', 'DECIMAL(10,2)', 'ARRAY<INT>', 'STRUCT<a:INT>'. */
export function sparkTypeName(type: SparkType): string {
  switch (type.kind) {
    case 'DECIMAL':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'ARRAY':
      return `ARRAY<${sparkTypeName(type.element)}>`;
    case 'MAP':
      return `MAP<${sparkTypeName(type.key)},${sparkTypeName(type.value)}>`;
    case 'STRUCT':
      return `STRUCT<${type.fields.map((f) => `${quoteFieldName(f.name)}:${sparkTypeName(f.type)}`).join(',')}>`;
    default:
      return type.kind;
  }
}

/** Backticks a struct field name that is not a plain identifier, as Spark does (`a b`). */
function quoteFieldName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : '`' + name.replaceAll('`', '``') + '`';
}

const PRIMITIVE_TYPE_IDS: Record<string, TTypeId> = {
  BOOLEAN: TTypeId.BOOLEAN_TYPE,
  TINYINT: TTypeId.TINYINT_TYPE,
  SMALLINT: TTypeId.SMALLINT_TYPE,
  INT: TTypeId.INT_TYPE,
  BIGINT: TTypeId.BIGINT_TYPE,
  FLOAT: TTypeId.FLOAT_TYPE,
  DOUBLE: TTypeId.DOUBLE_TYPE,
  STRING: TTypeId.STRING_TYPE,
  BINARY: TTypeId.BINARY_TYPE,
  DATE: TTypeId.DATE_TYPE,
  TIMESTAMP: TTypeId.TIMESTAMP_TYPE,
  VOID: TTypeId.NULL_TYPE,
  DECIMAL: TTypeId.DECIMAL_TYPE,
  ARRAY: TTypeId.ARRAY_TYPE,
  MAP: TTypeId.MAP_TYPE,
  STRUCT: TTypeId.STRUCT_TYPE,
};

/**
 * The type descriptor of a column: one primitiveEntry, as Databricks and Spark's Thrift server
 * send in every reply. A complex type gives only its family (ARRAY_TYPE, MAP_TYPE, STRUCT_TYPE):
 * Arrow replies carry the full type in the Arrow schema, column-based ones carry complex values
 * as JSON text. HiveServer2's arrayEntry/mapEntry/structEntry tree is not sent: clients such as
 * the Python connector reject it. DECIMAL carries `precision` and `scale` qualifiers.
 */
function typeDescOf(type: SparkType): TTypeDesc {
  return new TTypeDesc({ types: [primitiveEntryOf(type)] });
}

/** One primitiveEntry: the type's id (only the family for complex types), DECIMAL qualifiers. */
function primitiveEntryOf(type: SparkType): TTypeEntry {
  const entry = new TPrimitiveTypeEntry({ type: PRIMITIVE_TYPE_IDS[type.kind]! });
  if (type.kind === 'DECIMAL') {
    entry.typeQualifiers = new TTypeQualifiers({
      qualifiers: {
        precision: new TTypeQualifierValue({ i32Value: type.precision }),
        scale: new TTypeQualifierValue({ i32Value: type.scale }),
      },
    });
  }
  return new TTypeEntry({ primitiveEntry: entry });
}

/** The TTableSchema of a result. */
export function tableSchemaOf(columns: readonly ResultColumn[]): TTableSchema {
  return new TTableSchema({
    columns: columns.map(
      (column, position) =>
        new TColumnDesc({
          columnName: column.name,
          typeDesc: typeDescOf(column.sparkType),
          position: position + 1,
        }),
    ),
  });
}
