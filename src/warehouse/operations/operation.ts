/**
 * One statement's life on the warehouse, as a small state machine that owns its state:
 *
 *   PENDING -> RUNNING -> FINISHED | ERROR | CANCELED | TIMEDOUT
 *
 * (a statement refused before it ran starts in ERROR). `close()` frees the result whatever
 * the state, cancelling a statement still running. Callers ask and command through methods;
 * nothing outside writes its fields. The query history shows it through `record()`.
 */
import type { ArrowWireOptions } from '../encoding/arrow-encode.js';
import { ArrowWireEncoder } from '../encoding/arrow-encode.js';
import type { PreparedStatement } from '../statements/prepared-statement.js';
import type { TSparkArrowResultLink } from '../../thrift/index.js';
import type { ResultFile, ResultFiles } from '../result-storage/result-files.js';
import { SqlStatementError } from '../errors.js';
import { newHandleBytes, uuidOf } from './handles.js';
import type { QueryRecord, Recorded } from './query-history.js';
import { ResultStore, type ResultSlice } from '../result-storage/result-store.js';
import type { Spool } from '../result-storage/spool.js';

/** The IPC end-of-stream marker: continuation token and a zero length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export type OperationState = 'PENDING' | 'RUNNING' | 'FINISHED' | 'ERROR' | 'CANCELED' | 'TIMEDOUT';

/** How the result goes to the client that submitted it: Arrow (with options) or column-based. */
export interface ResultFormat {
  readonly arrow: ArrowWireOptions | null;
  /** The client downloads result files from links (canDownloadResult); Arrow only. */
  readonly canDownload: boolean;
}

/** When and how a result goes by cloud fetch links rather than inline. */
export interface CloudFetchOptions {
  readonly files: ResultFiles;
  /** @format bytes. Results above this (Arrow buffers) go by links, to clients that can download. */
  readonly thresholdBytes: number;
  /** @format bytes. About this much of the result (Arrow buffers) per file. */
  readonly fileBytes: number;
}

/** What a run needs beyond the prepared statement. */
export interface RunOptions {
  /** Where the result spills; a result past its disk cap fails the run (SQLSTATE 54000). */
  readonly spool: Spool;
  /** @format seconds. Stop the statement after this long; 0 for no limit. */
  readonly timeoutSeconds: number;
  readonly cloudFetch: CloudFetchOptions;
  /** Awaited once the statement is RUNNING, before DuckDB executes it. */
  readonly hold?: (info: { queryId: string; statement: string }) => Promise<void>;
  /** Keep at most this many rows of the result (the client's resultRowLimit). */
  readonly rowLimit?: number;
  /** @format bytes. Most Arrow bytes any one reply (and so any one batch) carries (maxBytesPerBatch). */
  readonly maxBytesPerBatch?: number;
}

/** Where a fetch starts: a row, or the row after the previous fetch. */
export type FetchStart = number | 'next';

export class Operation implements Recorded {
  readonly guid = newHandleBytes();
  readonly secret = newHandleBytes();
  readonly queryId = uuidOf(this.guid);
  readonly submittedAt = new Date();
  /** Settles when the statement has ended, whichever way. */
  readonly done: Promise<void>;

  #state: OperationState = 'PENDING';
  #endedAt: Date | undefined;
  #error: SqlStatementError | undefined;
  #store: ResultStore | undefined;
  #rowCount: number | undefined;
  #modifiedRows: number | undefined;
  #maxBytesPerBatch = Number.POSITIVE_INFINITY;
  #encoder: ArrowWireEncoder | undefined;
  #closed = false;
  /** Next row for a FETCH_NEXT. */
  #cursor = 0;
  #lastAccess = Date.now();
  #prepared: PreparedStatement | undefined;
  #cloudFetch: CloudFetchOptions | undefined;
  /** Cloud fetch files by their first row, written once and shared by every reader. */
  readonly #files = new Map<number, Promise<ResultFile>>();
  #fileEncoder: ArrowWireEncoder | undefined;
  #settle!: () => void;
  #staging = false;

  private constructor(
    readonly statement: string,
    readonly format: ResultFormat,
  ) {
    this.done = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Starts running a prepared statement; the operation is PENDING until a slot is free. */
  static start(statement: string, format: ResultFormat, prepared: PreparedStatement, options: RunOptions): Operation {
    const operation = new Operation(statement, format);
    operation.#prepared = prepared;
    operation.#staging = prepared.staging;
    operation.#cloudFetch = options.cloudFetch;
    operation.#maxBytesPerBatch = options.maxBytesPerBatch ?? Number.POSITIVE_INFINITY;
    const hold = options.hold;
    prepared
      .run((columns, schema) => ResultStore.create(options.spool, operation.queryId, columns, schema), {
        onStart: () => operation.#markRunning(),
        hold: hold ? () => hold({ queryId: operation.queryId, statement }) : undefined,
        rowLimit: options.rowLimit,
      })
      .then(
        (store) => operation.#finish(store),
        (error: unknown) =>
          operation.#fail(error instanceof SqlStatementError ? error : new SqlStatementError(String(error), 'XX000')),
      );
    if (options.timeoutSeconds > 0) {
      const timer = setTimeout(() => operation.#timeOut(options.timeoutSeconds), options.timeoutSeconds * 1000);
      timer.unref();
      void operation.done.then(() => clearTimeout(timer));
    }
    return operation;
  }

  /** A statement that never ran (it did not parse or bind): ERROR from the start. */
  static refused(statement: string, format: ResultFormat, error: SqlStatementError): Operation {
    const operation = new Operation(statement, format);
    operation.#fail(error);
    return operation;
  }

  get state(): OperationState {
    return this.#state;
  }

  /** A staging statement (PUT, GET, REMOVE), flagged isStagingOperation in its result metadata. */
  get isStaging(): boolean {
    return this.#staging;
  }

  get isTerminal(): boolean {
    return this.#state !== 'PENDING' && this.#state !== 'RUNNING';
  }

  /** Why it failed or was stopped, when it did. */
  get error(): SqlStatementError | undefined {
    return this.#error;
  }

  get endedAt(): Date | undefined {
    return this.#endedAt;
  }

  /** Marks the operation as used now (every client call on it does). */
  touch(now = Date.now()): void {
    this.#lastAccess = now;
  }

  /** Ended, and untouched for `idleMs` by `now`: its result may be freed. Running ones never are. */
  isIdle(idleMs: number, now = Date.now()): boolean {
    return this.isTerminal && now - this.#lastAccess >= idleMs;
  }

  /** The finished result; SqlStatementError (HY010) naming why when there is none to read. */
  result(): ResultStore {
    if (this.#state === 'FINISHED' && this.#store) return this.#store;
    const why =
      this.#state === 'ERROR' && this.#error
        ? `it failed: ${this.#error.message}`
        : `it is ${this.#closed ? 'CLOSED' : this.#state}`;
    throw new SqlStatementError(`Query ${this.queryId} has no result to read: ${why}.`, 'HY010');
  }

  /** The Arrow encoder for this client's options (one per operation), or undefined for column-based. */
  encoder(): ArrowWireEncoder | undefined {
    if (!this.format.arrow) return undefined;
    this.#encoder ??= new ArrowWireEncoder(this.result().columns, this.format.arrow);
    return this.#encoder;
  }

  /**
   * Rows from `start` (bounded as ResultStore.slice says); the next 'next' fetch continues
   * after them. Any reader may read from any row: the result is not consumed.
   */
  async fetch(start: FetchStart, maxRows: number, maxBytes: number, singleBatch: boolean): Promise<ResultSlice> {
    const from = start === 'next' ? this.#cursor : start;
    const bytes = Math.min(maxBytes, this.#maxBytesPerBatch);
    const slice = await this.result().slice(from, Math.max(1, maxRows), bytes, singleBatch);
    this.#cursor = slice.startRow + slice.rowCount;
    return slice;
  }

  /** Whether the finished result goes by cloud fetch links: the client can download, and it is large. */
  servesLinks(): boolean {
    const cloudFetch = this.#cloudFetch;
    return (
      cloudFetch !== undefined &&
      this.format.canDownload &&
      this.format.arrow !== null &&
      this.result().byteSize > cloudFetch.thresholdBytes
    );
  }

  /**
   * The cloud fetch file starting at `startRow` (written on first use, then shared), or
   * undefined past the last row.
   */
  async resultFile(startRow: number): Promise<ResultFile | undefined> {
    const store = this.result();
    const cloudFetch = this.#cloudFetch;
    if (startRow >= store.rowCount || !cloudFetch || !this.format.arrow) return undefined;
    let file = this.#files.get(startRow);
    if (!file) {
      // Files hold whole Arrow streams, LZ4-framed as a whole when asked, not per message.
      const encoder = (this.#fileEncoder ??= new ArrowWireEncoder(store.columns, { ...this.format.arrow, lz4: false }));
      const lz4 = this.format.arrow.lz4;
      // The client's maxBytesPerBatch bounds a file too (a row larger than it goes alone).
      const fileBytes = Math.min(cloudFetch.fileBytes, this.#maxBytesPerBatch);
      file = store.encodedSlice(startRow, fileBytes, encoder).then((slice) => {
        const messages = 'stored' in slice ? slice.stored : slice.messages;
        return cloudFetch.files.write(encoder.schemaBytes, messages, END_OF_STREAM, lz4, slice.startRow, slice.rowCount);
      });
      this.#files.set(startRow, file);
      // A failed write is not kept: the next fetch tries again.
      file.catch(() => this.#files.delete(startRow));
    }
    return file;
  }

  /** A signed link to one of this operation's files. */
  link(file: ResultFile): TSparkArrowResultLink {
    if (!this.#cloudFetch) throw new SqlStatementError('This result is not served by cloud fetch.', 'HY000');
    return this.#cloudFetch.files.link(file);
  }

  /** Rows a finished INSERT, UPDATE, DELETE or MERGE changed; undefined for other statements. */
  get modifiedRows(): number | undefined {
    return this.#modifiedRows;
  }

  /** @format bytes. The client's cap on one reply's Arrow bytes; infinite when it set none. */
  get maxBytesPerBatch(): number {
    return this.#maxBytesPerBatch;
  }

  /** The row after the last one served, where a FETCH_NEXT continues. */
  get cursor(): number {
    return this.#cursor;
  }

  /** Moves FETCH_NEXT on to `row` (after serving links up to it). */
  advanceTo(row: number): void {
    this.#cursor = row;
  }

  /** Interrupts a statement not yet ended; cancelling an ended one changes nothing. */
  cancel(): void {
    if (this.isTerminal) return;
    this.#prepared?.cancel();
    this.#end('CANCELED');
  }

  /** Frees the result and its files (cancelling a statement still running). */
  close(): void {
    this.cancel();
    this.#closed = true;
    void this.#store?.release();
    this.#store = undefined;
    this.#encoder = undefined;
    const files = this.#cloudFetch?.files;
    for (const file of this.#files.values()) {
      file.then((written) => files?.remove(written.id)).catch(() => undefined);
    }
    this.#files.clear();
  }

  record(): QueryRecord {
    const record: QueryRecord = {
      queryId: this.queryId,
      statement: this.statement,
      // The history shows a timed-out statement as cancelled (the reason is its error), and a
      // finished one whose result was freed as closed.
      state: this.#state === 'TIMEDOUT' ? 'CANCELED' : this.#state === 'FINISHED' && this.#closed ? 'CLOSED' : this.#state,
      submittedAt: this.submittedAt,
    };
    if (this.#endedAt) record.endedAt = this.#endedAt;
    if (this.#rowCount !== undefined) record.rowCount = this.#rowCount;
    if (this.#error) record.errorMessage = this.#error.message;
    return record;
  }

  #markRunning(): void {
    if (this.#state === 'PENDING') this.#state = 'RUNNING';
  }

  #finish(store: ResultStore): void {
    if (this.isTerminal) {
      // Cancelled or timed out as the last rows were written: nobody will read them.
      void store.release();
      return;
    }
    this.#store = store;
    this.#rowCount = store.rowCount;
    this.#modifiedRows = this.#prepared?.modifiedRows;
    this.#end('FINISHED');
  }

  #fail(error: SqlStatementError): void {
    if (this.isTerminal) return;
    this.#error = error;
    this.#end('ERROR');
  }

  /** Stops a statement that ran past its queryTimeout; its error says why. */
  #timeOut(seconds: number): void {
    if (this.isTerminal) return;
    this.#error = new SqlStatementError(`The statement ran longer than its query timeout of ${seconds} s.`, '57014');
    this.#prepared?.cancel();
    this.#end('TIMEDOUT');
  }

  #end(state: OperationState): void {
    this.#state = state;
    this.#endedAt = new Date();
    this.#prepared = undefined;
    this.#settle();
  }
}
