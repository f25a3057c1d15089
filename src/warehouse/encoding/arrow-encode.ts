/**
 * Arrow on the wire: the IPC schema message for `arrowSchema` and one IPC record batch
 * message per `TSparkArrowBatch`, in the types the client asked for (`useArrowNativeTypes`),
 * LZ4-frame compressed when it accepts that.
 *
 * Framing is Arrow's own stream writer; a batch message is the writer's stream minus the
 * schema message before it and the end-of-stream marker after it.
 */
import { compressFrameSync } from 'lz4-napi';
import {
  type Data,
  type DataType,
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  util,
} from 'apache-arrow';
import { arrowTypeOf, buildData, SPARK_TYPE_METADATA, SqlType, type SqlTypeDesc } from '../../spark-types/index.js';
import { readCell, type Cell } from './arrow-data.js';
import { cellToText } from './text-format.js';
import type { ResultColumn } from '../types.js';

/** What the client said it reads (TExecuteStatementReq fields 1284 and 1286). */
export interface ArrowWireOptions {
  readonly timestampAsArrow: boolean;
  readonly decimalAsArrow: boolean;
  readonly complexTypesAsArrow: boolean;
  readonly lz4: boolean;
}

/** Bytes of the IPC end-of-stream marker: continuation token and a zero length. */
const END_OF_STREAM_BYTES = 8;

export class ArrowWireEncoder {
  /** The IPC schema message, sent as `arrowSchema`. */
  readonly schemaBytes: Uint8Array;
  private readonly wireSchema: Schema;
  private readonly asText: readonly boolean[];

  constructor(
    private readonly columns: readonly ResultColumn[],
    private readonly options: ArrowWireOptions,
  ) {
    this.asText = columns.map((c) => sentAsText(c.sparkType, options));
    this.wireSchema = new Schema(
      columns.map(
        (c, i) =>
          // As Databricks does, each field names its Spark type, which Arrow alone cannot say
          // for types sent as text.
          new Field(
            c.name,
            this.asText[i] ? new Utf8() : arrowTypeOf(c.sparkType),
            true,
            new Map([[SPARK_TYPE_METADATA, c.sparkType.typeName]]),
          ),
      ),
    );
    const empty = tableToIPC(new Table(this.wireSchema), 'stream');
    this.schemaBytes = empty.subarray(0, empty.length - END_OF_STREAM_BYTES);
  }

  /**
   * Whether a stored batch's IPC message is the one this encoder sends, uncompressed: no
   * column goes as text and each wire type is the stored type (field metadata aside, which
   * lives in the schema message only).
   */
  sendsAsStored(stored: Schema): boolean {
    return (
      !this.options.lz4 &&
      stored.fields.length === this.wireSchema.fields.length &&
      this.wireSchema.fields.every(
        (field, i) => !this.asText[i] && util.compareTypes(field.type, stored.fields[i]!.type as DataType),
      )
    );
  }

  /** One record batch message (LZ4 frame if asked) for a canonical batch. */
  encode(batch: RecordBatch): Buffer {
    const children = this.columns.map((column, i) => {
      const data = batch.data.children[i]!;
      return this.asText[i] ? textData(data, column.sparkType) : data;
    });
    const wireBatch = new RecordBatch(
      this.wireSchema,
      makeData({ type: new Struct(this.wireSchema.fields), length: batch.numRows, nullCount: 0, children }),
    );
    const stream = tableToIPC(new Table([wireBatch]), 'stream');
    const message = Buffer.from(
      stream.buffer,
      stream.byteOffset + this.schemaBytes.length,
      stream.length - this.schemaBytes.length - END_OF_STREAM_BYTES,
    );
    return this.options.lz4 ? compressFrameSync(message) : message;
  }
}

function sentAsText(type: SqlTypeDesc, options: ArrowWireOptions): boolean {
  switch (type.typeId) {
    case SqlType.TIMESTAMP:
      return !options.timestampAsArrow;
    case SqlType.DECIMAL:
      return !options.decimalAsArrow;
    case SqlType.ARRAY:
    case SqlType.MAP:
    case SqlType.STRUCT:
      return !options.complexTypesAsArrow;
    default:
      return false;
  }
}

function textData(data: Data, type: SqlTypeDesc): Data {
  const cells: Cell[] = [];
  for (let row = 0; row < data.length; row++) cells.push(cellToText(readCell(data, row, type), type));
  return buildData(new Utf8(), cells);
}
