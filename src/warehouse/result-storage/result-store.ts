/**
 * A result spilled to disk as it is produced: one Arrow IPC stream file of canonical record
 * batches in the spool, with an index of where each batch starts. Memory holds the index and
 * at most one decoded batch, whatever the result's size; any reader reads from any row
 * (FetchResults with a startRowOffset, a second reader, a retried fetch).
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import {
  type DataType,
  type Field,
  makeData,
  RecordBatch,
  RecordBatchReader,
  type Schema,
  Struct,
  Table,
  tableToIPC,
} from 'apache-arrow';
import { SqlStatementError } from '../errors.js';
import type { Spool } from './spool.js';
import type { ResultColumn } from '../types.js';

export interface ResultSlice {
  /** The row of the first sliced row. */
  readonly startRow: number;
  readonly batches: readonly RecordBatch[];
  readonly rowCount: number;
}

/** Where one stored batch lies in the file. */
interface BatchEntry {
  readonly startRow: number;
  readonly rows: number;
  readonly offset: number;
  readonly length: number;
  /** Bytes of its Arrow buffers once decoded. */
  readonly arrowBytes: number;
}

/** What sends stored batches to a client: the wire types it asked for (see arrow-encode.ts). */
export interface BatchEncoder {
  /** Whether a stored batch's IPC message is already the message sent: same buffers, same types. */
  sendsAsStored(stored: Schema): boolean;
  /** The message sent for a batch. */
  encode(batch: RecordBatch): Uint8Array;
}

/** Bytes of a file, from `offset`. */
export interface FileRange {
  readonly path: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Stored rows as the IPC record batch messages a client is sent: encoded in memory, or the
 * stored messages themselves, where they lie in the store's file.
 */
export type EncodedSlice = { readonly startRow: number; readonly rowCount: number } & (
  { readonly messages: readonly Uint8Array[] } | { readonly stored: FileRange }
);

/** The IPC end-of-stream marker that `tableToIPC` writes after the last message. */
const END_OF_STREAM_BYTES = 8;

export class ResultStore {
  private readonly entries: BatchEntry[] = [];
  private rows = 0;
  private fileBytes = 0;
  private arrowBytes = 0;
  private released = false;
  /** The last decoded batch: sequential fetches smaller than a batch read the file once. */
  private cached: { index: number; batch: RecordBatch } | undefined;

  private constructor(
    readonly columns: readonly ResultColumn[],
    readonly schema: Schema,
    private readonly spool: Spool,
    private readonly path: string,
    private readonly file: FileHandle,
    /** The IPC schema message that starts the file. */
    private readonly schemaBytes: Uint8Array,
  ) {}

  /** A new, empty result file named after the query. */
  static async create(spool: Spool, name: string, columns: readonly ResultColumn[], schema: Schema): Promise<ResultStore> {
    const path = spool.path(`${name}.arrows`);
    const file = await open(path, 'w+');
    const empty = tableToIPC(new Table(schema), 'stream');
    const schemaBytes = empty.subarray(0, empty.length - END_OF_STREAM_BYTES);
    const store = new ResultStore(columns, schema, spool, path, file, schemaBytes);
    try {
      spool.reserve(schemaBytes.length);
      store.fileBytes = schemaBytes.length;
      await file.write(schemaBytes, 0, schemaBytes.length, 0);
    } catch (error) {
      await store.release();
      throw error;
    }
    return store;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Stored record batches (a column-based reply carries at most one). */
  get batchCount(): number {
    return this.entries.length;
  }

  /** Bytes of Arrow buffers the result holds once decoded. */
  get byteSize(): number {
    return this.arrowBytes;
  }

  /** Appends a batch to the file; SqlStatementError (54000) past the spool's disk cap. */
  async append(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    const stream = tableToIPC(new Table([batch]), 'stream');
    const message = stream.subarray(this.schemaBytes.length, stream.length - END_OF_STREAM_BYTES);
    this.spool.reserve(message.length);
    const offset = this.fileBytes;
    this.fileBytes += message.length;
    await this.file.write(message, 0, message.length, offset);
    const arrowBytes = batchBytes(batch);
    this.entries.push({ startRow: this.rows, rows: batch.numRows, offset, length: message.length, arrowBytes });
    this.rows += batch.numRows;
    this.arrowBytes += arrowBytes;
  }

  /**
   * Rows from `startRow`, at most `maxRows` of them and about `maxBytes` (at least one row,
   * so that a reader always advances). `singleBatch` keeps the slice within one stored batch.
   */
  async slice(startRow: number, maxRows: number, maxBytes: number, singleBatch = false): Promise<ResultSlice> {
    const batches: RecordBatch[] = [];
    let row = Math.max(0, startRow);
    let taken = 0;
    let bytes = 0;
    let index = this.batchIndexOf(row);
    while (index < this.entries.length && taken < maxRows && (taken === 0 || bytes < maxBytes)) {
      const entry = this.entries[index];
      if (!entry) break;
      const batch = await this.batch(index);
      const offset = row - entry.startRow;
      const bytesPerRow = entry.arrowBytes / entry.rows;
      const byBytes = Math.max(1, Math.floor((maxBytes - bytes) / Math.max(1, bytesPerRow)));
      const count = Math.min(entry.rows - offset, maxRows - taken, byBytes);
      batches.push(offset === 0 && count === entry.rows ? batch : batch.slice(offset, offset + count));
      taken += count;
      row += count;
      bytes += count * bytesPerRow;
      index += 1;
      // Cut short by the limits: the next rows are in this batch still, so stop here.
      if (singleBatch || offset + count < entry.rows) break;
    }
    return { startRow: Math.max(0, startRow), batches, rowCount: taken };
  }

  /**
   * Rows from `startRow` as `encoder` sends them: at most `maxBytes` of Arrow buffers (whole
   * stored batches) or of messages (sliced ones), at least one row. When the client reads the
   * stored types, `startRow` starts a stored batch and that batch fits in `maxBytes`, the
   * slice is the range of the file holding whole stored messages (nothing read, decoded or
   * re-encoded; valid until release()); otherwise the batches are sliced and encoded.
   */
  async encodedSlice(startRow: number, maxBytes: number, encoder: BatchEncoder): Promise<EncodedSlice> {
    const first = this.batchIndexOf(Math.max(0, startRow));
    const whole = this.entries[first];
    if (!encoder.sendsAsStored(this.schema) || whole?.startRow !== startRow || whole.arrowBytes > maxBytes) {
      return this.encodedWithin(startRow, maxBytes, encoder);
    }
    let last = first;
    let bytes = whole.arrowBytes;
    // Whole batches, as many as fit.
    while (last + 1 < this.entries.length && bytes + this.entries[last + 1]!.arrowBytes <= maxBytes) {
      bytes += this.entries[++last]!.arrowBytes;
    }
    if (this.released) throw new SqlStatementError('The result was freed while it was read.', 'HY010');
    const to = this.entries[last]!;
    const stored = { path: this.path, offset: whole.offset, length: to.offset + to.length - whole.offset };
    return { startRow, rowCount: to.startRow + to.rows - startRow, stored };
  }

  /**
   * Rows from `startRow`, sliced and encoded, whose messages come to at most `maxBytes`, or a
   * single row when that row alone is larger.
   */
  private async encodedWithin(startRow: number, maxBytes: number, encoder: BatchEncoder): Promise<EncodedSlice> {
    const encode = async (maxRows: number, sliceBytes: number) => {
      const slice = await this.slice(startRow, maxRows, sliceBytes);
      const messages = slice.batches.map((batch) => encoder.encode(batch));
      const bytes = messages.reduce((sum, message) => sum + message.byteLength, 0);
      return { startRow: slice.startRow, rowCount: slice.rowCount, messages, bytes };
    };
    // Rows are first cut by their batch's average size, which the rows taken can pass (longer
    // strings, a text form longer than the stored value, one huge row among small ones). Then
    // they are cut again, by the size measured, until the messages fit: the first re-cut by
    // that ratio alone (one re-cut in the common case), later ones by at least half, so a row
    // far above the average costs a few re-cuts, not one per row.
    let tried = await encode(Number.MAX_SAFE_INTEGER, maxBytes);
    for (let recut = 0; tried.bytes > maxBytes && tried.rowCount > 1; recut++) {
      const byRatio = Math.floor((tried.rowCount * maxBytes * 0.98) / tried.bytes);
      const rows = Math.max(1, Math.min(byRatio, recut === 0 ? tried.rowCount - 1 : tried.rowCount >> 1));
      tried = await encode(rows, Number.POSITIVE_INFINITY);
    }
    return { startRow: tried.startRow, rowCount: tried.rowCount, messages: tried.messages };
  }

  /** A batch of no rows, for a read past the end. */
  empty(): RecordBatch {
    return new RecordBatch(
      this.schema,
      makeData({
        type: new Struct(this.schema.fields),
        length: 0,
        nullCount: 0,
        children: this.schema.fields.map((f: Field<DataType>) =>
          makeData({ type: f.type, length: 0, nullCount: 0 } as Parameters<typeof makeData>[0]),
        ),
      }),
    );
  }

  /** Closes and deletes the file; later reads fail with SqlStatementError. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.cached = undefined;
    this.spool.release(this.fileBytes);
    await this.file.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }

  private async batch(index: number): Promise<RecordBatch> {
    if (this.cached?.index === index) return this.cached.batch;
    const entry = this.entries[index];
    if (this.released || !entry) throw new SqlStatementError('The result was freed while it was read.', 'HY010');
    const bytes = Buffer.allocUnsafe(this.schemaBytes.length + entry.length);
    bytes.set(this.schemaBytes, 0);
    const { bytesRead } = await this.file.read(bytes, this.schemaBytes.length, entry.length, entry.offset).catch(() => {
      throw new SqlStatementError('The result was freed while it was read.', 'HY010');
    });
    if (bytesRead !== entry.length) throw new SqlStatementError('A spooled result file was cut short.', 'XX000');
    const batch = RecordBatchReader.from(bytes).next().value as RecordBatch | undefined;
    if (!batch) throw new SqlStatementError('A spooled result file holds no batch where its index says.', 'XX000');
    this.cached = { index, batch };
    return batch;
  }

  /** Index of the batch holding `row` (the batch count when past the end). */
  private batchIndexOf(row: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const entry = this.entries[mid];
      if (entry && entry.startRow + entry.rows <= row) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function batchBytes(batch: RecordBatch): number {
  return batch.data.children.reduce((sum, child) => sum + child.byteLength, 0);
}
