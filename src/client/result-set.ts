/**
 * The rows of a finished query, read forward once: as Arrow record batches (arrowBatches,
 * streaming), as plain objects (fetchOne, fetchMany, fetchAll, async iteration) or as one
 * Arrow table (fetchArrow). Every method continues where the previous one stopped. All of
 * them read the same stream of batches, which holds only the page being read and the few
 * fetched ahead, so streaming a result of any size runs in bounded memory.
 */
import { type RecordBatch, type Schema, Table } from 'apache-arrow';
import { ConnectionClosedError, InvalidArgumentError } from '../errors.js';
import { type ColumnInfo, type Row, ResultTooLargeError, batchToRows } from '../results/index.js';
import type { PageSource } from './page-source.js';
import { DEFAULT_FETCH_ALL_MAX_ROWS } from './result-options.js';

/** @internal What a ResultSet reads from. */
export interface ResultSetInit {
  columns: ColumnInfo[];
  schema: Schema;
  source: PageSource;
  onClose: () => Promise<void>;
  /** Run `onClose` as soon as the last row has been fetched (execute() frees the query early). */
  closeWhenDone?: boolean;
  /** Most rows fetchAll() returns (the results.fetchAllMaxRows option; default 1000000). */
  fetchAllMaxRows?: number;
  /** Rows a DML statement changed, when the server said. */
  modifiedRowCount?: number;
}

export class ResultSet implements AsyncIterable<Row> {
  /** Name and SQL type of each column, in order. */
  readonly columns: ColumnInfo[];
  /** The Arrow schema of every batch and table this result set gives (the same for every wire format). */
  readonly arrowSchema: Schema;
  /**
   * Rows an INSERT, UPDATE, DELETE or MERGE changed, as the server reports it (Databricks' and
   * the Python connector's `rowcount`); undefined for other statements or when the server does not say.
   */
  readonly modifiedRowCount: number | undefined;
  private readonly source: PageSource;
  private readonly onClose: () => Promise<void>;
  private readonly fetchAllMaxRows: number;
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
    this.arrowSchema = init.schema;
    this.modifiedRowCount = init.modifiedRowCount;
    this.source = init.source;
    this.onClose = init.onClose;
    this.fetchAllMaxRows = init.fetchAllMaxRows ?? DEFAULT_FETCH_ALL_MAX_ROWS;
  }

  /**
   * Streams the remaining rows as Arrow record batches with `arrowSchema`, in order, holding
   * only a bounded number of batches whatever the result size (see the `results` connect
   * option). A batch is the server's page or file, so its size is the server's choice.
   */
  async *arrowBatches(): AsyncGenerator<RecordBatch, void, undefined> {
    this.assertOpen();
    while (await this.advance()) yield this.takeCurrent();
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

  /**
   * All remaining rows.
   * @throws ResultTooLargeError when more than `results.fetchAllMaxRows` rows remain; the rows
   * stay unread, to iterate or stream instead.
   */
  async fetchAll(): Promise<Row[]> {
    const batches = await this.takeAll(this.fetchAllMaxRows);
    return batches.flatMap((batch) => batchToRows(batch, this.columns));
  }

  /** All remaining rows as an Arrow table (same schema whichever wire format the server used). */
  async fetchArrow(): Promise<Table> {
    const batches = await this.takeAll(Number.POSITIVE_INFINITY);
    return batches.length > 0 ? new Table(batches) : new Table(this.arrowSchema);
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
    this.source.close();
    await this.release();
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.onClose();
  }

  /** The remaining batches, unless they hold more than `limit` rows: then they stay unread. */
  private async takeAll(limit: number): Promise<RecordBatch[]> {
    this.assertOpen();
    const taken: RecordBatch[] = [];
    let rows = 0;
    while (await this.advance()) {
      const batch = this.takeCurrent();
      rows += batch.numRows;
      taken.push(batch);
      if (rows > limit) {
        this.queued = [...taken, ...this.queued];
        throw new ResultTooLargeError(limit);
      }
    }
    return taken;
  }

  /** The unread rows of `current` as a batch, now read. */
  private takeCurrent(): RecordBatch {
    const batch = this.current as RecordBatch;
    const rest = this.position > 0 ? batch.slice(this.position) : batch;
    this.position = batch.numRows;
    return rest;
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
