/**
 * Arrow-based row sets and cloud-fetch files to canonical Arrow record batches.
 *
 * Each TSparkArrowBatch holds Arrow IPC stream messages (one or more record batches, no
 * schema), LZ4-frame compressed when the metadata says so. Prepending the schema message from
 * the metadata makes a stream that apache-arrow's reader reads as is.
 */
import { RecordBatch, Struct, makeData, tableFromIPC, type Schema } from 'apache-arrow';
import { typeOf, arrowTypeName } from '../../spark-types/arrow-typing.js';
import type { TSparkArrowBatch } from '../../thrift/index.js';
import { ResultDecodeError } from '../errors.js';
import { decodeLz4Frames } from './lz4-frame.js';
import { normaliseColumn } from './normalise.js';
import type { ColumnInfo, SqlTypeDesc } from '../types.js';

export interface ArrowBatchFormat {
  /** The IPC schema message from TGetResultSetMetadataResp.arrowSchema. */
  schemaMessage: Uint8Array;
  lz4Compressed: boolean;
  columns: readonly ColumnInfo[];
  types: readonly SqlTypeDesc[];
  /** The canonical schema the batches are normalised to. */
  schema: Schema;
}

export function decodeArrowBatches(wireBatches: readonly TSparkArrowBatch[], format: ArrowBatchFormat): RecordBatch[] {
  const out: RecordBatch[] = [];
  wireBatches.forEach((wire, index) => {
    const batches = readIpcBatches(wire, index, format);
    const rows = batches.reduce((sum, b) => sum + b.numRows, 0);
    const expected = wire.rowCount?.toNumber();
    if (expected !== undefined && expected !== rows) {
      throw new ResultDecodeError(`Arrow batch ${index} announces ${expected} rows but holds ${rows}.`);
    }
    for (const batch of batches) if (batch.numRows > 0) out.push(normaliseBatch(batch, format));
  });
  return out;
}

/**
 * The batches of one cloud-fetch file: an Arrow IPC stream (LZ4 frame when the metadata says
 * so), with its own schema message as Databricks writes it, or without one (then the
 * metadata's is used). `what` names the file in errors.
 */
export function decodeArrowFile(file: Uint8Array, expectedRows: number, what: string, format: ArrowBatchFormat): RecordBatch[] {
  let batches: RecordBatch[];
  try {
    const body = format.lz4Compressed ? decodeLz4Frames(file) : file;
    batches = readStream(body, format.schemaMessage);
  } catch (error) {
    throw new ResultDecodeError(
      `${what} cannot be read${format.lz4Compressed ? ' (LZ4-compressed)' : ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const rows = batches.reduce((sum, b) => sum + b.numRows, 0);
  if (rows !== expectedRows) throw new ResultDecodeError(`${what} should hold ${expectedRows} rows but holds ${rows}.`);
  return batches.filter((batch) => batch.numRows > 0).map((batch) => normaliseBatch(batch, format));
}

/** A stream that starts with its schema message is read as is; otherwise after `schemaMessage`. */
function readStream(body: Uint8Array, schemaMessage: Uint8Array): RecordBatch[] {
  try {
    return tableFromIPC(body).batches;
  } catch {
    return tableFromIPC(Buffer.concat([schemaMessage, body])).batches;
  }
}

function readIpcBatches(wire: TSparkArrowBatch, index: number, format: ArrowBatchFormat): RecordBatch[] {
  try {
    const body = format.lz4Compressed ? decodeLz4Frames(wire.batch) : wire.batch;
    return tableFromIPC(Buffer.concat([format.schemaMessage, body])).batches;
  } catch (error) {
    throw new ResultDecodeError(
      `Arrow batch ${index} cannot be read${format.lz4Compressed ? ' (LZ4-compressed)' : ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function normaliseBatch(batch: RecordBatch, format: ArrowBatchFormat): RecordBatch {
  const { columns, types, schema } = format;
  if (batch.numCols !== columns.length) {
    throw new ResultDecodeError(`An Arrow batch has ${batch.numCols} columns but the result schema has ${columns.length}.`);
  }
  const children = batch.data.children.map((data, i) => {
    try {
      return normaliseColumn(data, typeOf(schema.fields[i]!), types[i]!);
    } catch (error) {
      throw new ResultDecodeError(
        `Cannot decode column '${columns[i]!.name}' (${columns[i]!.typeName}) from Arrow ${arrowTypeName(data.type)}: ` +
          `${(error as Error).message}.`,
        { cause: error, column: columns[i]!.name },
      );
    }
  });
  const data = makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
