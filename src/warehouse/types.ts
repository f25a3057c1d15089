/**
 * How DuckDB column types appear to a Databricks client: as Spark SQL types (the shared type
 * system of src/spark-types), and the Thrift schema that describes them.
 *
 * Every DuckDB type maps onto one of the Spark types the contract lists; types Spark has no
 * counterpart for (UUID, TIME, INTERVAL, ENUM, ...) are sent as STRING, as their text.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
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
import { arrayType, decimalType, mapType, SCALAR, SqlType, structType, type SqlTypeDesc } from '../spark-types/index.js';

/** One result column: its name, its DuckDB type (how the data is stored) and its Spark type. */
export interface ResultColumn {
  readonly name: string;
  readonly duckdbType: DuckDBType;
  readonly sparkType: SqlTypeDesc;
}

/** The Spark type a DuckDB type is shown as. */
export function sparkTypeOf(type: DuckDBType): SqlTypeDesc {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return SCALAR.BOOLEAN;
    case DuckDBTypeId.TINYINT:
      return SCALAR.TINYINT;
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return SCALAR.SMALLINT;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return SCALAR.INT;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return SCALAR.BIGINT;
    case DuckDBTypeId.UBIGINT:
      return decimalType(20, 0);
    case DuckDBTypeId.HUGEINT:
      return decimalType(38, 0);
    case DuckDBTypeId.FLOAT:
      return SCALAR.FLOAT;
    case DuckDBTypeId.DOUBLE:
      return SCALAR.DOUBLE;
    case DuckDBTypeId.DECIMAL: {
      return decimalType(type.width, type.scale);
    }
    case DuckDBTypeId.BLOB:
      return SCALAR.BINARY;
    case DuckDBTypeId.DATE:
      return SCALAR.DATE;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return SCALAR.TIMESTAMP;
    case DuckDBTypeId.SQLNULL:
      return SCALAR.VOID;
    case DuckDBTypeId.LIST:
      return arrayType(sparkTypeOf(type.valueType));
    case DuckDBTypeId.ARRAY:
      return arrayType(sparkTypeOf(type.valueType));
    case DuckDBTypeId.MAP: {
      return mapType(sparkTypeOf(type.keyType), sparkTypeOf(type.valueType));
    }
    case DuckDBTypeId.STRUCT: {
      const struct = type;
      return structType(struct.entryNames.map((name, i) => ({ name, type: sparkTypeOf(struct.entryTypes[i]!) })));
    }
    default:
      // VARCHAR, and every DuckDB type Spark lacks, travel as text.
      return SCALAR.STRING;
  }
}

const PRIMITIVE_TYPE_IDS: Record<SqlType, TTypeId> = {
  [SqlType.BOOLEAN]: TTypeId.BOOLEAN_TYPE,
  [SqlType.TINYINT]: TTypeId.TINYINT_TYPE,
  [SqlType.SMALLINT]: TTypeId.SMALLINT_TYPE,
  [SqlType.INT]: TTypeId.INT_TYPE,
  [SqlType.BIGINT]: TTypeId.BIGINT_TYPE,
  [SqlType.FLOAT]: TTypeId.FLOAT_TYPE,
  [SqlType.DOUBLE]: TTypeId.DOUBLE_TYPE,
  [SqlType.STRING]: TTypeId.STRING_TYPE,
  [SqlType.BINARY]: TTypeId.BINARY_TYPE,
  [SqlType.DATE]: TTypeId.DATE_TYPE,
  [SqlType.TIMESTAMP]: TTypeId.TIMESTAMP_TYPE,
  [SqlType.NULL]: TTypeId.NULL_TYPE,
  [SqlType.DECIMAL]: TTypeId.DECIMAL_TYPE,
  [SqlType.ARRAY]: TTypeId.ARRAY_TYPE,
  [SqlType.MAP]: TTypeId.MAP_TYPE,
  [SqlType.STRUCT]: TTypeId.STRUCT_TYPE,
  // sparkTypeOf never makes one (DuckDB intervals travel as STRING); here for completeness.
  [SqlType.INTERVAL]: TTypeId.INTERVAL_DAY_TIME_TYPE,
};

/**
 * The type descriptor of a column: one primitiveEntry, as Databricks and Spark's Thrift server
 * send in every reply. A complex type gives only its family (ARRAY_TYPE, MAP_TYPE, STRUCT_TYPE):
 * Arrow replies carry the full type in the Arrow schema, column-based ones carry complex values
 * as JSON text. HiveServer2's arrayEntry/mapEntry/structEntry tree is not sent: clients such as
 * the Python connector reject it. DECIMAL carries `precision` and `scale` qualifiers.
 */
function typeDescOf(type: SqlTypeDesc): TTypeDesc {
  return new TTypeDesc({ types: [primitiveEntryOf(type)] });
}

/** One primitiveEntry: the type's id (only the family for complex types), DECIMAL qualifiers. */
function primitiveEntryOf(type: SqlTypeDesc): TTypeEntry {
  const entry = new TPrimitiveTypeEntry({ type: PRIMITIVE_TYPE_IDS[type.typeId] });
  if (type.typeId === SqlType.DECIMAL) {
    entry.typeQualifiers = new TTypeQualifiers({
      qualifiers: {
        precision: new TTypeQualifierValue({ i32Value: type.precision! }),
        scale: new TTypeQualifierValue({ i32Value: type.scale! }),
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
