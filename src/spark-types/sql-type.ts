/**
 * Spark SQL types as one tree, shared by the driver's results layer (which reads them from a
 * server) and the local warehouse (which reports its DuckDB columns as them). Nothing here
 * refers to Thrift, so the public API exposes it as is.
 */

/** SQL type families, named as Databricks (Spark) names them. Our own enum, not Thrift's. */
export enum SqlType {
  BOOLEAN = 'BOOLEAN',
  TINYINT = 'TINYINT',
  SMALLINT = 'SMALLINT',
  INT = 'INT',
  BIGINT = 'BIGINT',
  FLOAT = 'FLOAT',
  DOUBLE = 'DOUBLE',
  DECIMAL = 'DECIMAL',
  STRING = 'STRING',
  BINARY = 'BINARY',
  DATE = 'DATE',
  TIMESTAMP = 'TIMESTAMP',
  ARRAY = 'ARRAY',
  MAP = 'MAP',
  STRUCT = 'STRUCT',
  /** The type of an untyped NULL literal (Spark calls it VOID). */
  NULL = 'NULL',
  /** Year-month and day-time intervals; their values are the server's text. */
  INTERVAL = 'INTERVAL',
}

/**
 * A complete SQL type, nested types included: what ColumnInfo.typeName says, as a tree.
 * Build composite ones with decimalType, arrayType, mapType and structType (type-name.ts),
 * which also write the canonical `typeName`.
 */
export interface SqlTypeDesc {
  typeId: SqlType;
  /** Canonical Spark type name, e.g. 'INT', 'DECIMAL(10,2)', 'ARRAY<INT>', 'STRUCT<a:INT>'. */
  typeName: string;
  /** DECIMAL only: total digits. */
  precision?: number;
  /** DECIMAL only: digits after the point. */
  scale?: number;
  /** ARRAY only: element type. */
  element?: SqlTypeDesc;
  /** MAP only: key type. */
  key?: SqlTypeDesc;
  /** MAP only: value type. */
  value?: SqlTypeDesc;
  /** STRUCT only: fields in order. */
  fields?: ReadonlyArray<{ name: string; type: SqlTypeDesc }>;
}

/** The scalar types, one object each (callers must not mutate them). */
export const SCALAR = {
  BOOLEAN: { typeId: SqlType.BOOLEAN, typeName: 'BOOLEAN' },
  TINYINT: { typeId: SqlType.TINYINT, typeName: 'TINYINT' },
  SMALLINT: { typeId: SqlType.SMALLINT, typeName: 'SMALLINT' },
  INT: { typeId: SqlType.INT, typeName: 'INT' },
  BIGINT: { typeId: SqlType.BIGINT, typeName: 'BIGINT' },
  FLOAT: { typeId: SqlType.FLOAT, typeName: 'FLOAT' },
  DOUBLE: { typeId: SqlType.DOUBLE, typeName: 'DOUBLE' },
  STRING: { typeId: SqlType.STRING, typeName: 'STRING' },
  BINARY: { typeId: SqlType.BINARY, typeName: 'BINARY' },
  DATE: { typeId: SqlType.DATE, typeName: 'DATE' },
  TIMESTAMP: { typeId: SqlType.TIMESTAMP, typeName: 'TIMESTAMP' },
  VOID: { typeId: SqlType.NULL, typeName: 'VOID' },
} as const satisfies Record<string, SqlTypeDesc>;

/** Why a type name or type could not be made; callers that decode a result name the column. */
export class SparkTypeError extends Error {
  override readonly name: string = 'SparkTypeError';
}
for (const type of Object.values(SCALAR)) Object.freeze(type);
