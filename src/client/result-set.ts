/**
 * The rows of a finished query, read forward once: as Arrow record batches (arrowBatches,
 * streaming), as plain objects (fetchOne, fetchMany, fetchAll, rowPages, async iteration) or
 * as one Arrow table (fetchArrow). Every method continues where the previous one stopped. All of
 * them read the same stream of batches, which holds only the page being read and the few
 * fetched ahead, so streaming a result of any size runs in bounded memory.
 */
import { type RecordBatch, type Schema, Table } from 'apache-arrow';
import { ConnectionClosedError, InvalidArgumentError } from '../errors.js';
import { type ColumnInfo, type Row, ResultTooLargeError, rowReader } from '../results/index.js';
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
  /** The batch being read, its row maker (made on first use) and the read position in it. */
  private current: RecordBatch | null = null;
  private readRow: ((i: number) => Row) | null = null;
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
      const read = this.readerOfCurrent();
      const end = Math.min(this.position + size - out.length, this.current!.numRows);
      while (this.position < end) out.push(read(this.position++));
    }
    return out;
  }

  /**
   * All remaining rows.
   * @throws ResultTooLargeError when more than `results.fetchAllMaxRows` rows remain; the rows
   * stay unread, to iterate or stream instead.
   */
  async fetchAll(): Promise<Row[]> {
    const batches: Array<RecordBatch | undefined> = await this.takeAll(this.fetchAllMaxRows);
    // Grown by appending: V8 may keep a large `new Array(n)` in slow dictionary mode.
    const rows: Row[] = [];
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!;
      // Each batch goes once its rows are made: the Arrow and the rows are not all held together.
      batches[b] = undefined;
      const read = rowReader(batch, this.columns);
      for (let i = 0; i < batch.numRows; i++) rows.push(read(i));
    }
    return rows;
  }

  /**
   * Streams the remaining rows a page at a time: the rows of each batch the server sent (its
   * page or file, so its size is the server's choice), as one array. Cheaper than iterating
   * row by row; memory is bounded as for `arrowBatches`.
   */
  async *rowPages(): AsyncGenerator<Row[], void, undefined> {
    this.assertOpen();
    while (await this.advance()) {
      const read = this.readerOfCurrent();
      const page: Row[] = [];
      while (this.position < this.current!.numRows) page.push(read(this.position++));
      yield page;
    }
  }

  /** All remaining rows as an Arrow table (same schema whichever wire format the server used). */
  async fetchArrow(): Promise<Table> {
    const batches = await this.takeAll(Number.POSITIVE_INFINITY);
    return batches.length > 0 ? new Table(batches) : new Table(this.arrowSchema);
  }

  /**
   * Streams the remaining rows, one page in memory at a time. Each row is made when asked for
   * and, within a page, comes back in a settled promise at once (no async generator step).
   */
  [Symbol.asyncIterator](): AsyncIterator<Row> {
    this.assertOpen();
    const slow = async (): Promise<IteratorResult<Row>> => {
      if (!(await this.advance())) return { done: true, value: undefined };
      return { done: false, value: this.readerOfCurrent()(this.position++) };
    };
    return {
      next: () => {
        const read = this.readRow;
        if (read !== null && this.position < this.current!.numRows && !this.closed) {
          return Promise.resolve({ done: false, value: read(this.position++) });
        }
        return slow();
      },
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }

  /** Stops reading; for a result from `Connection.execute()` this also closes the query on the server. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queued = [];
    this.current = null;
    this.readRow = null;
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
      this.readRow = null;
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

  private readerOfCurrent(): (i: number) => Row {
    if (this.readRow === null) this.readRow = rowReader(this.current as RecordBatch, this.columns);
    return this.readRow;
  }

  private assertOpen(): void {
    if (this.closed) throw new ConnectionClosedError('this result set is closed');
  }
}
