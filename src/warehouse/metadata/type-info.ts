/**
 * Type facts the catalog calls report: the java.sql.Types code, Spark's SQL name and the JDBC
 * size columns of a column type (GetColumns, as Spark's Thrift server computes them), and the
 * GetTypeInfo rows (HiveServer2's type list, as Spark's Thrift server filters it).
 */
import { SqlType, type SqlTypeDesc } from '../../spark-types/index.js';
import type { MetadataRow } from './result-columns.js';

/** java.sql.Types codes. */
const JDBC = {
  NULL: 0,
  BOOLEAN: 16,
  TINYINT: -6,
  SMALLINT: 5,
  INTEGER: 4,
  BIGINT: -5,
  FLOAT: 6,
  DOUBLE: 8,
  DECIMAL: 3,
  CHAR: 1,
  VARCHAR: 12,
  BINARY: -2,
  DATE: 91,
  TIMESTAMP: 93,
  OTHER: 1111,
  JAVA_OBJECT: 2000,
  STRUCT: 2002,
  ARRAY: 2003,
} as const;

const JDBC_TYPE_OF: Record<SqlType, number> = {
  [SqlType.NULL]: JDBC.NULL,
  [SqlType.BOOLEAN]: JDBC.BOOLEAN,
  [SqlType.TINYINT]: JDBC.TINYINT,
  [SqlType.SMALLINT]: JDBC.SMALLINT,
  [SqlType.INT]: JDBC.INTEGER,
  [SqlType.BIGINT]: JDBC.BIGINT,
  [SqlType.FLOAT]: JDBC.FLOAT,
  [SqlType.DOUBLE]: JDBC.DOUBLE,
  [SqlType.DECIMAL]: JDBC.DECIMAL,
  [SqlType.STRING]: JDBC.VARCHAR,
  [SqlType.BINARY]: JDBC.BINARY,
  [SqlType.DATE]: JDBC.DATE,
  [SqlType.TIMESTAMP]: JDBC.TIMESTAMP,
  [SqlType.ARRAY]: JDBC.ARRAY,
  // Spark reports a MAP as JAVA_OBJECT: JDBC has no map type.
  [SqlType.MAP]: JDBC.JAVA_OBJECT,
  [SqlType.STRUCT]: JDBC.STRUCT,
  [SqlType.INTERVAL]: JDBC.OTHER,
};

/** The java.sql.Types code of a column type (GetColumns' DATA_TYPE). */
export function jdbcTypeOf(type: SqlTypeDesc): number {
  return JDBC_TYPE_OF[type.typeId];
}

/** The type as Spark's `DataType.sql` writes it: 'INT', 'DECIMAL(10,2)', 'MAP<STRING, INT>', 'STRUCT<a: INT>'. */
export function sparkSqlName(type: SqlTypeDesc): string {
  switch (type.typeId) {
    case SqlType.ARRAY:
      return type.element ? `ARRAY<${sparkSqlName(type.element)}>` : 'ARRAY';
    case SqlType.MAP:
      return type.key && type.value ? `MAP<${sparkSqlName(type.key)}, ${sparkSqlName(type.value)}>` : 'MAP';
    case SqlType.STRUCT: {
      const fields = (type.fields ?? []).map((f) => `${quoteField(f.name)}: ${sparkSqlName(f.type)}`);
      return `STRUCT<${fields.join(', ')}>`;
    }
    default:
      return type.typeName;
  }
}

function quoteField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : '`' + name.replaceAll('`', '``') + '`';
}

/** Spark's default size in bytes of fixed-size types (COLUMN_SIZE); undefined for variable ones. */
export function columnSizeOf(type: SqlTypeDesc): number | null {
  switch (type.typeId) {
    case SqlType.BOOLEAN:
    case SqlType.TINYINT:
    case SqlType.NULL:
      return 1;
    case SqlType.SMALLINT:
      return 2;
    case SqlType.INT:
    case SqlType.FLOAT:
    case SqlType.DATE:
      return 4;
    case SqlType.BIGINT:
    case SqlType.DOUBLE:
    case SqlType.TIMESTAMP:
      return 8;
    case SqlType.DECIMAL:
      return (type.precision ?? 10) <= 18 ? 8 : 16;
    case SqlType.INTERVAL:
      return 16;
    case SqlType.STRUCT: {
      const sizes = (type.fields ?? []).map((f) => columnSizeOf(f.type));
      return sizes.includes(null) ? null : sizes.reduce<number>((sum, size) => sum + size!, 0);
    }
    default:
      return null;
  }
}

/**
 * Fractional digits (DECIMAL_DIGITS) as Spark's Thrift server reports them: the scale of a
 * decimal, 6 for timestamps, 7 and 15 for FLOAT and DOUBLE, and 0 for BOOLEAN and INT only
 * (it gives TINYINT, SMALLINT and BIGINT none: measured against Spark 3.5).
 */
export function decimalDigitsOf(type: SqlTypeDesc): number | null {
  switch (type.typeId) {
    case SqlType.BOOLEAN:
    case SqlType.INT:
      return 0;
    case SqlType.FLOAT:
      return 7;
    case SqlType.DOUBLE:
      return 15;
    case SqlType.DECIMAL:
      return type.scale ?? 0;
    case SqlType.TIMESTAMP:
      return 6;
    default:
      return null;
  }
}

const NUMERIC = new Set([
  SqlType.TINYINT,
  SqlType.SMALLINT,
  SqlType.INT,
  SqlType.BIGINT,
  SqlType.FLOAT,
  SqlType.DOUBLE,
  SqlType.DECIMAL,
]);

/** NUM_PREC_RADIX: 10 for numbers, null otherwise. */
export function precisionRadixOf(type: SqlTypeDesc): number | null {
  return NUMERIC.has(type.typeId) ? 10 : null;
}

/** One GetTypeInfo type: name, java.sql.Types code, maximum precision, and what kind it is. */
interface TypeInfoEntry {
  readonly name: string;
  readonly jdbcType: number;
  readonly precision: number | null;
  readonly numeric?: boolean;
  readonly complex?: boolean;
  readonly caseSensitive?: boolean;
}

/** HiveServer2's types in the order Spark's Thrift server lists them. */
const TYPE_INFO: readonly TypeInfoEntry[] = [
  { name: 'VOID', jdbcType: JDBC.NULL, precision: null },
  { name: 'BOOLEAN', jdbcType: JDBC.BOOLEAN, precision: null },
  { name: 'STRING', jdbcType: JDBC.VARCHAR, precision: null, caseSensitive: true },
  { name: 'BINARY', jdbcType: JDBC.BINARY, precision: null },
  { name: 'TINYINT', jdbcType: JDBC.TINYINT, precision: 3, numeric: true },
  { name: 'SMALLINT', jdbcType: JDBC.SMALLINT, precision: 5, numeric: true },
  { name: 'INT', jdbcType: JDBC.INTEGER, precision: 10, numeric: true },
  { name: 'BIGINT', jdbcType: JDBC.BIGINT, precision: 19, numeric: true },
  { name: 'FLOAT', jdbcType: JDBC.FLOAT, precision: 7, numeric: true },
  { name: 'DOUBLE', jdbcType: JDBC.DOUBLE, precision: 15, numeric: true },
  { name: 'DECIMAL', jdbcType: JDBC.DECIMAL, precision: 38, numeric: true },
  { name: 'DATE', jdbcType: JDBC.DATE, precision: null },
  { name: 'TIMESTAMP', jdbcType: JDBC.TIMESTAMP, precision: null },
  { name: 'ARRAY', jdbcType: JDBC.ARRAY, precision: null, complex: true },
  { name: 'MAP', jdbcType: JDBC.JAVA_OBJECT, precision: null, complex: true },
  { name: 'STRUCT', jdbcType: JDBC.STRUCT, precision: null, complex: true },
  { name: 'CHAR', jdbcType: JDBC.CHAR, precision: null },
  { name: 'VARCHAR', jdbcType: JDBC.VARCHAR, precision: null },
  { name: 'INTERVAL_YEAR_MONTH', jdbcType: JDBC.OTHER, precision: null },
  { name: 'INTERVAL_DAY_TIME', jdbcType: JDBC.OTHER, precision: null },
];

/** DatabaseMetaData constants the rows use. */
const TYPE_NULLABLE = 1;
const TYPE_SEARCHABLE = 3;
const TYPE_PRED_NONE = 0;

/** The GetTypeInfo rows (columns as TYPE_INFO_COLUMNS). */
export function typeInfoRows(): MetadataRow[] {
  return TYPE_INFO.map((t) => [
    t.name,
    t.jdbcType,
    t.precision,
    null, // LITERAL_PREFIX
    null, // LITERAL_SUFFIX
    null, // CREATE_PARAMS
    TYPE_NULLABLE,
    t.caseSensitive === true,
    t.complex ? TYPE_PRED_NONE : TYPE_SEARCHABLE,
    // HiveServer2 calls every non-numeric type unsigned.
    t.numeric !== true,
    false, // FIXED_PREC_SCALE
    false, // AUTO_INCREMENT
    null, // LOCAL_TYPE_NAME
    0, // MINIMUM_SCALE
    0, // MAXIMUM_SCALE
    null, // SQL_DATA_TYPE
    null, // SQL_DATETIME_SUB
    t.numeric ? 10 : null,
  ]);
}
