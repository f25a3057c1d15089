/**
 * Where a ResultSet's pages of rows come from: the batches already held (a direct result) or
 * FetchResults calls. Contract: `next()` resolves to the next non-empty list of batches, or null
 * once the result is exhausted; after null it keeps answering null.
 */
import type { RecordBatch } from 'apache-arrow';
import type { OperationRef, ThriftBackend } from '../backend/thrift-backend.js';
import type { RowSetDecoder } from '../results/index.js';

export interface PageSource {
  next(): Promise<RecordBatch[] | null>;
}

/** Page size of FetchResults. */
export interface FetchSizes {
  /** Rows asked per FetchResults call. */
  maxRows: number;
  /** Bytes asked per FetchResults call (a hint the server may follow). */
  maxBytes: number;
}

/** Serves batches that are already in memory, from a row offset. */
export class HeldPages implements PageSource {
  private batches: RecordBatch[] | null;

  constructor(batches: RecordBatch[], startRowOffset: number) {
    this.batches = skipRows(batches, startRowOffset);
  }

  async next(): Promise<RecordBatch[] | null> {
    const batches = this.batches;
    this.batches = null;
    return batches && batches.length > 0 ? batches : null;
  }
}

/**
 * Fetches pages from the server. On Spark servers every call names its absolute row offset, so
 * any number of readers (two connections, a retried reader) each see the whole result. A
 * HiveServer2 cursor has no offsets: the first call restarts it (FETCH_FIRST) and rows before
 * the offset are skipped here.
 */
export class ServerPages implements PageSource {
  private offset: number;
  private toSkip: number;
  private first = true;
  private done = false;
  // Guards against a server that keeps saying "more rows" while sending none.
  private emptyReplies = 0;

  constructor(
    private readonly backend: ThriftBackend,
    private readonly operation: OperationRef,
    private readonly decoder: RowSetDecoder,
    private readonly sizes: FetchSizes,
    private readonly rowOffsets: boolean,
    startRowOffset: number,
  ) {
    this.offset = rowOffsets ? startRowOffset : 0;
    this.toSkip = rowOffsets ? 0 : startRowOffset;
  }

  async next(): Promise<RecordBatch[] | null> {
    while (!this.done) {
      const reply = await this.backend.fetchResults(this.operation, {
        maxRows: this.sizes.maxRows,
        // Byte limits and row offsets are Databricks extensions: HiveServer2 peers get neither.
        maxBytes: this.rowOffsets ? this.sizes.maxBytes : undefined,
        startRowOffset: this.rowOffsets ? this.offset : undefined,
        fromStart: !this.rowOffsets && this.first,
      });
      this.first = false;
      const batches = reply.results ? this.decoder.decode(reply.results) : [];
      const rows = countRows(batches);
      this.offset += rows;
      if (!reply.hasMoreRows) this.done = true;
      if (rows === 0) {
        if (++this.emptyReplies >= 3) this.done = true;
        continue;
      }
      this.emptyReplies = 0;
      const kept = this.skip(batches, rows);
      if (kept.length > 0) return kept;
    }
    return null;
  }

  /** Drops what is left of the rows before the start offset from a page of `rows` rows. */
  private skip(batches: RecordBatch[], rows: number): RecordBatch[] {
    if (this.toSkip === 0) return batches;
    const kept = skipRows(batches, this.toSkip);
    this.toSkip = Math.max(0, this.toSkip - rows);
    return kept;
  }
}

function countRows(batches: readonly RecordBatch[]): number {
  return batches.reduce((sum, batch) => sum + batch.numRows, 0);
}

/** Drops the first `count` rows of a list of batches. */
export function skipRows(batches: readonly RecordBatch[], count: number): RecordBatch[] {
  let remaining = count;
  const kept: RecordBatch[] = [];
  for (const batch of batches) {
    if (remaining >= batch.numRows) {
      remaining -= batch.numRows;
      continue;
    }
    kept.push(remaining > 0 ? batch.slice(remaining) : batch);
    remaining = 0;
  }
  return kept;
}
