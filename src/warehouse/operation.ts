/**
 * One statement's life on the warehouse, as a small state machine that owns its state:
 *
 *   PENDING -> RUNNING -> FINISHED | ERROR | CANCELED | TIMEDOUT
 *
 * (a statement refused before it ran starts in ERROR). `close()` frees the result whatever
 * the state, cancelling a statement still running. Callers ask and command through methods;
 * nothing outside writes its fields. The query history shows it through `record()`.
 */
import type { ArrowWireOptions } from './arrow-encode.js';
import { ArrowWireEncoder } from './arrow-encode.js';
import type { PreparedStatement } from './prepared-statement.js';
import { SqlStatementError } from './errors.js';
import { newHandleBytes, uuidOf } from './handles.js';
import type { QueryRecord, Recorded } from './query-history.js';
import type { ResultSlice, ResultStore } from './result-store.js';

export type OperationState = 'PENDING' | 'RUNNING' | 'FINISHED' | 'ERROR' | 'CANCELED' | 'TIMEDOUT';

/** How the result goes to the client that submitted it: Arrow (with options) or column-based. */
export interface ResultFormat {
  readonly arrow: ArrowWireOptions | null;
}

/** What a run needs beyond the prepared statement. */
export interface RunOptions {
  /** The run fails (SQLSTATE 54000) past this many bytes of result. */
  readonly maxResultBytes: number;
  /** @format seconds. Stop the statement after this long; 0 for no limit. */
  readonly timeoutSeconds: number;
  /** Awaited once the statement is RUNNING, before DuckDB executes it. */
  readonly hold?: (info: { queryId: string; statement: string }) => Promise<void>;
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
  #encoder: ArrowWireEncoder | undefined;
  #closed = false;
  /** Next row for a FETCH_NEXT. */
  #cursor = 0;
  #lastAccess = Date.now();
  #prepared: PreparedStatement | undefined;
  #settle!: () => void;

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
    const hold = options.hold;
    prepared
      .run(
        { maxResultBytes: options.maxResultBytes },
        {
          onStart: () => operation.#markRunning(),
          hold: hold ? () => hold({ queryId: operation.queryId, statement }) : undefined,
        },
      )
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
  fetch(start: FetchStart, maxRows: number, maxBytes: number, singleBatch: boolean): ResultSlice {
    const slice = this.result().slice(start === 'next' ? this.#cursor : start, Math.max(1, maxRows), maxBytes, singleBatch);
    this.#cursor = slice.startRow + slice.rowCount;
    return slice;
  }

  /** Interrupts a statement not yet ended; cancelling an ended one changes nothing. */
  cancel(): void {
    if (this.isTerminal) return;
    this.#prepared?.cancel();
    this.#end('CANCELED');
  }

  /** Frees the result (cancelling a statement still running). */
  close(): void {
    this.cancel();
    this.#closed = true;
    this.#store = undefined;
    this.#encoder = undefined;
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
    if (this.isTerminal) return;
    this.#store = store;
    this.#rowCount = store.rowCount;
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
