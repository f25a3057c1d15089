/**
 * Part encoders: turn the record batches of one part into the bytes of one file, streaming
 * (a part is never held whole as rows, and only as much as its format needs as bytes).
 */
import type { RecordBatch } from 'apache-arrow';
import type { JsonColumn, ResultFormat } from '../../../workflows/messages.js';
import { encodeArrowIpc } from './arrow-ipc-encoder.js';
import { encodeCsv } from './csv-encoder.js';
import { encodeJsonLines } from './json-lines-encoder.js';
import { encodeParquet } from './parquet-encoder.js';

/** Encodes the batches of one part (all the same schema) into the bytes of one file. */
export type PartEncoder = (batches: AsyncIterable<RecordBatch>, columns: readonly JsonColumn[]) => AsyncIterable<Uint8Array>;

export const PART_ENCODERS: Record<ResultFormat, { extension: string; encode: PartEncoder }> = {
  parquet: { extension: 'parquet', encode: encodeParquet },
  arrow: { extension: 'arrow', encode: encodeArrowIpc },
  csv: { extension: 'csv', encode: encodeCsv },
  jsonl: { extension: 'jsonl', encode: encodeJsonLines },
};
