/**
 * The vocabulary of the results layer: column descriptions and the JS values rows hold, over
 * the shared Spark types (src/spark-types). Nothing here refers to Thrift or Arrow, so the
 * public API can expose it as is.
 */
import type { SqlType } from '../spark-types/index.js';

export { SqlType, type SqlTypeDesc } from '../spark-types/index.js';

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
 * The JS value of one cell (see rows/batch-to-rows.ts for the type of each SQL type):
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
