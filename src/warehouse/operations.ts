/**
 * Operations (running and finished statements) by guid, the secret check that guards them,
 * their idle expiry, and the query history kept beside them.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { ArrowWireEncoder, ArrowWireOptions } from './arrow-encode.js';
import type { PreparedStatement } from './engine.js';
import { SqlStatementError, UnknownHandleError } from './errors.js';
import type { ResultStore } from './result-store.js';

/** One entry of the local query history (newest first from `history()`). */
export interface QueryRecord {
  /** Dashed UUID of the operation guid: the `queryId` a client shows. */
  queryId: string;
  statement: string;
  state: 'PENDING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'ERROR' | 'CLOSED';
  submittedAt: Date;
  endedAt?: Date;
  rowCount?: number;
  errorMessage?: string;
}

/** The dashed UUID form of 16 bytes. */
export function uuidOf(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * 16 random bytes laid out as a version 4 UUID: clients print handles as UUIDs and some
 * (the official Node.js client) refuse bytes that are not a valid one.
 */
export function newHandleBytes(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}

/** How the result goes to the client that submitted it: Arrow (with options) or column-based. */
export interface ResultFormat {
  readonly arrow: ArrowWireOptions | null;
}

export class Operation {
  readonly guid = newHandleBytes();
  readonly secret = newHandleBytes();
  readonly queryId = uuidOf(this.guid);
  readonly record: QueryRecord;
  store: ResultStore | undefined;
  error: SqlStatementError | undefined;
  /** Next row for FETCH_NEXT. */
  cursor = 0;
  lastAccess = Date.now();
  encoder: ArrowWireEncoder | undefined;
  /** Whether it was stopped by its queryTimeout. */
  timedOut = false;
  /** Settles when the statement has ended, whichever way. */
  readonly done: Promise<void>;
  private settle!: () => void;

  constructor(
    statement: string,
    readonly format: ResultFormat,
    private readonly statementRun: PreparedStatement | undefined,
  ) {
    this.record = { queryId: this.queryId, statement, state: 'PENDING', submittedAt: new Date() };
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  get state(): QueryRecord['state'] {
    return this.record.state;
  }

  get isTerminal(): boolean {
    return this.state !== 'PENDING' && this.state !== 'RUNNING';
  }

  markRunning(): void {
    if (this.state === 'PENDING') this.record.state = 'RUNNING';
  }

  finish(store: ResultStore): void {
    if (this.isTerminal) return;
    this.store = store;
    this.end('FINISHED');
    this.record.rowCount = store.rowCount;
  }

  fail(error: SqlStatementError): void {
    if (this.isTerminal) return;
    this.error = error;
    this.record.errorMessage = error.message;
    this.end('ERROR');
  }

  /** Interrupts a running statement; cancelling an ended one changes nothing. */
  cancel(): void {
    if (this.isTerminal) return;
    this.statementRun?.cancel();
    this.end('CANCELED');
  }

  /**
   * Stops a statement that ran past its queryTimeout: shown as CANCELED in the history and
   * TIMEDOUT to clients, with the reason kept as its error.
   */
  timeOut(seconds: number): void {
    if (this.isTerminal) return;
    this.timedOut = true;
    this.error = new SqlStatementError(`The statement ran longer than its query timeout of ${seconds} s.`, '57014');
    this.record.errorMessage = this.error.message;
    this.cancel();
  }

  /** Frees the result; the history shows CLOSED for a finished statement. */
  close(): void {
    this.cancel();
    if (this.state === 'FINISHED') this.record.state = 'CLOSED';
    this.store = undefined;
    this.encoder = undefined;
  }

  private end(state: QueryRecord['state']): void {
    this.record.state = state;
    this.record.endedAt = new Date();
    this.settle();
  }
}

/** Keeps the newest records of the query history. */
export class QueryHistory {
  private readonly records: QueryRecord[] = [];

  constructor(private readonly limit = 1000) {}

  add(record: QueryRecord): void {
    this.records.push(record);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  /** Copies, newest first. */
  list(): QueryRecord[] {
    return this.records
      .slice()
      .reverse()
      .map((r) => ({ ...r }));
  }
}

export class OperationRegistry {
  private readonly operations = new Map<string, Operation>();

  add(operation: Operation): void {
    this.operations.set(operation.guid.toString('hex'), operation);
  }

  /**
   * The operation of a handle. A wrong secret answers exactly as an unknown guid does, so a
   * guid alone reveals nothing.
   */
  find(guid: Uint8Array | undefined, secret: Uint8Array | undefined): Operation {
    const operation = guid ? this.operations.get(Buffer.from(guid).toString('hex')) : undefined;
    if (!operation || !secret || secret.length !== 16 || !timingSafeEqual(operation.secret, secret)) {
      throw new UnknownHandleError('operation', uuidOf(guid ?? new Uint8Array(0)));
    }
    operation.lastAccess = Date.now();
    return operation;
  }

  remove(operation: Operation): void {
    this.operations.delete(operation.guid.toString('hex'));
    operation.close();
  }

  /** Frees ended operations nobody touched for `idleMs`; running ones never expire. */
  expireIdle(idleMs: number, now = Date.now()): void {
    for (const operation of this.operations.values()) {
      if (operation.isTerminal && now - operation.lastAccess >= idleMs) this.remove(operation);
    }
  }

  /** Cancels and frees every operation. */
  clear(): void {
    for (const operation of [...this.operations.values()]) this.remove(operation);
  }
}
