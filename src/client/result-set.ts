/**
 * The rows of a finished query, read forward once: as plain objects (fetchOne, fetchMany,
 * fetchAll, async iteration) or as an Arrow table (fetchArrow). Every method continues where
 * the previous one stopped. Only the page being read is held in memory, so iterating a
 * result of any size runs in bounded memory.
 */
import { type RecordBatch, type Schema, Table } from 'apache-arrow';
import { ConnectionClosedError, InvalidArgumentError } from '../errors.js';
import { type ColumnInfo, type Row, batchToRows } from '../results/index.js';
import type { PageSource } from './page-source.js';

/** @internal What a ResultSet reads from. */
export interface ResultSetInit {
  columns: ColumnInfo[];
  schema: Schema;
  source: PageSource;
  onClose: () => Promise<void>;
  /** Run `onClose` as soon as the last row has been fetched (execute() frees the query early). */
  closeWhenDone?: boolean;
}

export class ResultSet implements AsyncIterable<Row> {
  /** Name and SQL type of each column, in order. */
  readonly columns: ColumnInfo[];
  private readonly schema: Schema;
  private readonly source: PageSource;
  private readonly onClose: () => Promise<void>;
  /** Batches fetched but not yet started. */
  private queued: RecordBatch[] = [];
  /** The batch being read, its rows (converted on first use) and the read position in it. */
  private current: RecordBatch | null = null;
  private currentRows: Row[] | null = null;
  private position = 0;
  private exhausted = false;
  private closed = false;
  private released = false;
  private readonly closeWhenDone: boolean;

  /** @internal Built by AsyncExecution.getResults() and Connection.execute(). */
  static create(init: ResultSetInit): ResultSet {
    return new ResultSet(init);
  }

  // Private so that the published types offer no constructor: result sets come from queries.
  private constructor(init: ResultSetInit) {
    this.columns = init.columns;
    this.closeWhenDone = init.closeWhenDone ?? false;
    this.schema = init.schema;
    this.source = init.source;
    this.onClose = init.onClose;
  }

  /** The next row, or null when there are no more. */
  async fetchOne(): Promise<Row | null> {
    const rows = await this.fetchMany(1);
    return rows[0] ?? null;
  }

  /** Up to `size` next rows (fewer only at the end of the result). */
  async fetchMany(size: number): Promise<Row[]> {
    if (!Number.isInteger(size) || size < 0) {
      throw new InvalidArgumentError('size', `fetchMany(size) needs a non-negative integer, got ${size}`);
    }
    this.assertOpen();
    const out: Row[] = [];
    while (out.length < size && (await this.advance())) {
      const rows = this.rowsOfCurrent();
      const take = Math.min(size - out.length, rows.length - this.position);
      for (let i = 0; i < take; i++) out.push(rows[this.position + i] as Row);
      this.position += take;
    }
    return out;
  }

  /** All remaining rows. */
  async fetchAll(): Promise<Row[]> {
    this.assertOpen();
    const out: Row[] = [];
    while (await this.advance()) {
      const rows = this.rowsOfCurrent();
      for (let i = this.position; i < rows.length; i++) out.push(rows[i] as Row);
      this.position = rows.length;
    }
    return out;
  }

  /** All remaining rows as an Arrow table (same schema whichever wire format the server used). */
  async fetchArrow(): Promise<Table> {
    this.assertOpen();
    const batches: RecordBatch[] = [];
    while (await this.advance()) {
      const batch = this.current as RecordBatch;
      batches.push(this.position > 0 ? batch.slice(this.position) : batch);
      this.position = batch.numRows;
    }
    return batches.length > 0 ? new Table(batches) : new Table(this.schema);
  }

  /** Streams the remaining rows, one page in memory at a time. */
  async *[Symbol.asyncIterator](): AsyncIterator<Row> {
    this.assertOpen();
    while (await this.advance()) {
      const rows = this.rowsOfCurrent();
      // Drop the converted page before fetching the next one.
      while (this.position < rows.length) {
        const row = rows[this.position++] as Row;
        yield row;
      }
    }
  }

  /** Stops reading; for a result from `Connection.execute()` this also closes the query on the server. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queued = [];
    this.current = null;
    this.currentRows = null;
    await this.release();
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.onClose();
  }

  /** Makes `current` a batch with unread rows; false at the end of the result. */
  private async advance(): Promise<boolean> {
    for (;;) {
      this.assertOpen();
      if (this.current && this.position < this.current.numRows) return true;
      this.current = null;
      this.currentRows = null;
      this.position = 0;
      const next = this.queued.shift();
      if (next) {
        this.current = next;
        continue;
      }
      if (this.exhausted) return false;
      const page = await this.source.next();
      if (page === null) {
        this.exhausted = true;
        if (this.closeWhenDone) await this.release();
        return false;
      }
      this.queued = page;
    }
  }

  private rowsOfCurrent(): Row[] {
    if (this.currentRows === null) this.currentRows = batchToRows(this.current as RecordBatch, this.columns);
    return this.currentRows;
  }

  private assertOpen(): void {
    if (this.closed) throw new ConnectionClosedError('this result set is closed');
  }
}
