/**
 * Turns DuckDB data chunks into Arrow record batches of the canonical Spark types.
 *
 * Scalar columns are copied from DuckDB's vector memory (vector-copy.ts); the others (nested
 * types, and types shown as text) go through cells (arrow-data.ts) and the shared buildData.
 */
import {
  type DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBArrayValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
} from '@duckdb/node-api';
import { makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import { arrowSchemaOf, arrowTypeOf, buildData, SqlType, type SqlTypeDesc } from '../../spark-types/index.js';
import type { Cell } from './arrow-data.js';
import type { ResultColumn } from '../types.js';
import { copyVectors } from './vector-copy.js';

/** The canonical Arrow schema of a result. */
export function canonicalSchema(columns: readonly ResultColumn[]): Schema {
  return arrowSchemaOf(columns.map((c) => ({ name: c.name, type: c.sparkType })));
}

/** One record batch holding all rows of `chunks`, in order. */
export function chunksToBatch(schema: Schema, columns: readonly ResultColumn[], chunks: readonly DuckDBDataChunk[]): RecordBatch {
  const length = chunks.reduce((n, chunk) => n + chunk.rowCount, 0);
  const children = columns.map(
    (column, index) =>
      copyVectors(column, index, chunks, length) ?? buildData(arrowTypeOf(column.sparkType), cellsOf(chunks, index, column)),
  );
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

function cellsOf(chunks: readonly DuckDBDataChunk[], index: number, column: ResultColumn): Cell[] {
  const cells: Cell[] = [];
  for (const chunk of chunks) {
    if (chunk.rowCount === 0) continue;
    for (const value of chunk.getColumnVector(index).toArray()) {
      cells.push(toCell(value, column.duckdbType, column.sparkType));
    }
  }
  return cells;
}

/** The cell for one DuckDB value shown as Spark type `spark`. */
function toCell(value: DuckDBValue, duck: DuckDBType, spark: SqlTypeDesc): Cell {
  if (value === null || value === undefined) return null;
  switch (spark.typeId) {
    case SqlType.NULL:
      return null;
    case SqlType.BOOLEAN:
      return value === true;
    case SqlType.TINYINT:
    case SqlType.SMALLINT:
    case SqlType.INT:
    case SqlType.FLOAT:
    case SqlType.DOUBLE:
      return Number(value);
    case SqlType.BIGINT:
      return BigInt(value as number | bigint);
    case SqlType.DECIMAL:
      return value instanceof DuckDBDecimalValue ? value.value : BigInt(value as number | bigint);
    case SqlType.BINARY:
      return value instanceof DuckDBBlobValue ? value.bytes : new Uint8Array(0);
    case SqlType.DATE:
      return value instanceof DuckDBDateValue ? value.days : null;
    case SqlType.TIMESTAMP:
      return timestampMicros(value);
    case SqlType.ARRAY: {
      const items = value instanceof DuckDBListValue || value instanceof DuckDBArrayValue ? value.items : [];
      const elementDuck = (duck as unknown as { valueType: DuckDBType }).valueType;
      return items.map((item) => toCell(item, elementDuck, spark.element!));
    }
    case SqlType.MAP: {
      const mapDuck = duck as unknown as { keyType: DuckDBType; valueType: DuckDBType };
      const entries = value instanceof DuckDBMapValue ? value.entries : [];
      return entries.map((e): [Cell, Cell] => [
        toCell(e.key, mapDuck.keyType, spark.key!),
        toCell(e.value, mapDuck.valueType, spark.value!),
      ]);
    }
    case SqlType.STRUCT: {
      const structDuck = duck as unknown as { entryTypes: readonly DuckDBType[] };
      const entries = value instanceof DuckDBStructValue ? value.entries : {};
      const out: { [field: string]: Cell } = {};
      (spark.fields ?? []).forEach(
        (field, f) => (out[field.name] = toCell(entries[field.name] ?? null, structDuck.entryTypes[f]!, field.type)),
      );
      return out;
    }
    case SqlType.STRING:
    case SqlType.INTERVAL: // sparkTypeOf never makes one
      return typeof value === 'string' ? value : String(value);
  }
}

function timestampMicros(value: DuckDBValue): bigint | null {
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return value.micros;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * 1_000_000n;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis * 1_000n;
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos / 1_000n;
  return null;
}
