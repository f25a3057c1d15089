/**
 * Writes a stream of Arrow record batches to a `ResultSink` as parts keyed by their first row,
 * then the manifest, last. The protocol that makes a result exactly once across retries:
 * - part k holds rows [k * partRows, (k + 1) * partRows), so its name depends only on where it
 *   starts: a retry that resumes at a part boundary rewrites the same name, replacing whatever
 *   an interrupted attempt left (sinks never expose half-written objects);
 * - each finished part is recorded (heartbeated) before the next one starts, and a retry
 *   resumes after the last recorded part;
 * - the manifest is removed first and written last: a reader who finds it finds every part.
 */
import { createHash } from 'node:crypto';
import type { RecordBatch } from 'apache-arrow';
import type { JsonColumn, ResultFormat, ResultManifest, ResultPart } from '../../workflows/messages.js';
import { PART_ENCODERS } from './formats/part-encoder.js';
import type { ResultSink } from './result-sink.js';

const MANIFEST_NAME = 'manifest.json';

/** What a fetch attempt heartbeats while writing to a sink. */
export interface SinkProgress {
  /** Identifies the sink and layout, so a retry only reuses parts of the same result. */
  sink: string;
  /** Parts finished, contiguous from row 0. */
  parts: ResultPart[];
  /** Rows and bytes written so far, including the part being written (for progress displays). */
  rowsWritten: number;
  bytesWritten: number;
}

export interface WritePartsOptions {
  sink: ResultSink;
  /** `sinkIdentity` of the settings: progress carries it. */
  identity: string;
  format: ResultFormat;
  partRows: number;
  columns: JsonColumn[];
  /** Parts an earlier attempt finished; `batches` starts right after them. */
  finished: ResultPart[];
  /** Records a finished part durably (resolves once a retry would see it). */
  recordPart: (progress: SinkProgress) => Promise<void>;
  /** Reports progress within a part (may be throttled). */
  onProgress: (progress: SinkProgress) => void;
  /** Throws when the fetch was cancelled. */
  checkCancelled: () => Promise<void>;
}

/** The `sink` field of progress for these settings. */
export function sinkIdentity(url: string, format: ResultFormat, partRows: number): string {
  return `${url}|${format}|${partRows}`;
}

function partName(startRow: number, format: ResultFormat): string {
  return `part-${String(startRow).padStart(12, '0')}.${PART_ENCODERS[format].extension}`;
}

export async function writeParts(batches: AsyncIterable<RecordBatch>, options: WritePartsOptions): Promise<ResultManifest> {
  const { sink, format, partRows, columns, identity } = options;
  const parts = [...options.finished];
  let startRow = parts.reduce((sum, p) => sum + p.rows, 0);
  let finishedBytes = parts.reduce((sum, p) => sum + p.bytes, 0);
  const progress = (rows: number, bytes: number): SinkProgress => ({
    sink: identity,
    parts: [...parts],
    rowsWritten: startRow + rows,
    bytesWritten: finishedBytes + bytes,
  });

  await sink.remove(MANIFEST_NAME);
  const source = nonEmpty(batches)[Symbol.asyncIterator]();
  let carry: RecordBatch | undefined;
  const next = async (): Promise<RecordBatch | undefined> => {
    if (carry) {
      const batch = carry;
      carry = undefined;
      return batch;
    }
    const step = await source.next();
    return step.done ? undefined : step.value;
  };

  for (;;) {
    carry = await next();
    if (!carry) break;
    let rows = 0;
    let bytes = 0;
    // The batches of this part: up to partRows rows, the rest of a straddling batch carried over.
    const partBatches = async function* (): AsyncGenerator<RecordBatch> {
      while (rows < partRows) {
        const batch = await next();
        if (!batch) return;
        const room = partRows - rows;
        const taken = batch.numRows > room ? batch.slice(0, room) : batch;
        if (taken !== batch) carry = batch.slice(room);
        rows += taken.numRows;
        yield taken;
        options.onProgress(progress(rows, bytes));
        await options.checkCancelled();
      }
    };
    const hash = createHash('sha256');
    const counted = async function* (chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.byteLength;
        yield chunk;
      }
    };
    const name = partName(startRow, format);
    await sink.write(name, counted(PART_ENCODERS[format].encode(partBatches(), columns)));
    parts.push({ name, startRow, rows, bytes, sha256: hash.digest('hex') });
    startRow += rows;
    finishedBytes += bytes;
    await options.recordPart(progress(0, 0));
  }

  const manifest: ResultManifest = {
    location: manifestLocation(sink.location),
    format,
    rows: startRow,
    bytes: finishedBytes,
    schema: columns,
    parts,
  };
  await sink.write(MANIFEST_NAME, [Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8')]);
  return manifest;
}

function manifestLocation(sinkLocation: string): string {
  return `${sinkLocation.replace(/\/+$/, '')}/${MANIFEST_NAME}`;
}

async function* nonEmpty(batches: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) if (batch.numRows > 0) yield batch;
}
