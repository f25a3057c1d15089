/**
 * The entry point of the results layer: knows a result's columns from its metadata and turns
 * each fetched row set into canonical Arrow record batches, whatever the wire format.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { TSparkRowSetType } from '../thrift/index.js';
import type { TGetResultSetMetadataResp, TRowSet } from '../thrift/index.js';
import { decodeArrowBatches, decodeArrowFile, type ArrowBatchFormat } from './arrow/arrow-batches.js';
import { completeFromArrow, readSchemaMessage } from './arrow/arrow-field-types.js';
import { arrowSchemaOf } from '../spark-types/index.js';
import { decodeColumnBatch } from './column-based/column-batches.js';
import type { ResultLink } from './cloud-fetch/result-link.js';
import { ResultDecodeError } from './errors.js';
import { parseTableSchema } from './column-based/table-schema.js';
import type { ColumnInfo, SqlTypeDesc } from './types.js';

/**
 * Decodes one result's row sets. Scalar columns decode to the same rows and Arrow columns
 * whether they came Arrow-based or column-based. Complex columns (ARRAY, MAP, STRUCT) differ
 * by design when the server names only their family and sends no Arrow schema, as Databricks,
 * Spark's Thrift server and our local warehouse do for column-based sets: the column's
 * typeName is just 'ARRAY'/'MAP'/'STRUCT', its Arrow column is the JSON text as sent (Utf8),
 * and its row values are read by JSON types (text/json-values.ts: DECIMALs as numbers, integers
 * beyond 2^53 as bigint, DATE/TIMESTAMP/BINARY as their text, MAP keys as strings). With an
 * Arrow schema, or HiveServer2's full type tree, they decode to the full type.
 */
export class RowSetDecoder {
  /** The result's columns, in order. */
  readonly columns: ColumnInfo[];
  /** The canonical Arrow schema of every batch decode() returns (see src/spark-types/arrow-type.ts). */
  readonly arrowSchema: Schema;
  private readonly types: SqlTypeDesc[];
  private readonly format: TSparkRowSetType;
  private readonly schemaMessage: Uint8Array | undefined;
  private readonly lz4Compressed: boolean;

  /** @throws ResultDecodeError when the schema cannot be read. */
  constructor(metadata: TGetResultSetMetadataResp) {
    const parsed = parseTableSchema(metadata.schema);
    this.schemaMessage = metadata.arrowSchema ?? undefined;
    // Databricks gives complex columns only a family in the Thrift schema (ARRAY_TYPE, ...);
    // their full type is in the Arrow schema.
    const types =
      this.schemaMessage === undefined
        ? parsed.types
        : completeFromArrow(parsed.columns, parsed.types, readSchemaMessage(this.schemaMessage));
    this.columns = parsed.columns.map((column, i) => ({ ...column, typeName: types[i]!.typeName, typeId: types[i]!.typeId }));
    this.types = types;
    this.arrowSchema = arrowSchemaOf(this.columns.map((column, i) => ({ name: column.name, type: types[i]! })));
    this.lz4Compressed = metadata.lz4Compressed === true;
    // HiveServer2 peers leave resultFormat out: they only speak column-based sets.
    this.format = metadata.resultFormat ?? TSparkRowSetType.COLUMN_BASED_SET;
  }

  /** Whether the server sends the rows as cloud-fetch links (URL_BASED_SET) to download. */
  get cloudFetch(): boolean {
    return this.format === TSparkRowSetType.URL_BASED_SET;
  }

  /**
   * The row set's inline rows as record batches with `arrowSchema`; empty when it has none.
   * Cloud-fetch links are read with decodeFile() once downloaded.
   * @throws ResultDecodeError for bad data.
   */
  decode(rowSet: TRowSet): RecordBatch[] {
    if ((rowSet.resultLinks?.length ?? 0) > 0) {
      throw new ResultDecodeError('The row set holds cloud-fetch links, which are downloaded, not decoded inline.');
    }
    // Go by what holds data: an empty list of batches or columns is an empty page in any format.
    const arrowBatches = rowSet.arrowBatches ?? [];
    if (arrowBatches.length > 0) {
      if (this.schemaMessage === undefined) {
        throw new ResultDecodeError('The row set holds Arrow batches but the result metadata has no arrowSchema.');
      }
      return decodeArrowBatches(arrowBatches, this.arrowFormat(this.schemaMessage));
    }
    if ((rowSet.columns?.length ?? 0) > 0) return decodeColumnBatch(rowSet.columns!, this.columns, this.types, this.arrowSchema);
    if ((rowSet.rows?.length ?? 0) > 0) {
      throw new ResultDecodeError('Row-based row sets (TRow lists) are not supported; expected Arrow or column-based sets.');
    }
    return [];
  }

  /**
   * The rows of a downloaded cloud-fetch file as record batches with `arrowSchema`.
   * @throws ResultDecodeError for bad data or a row count other than the link's.
   */
  decodeFile(file: Uint8Array, link: ResultLink): RecordBatch[] {
    const what = `The result file for rows from ${link.startRowOffset}`;
    if (this.schemaMessage === undefined) throw new ResultDecodeError(`${what} is Arrow but the result has no arrowSchema.`);
    return decodeArrowFile(file, link.rowCount, what, this.arrowFormat(this.schemaMessage));
  }

  private arrowFormat(schemaMessage: Uint8Array): ArrowBatchFormat {
    return {
      schemaMessage,
      lz4Compressed: this.lz4Compressed,
      columns: this.columns,
      types: this.types,
      schema: this.arrowSchema,
    };
  }
}
