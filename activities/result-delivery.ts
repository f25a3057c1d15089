/**
 * Delivers a result as Arrow record batches: inline JSON rows when it is small and no sink was
 * asked for (as before), else parts in a `ResultSink` (see sinks/part-writer.ts), resumably.
 * Rows become JS objects only for an inline result; a sink gets the batches as they come.
 */
import type { RecordBatch } from 'apache-arrow';
import { rowReader, type ColumnInfo } from '../src/results/index.js';
import type { FetchedResult, JsonColumn, JsonRow, ResultFormat } from '../workflows/messages.js';
import { toJsonColumns, toJsonRow } from './json-rows.js';
import { writeParts, type SinkProgress } from './sinks/part-writer.js';
import type { ResultSink } from './sinks/result-sink.js';

/** Where a result goes when it is not inline. */
export interface SinkTarget {
  /** The sink (opened once, on first call); its owner closes it. */
  sink: () => Promise<ResultSink>;
  /** `sinkIdentity(url, format, partRows)`. */
  identity: string;
  format: ResultFormat;
  partRows: number;
}

export interface DeliverOptions {
  columns: readonly ColumnInfo[];
  /** Rows from the start of the result, or from after `resume.parts` when resuming. */
  batches: AsyncIterable<RecordBatch>;
  /** A sink asked for: everything goes there. Without it, inline up to `inlineLimitBytes`, else `overflow`. */
  sink?: SinkTarget;
  overflow: SinkTarget;
  inlineLimitBytes: number;
  /** Parts finished by an earlier attempt (already checked to be in the sink). */
  resume?: SinkProgress;
  recordPart: (progress: SinkProgress) => Promise<void>;
  onProgress: (progress: SinkProgress) => void;
  checkCancelled: () => Promise<void>;
}

export async function deliverResult(options: DeliverOptions): Promise<FetchedResult> {
  const columns = toJsonColumns(options.columns);
  if (options.sink || options.resume) return toSink(options.sink ?? options.overflow, options.batches, columns, options);

  // Inline unless it outgrows the limit; then the batches held so far, and the rest, go to the sink.
  const held: RecordBatch[] = [];
  const rows: JsonRow[] = [];
  let arrowBytes = 0;
  let jsonBytes = 0;
  const source = options.batches[Symbol.asyncIterator]();
  for (;;) {
    const step = await source.next();
    if (step.done) return { columns, rowCount: rows.length, rows };
    const batch = step.value;
    held.push(batch);
    arrowBytes += batch.data.byteLength;
    // Arrow is more compact than JSON: past the limit in Arrow, it is past it in JSON too.
    if (arrowBytes <= options.inlineLimitBytes) {
      // One row at a time: each JS row dies as soon as its JSON form is made.
      const read = rowReader(batch, options.columns);
      for (let i = 0; i < batch.numRows && jsonBytes <= options.inlineLimitBytes; i++) {
        const json = toJsonRow(read(i));
        rows.push(json);
        jsonBytes += Buffer.byteLength(JSON.stringify(json)) + 1;
      }
    }
    if (arrowBytes > options.inlineLimitBytes || jsonBytes > options.inlineLimitBytes) {
      const rest = { [Symbol.asyncIterator]: () => source };
      return toSink(options.overflow, concat(held, rest), columns, options);
    }
  }
}

async function toSink(
  target: SinkTarget,
  batches: AsyncIterable<RecordBatch>,
  columns: JsonColumn[],
  options: DeliverOptions,
): Promise<FetchedResult> {
  const manifest = await writeParts(batches, {
    sink: await target.sink(),
    identity: target.identity,
    format: target.format,
    partRows: target.partRows,
    columns,
    finished: options.resume?.parts ?? [],
    recordPart: options.recordPart,
    onProgress: options.onProgress,
    checkCancelled: options.checkCancelled,
  });
  return { columns, rowCount: manifest.rows, manifest };
}

async function* concat(first: RecordBatch[], rest: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  // Shift as we go, so the held batches can be collected once written.
  while (first.length > 0) yield first.shift()!;
  yield* rest;
}
