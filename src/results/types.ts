/**
 * The vocabulary of the results layer: SQL types as users see them, column descriptions and
 * the JS values rows hold. Nothing here refers to Thrift or Arrow, so the public API can
 * expose it as is.
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

/** One column of a result, in the order the server returned it. */
export interface ColumnInfo {
  /** Column name as the server reported it (also the key of the column in a row). */
  name: string;
  /** Full Spark type name, e.g. 'INT', 'DECIMAL(10,2)', 'ARRAY<INT>', 'STRUCT<a:INT,b:STRING>'. */
  typeName: string;
  /** Type family of the column. */
  typeId: SqlType;
}

/**
 * A complete SQL type, nested types included: what ColumnInfo.typeName says, as a tree.
 * Used inside the results layer to build the canonical Arrow schema and to parse text values.
 */
export interface SqlTypeDesc {
  typeId: SqlType;
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

/**
 * The JS value of one cell (see rows.ts for the type of each SQL type):
 * boolean | number | bigint | string | Buffer | Date | null, and for nested types arrays,
 * `Map`s and plain objects of these.
 */
export type SqlValue =
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Date
  | null
  | SqlValue[]
  | Map<SqlValue, SqlValue>
  | { [field: string]: SqlValue };

/** One result row: values keyed by column name. */
export type Row = Record<string, SqlValue>;
