/**
 * Every error the driver throws at its users. Each class sets `name` to its own class name, so
 * `err.name` is stable (Temporal uses it as the failure type matched by `nonRetryableErrorTypes`).
 * No message or field ever carries the access token or password.
 */
import type { AsyncExecutionStatus } from './client/status.js';

/** Thrown when anything in the driver fails; the base class of every other driver error. */
export class DatabaseError extends Error {
  override readonly name: string = 'DatabaseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Fields a server attaches to a failed statement or call. */
export interface ServerErrorDetails {
  /** Five-character SQLSTATE, e.g. `42P01` for a missing table. */
  sqlState?: string;
  /** Vendor error code, when the server sends one. */
  errorCode?: number;
  /** The message meant for end users, when it differs from the technical one. */
  displayMessage?: string;
  /** The operation (query id) the error is about, when there is one. */
  queryId?: string;
}

/** Thrown when the server reports that a statement or call failed (Thrift status ERROR). */
export class ServerOperationError extends DatabaseError {
  override readonly name: string = 'ServerOperationError';
  readonly sqlState?: string;
  readonly errorCode?: number;
  readonly displayMessage?: string;
  readonly queryId?: string;
  constructor(message: string, details: ServerErrorDetails = {}) {
    super(message);
    this.sqlState = details.sqlState;
    this.errorCode = details.errorCode;
    this.displayMessage = details.displayMessage;
    this.queryId = details.queryId;
  }
}

/** Thrown when the server refuses the credentials (HTTP 401 or 403). */
export class AuthenticationError extends DatabaseError {
  override readonly name: string = 'AuthenticationError';
  readonly httpStatus: 401 | 403;
  constructor(message: string, httpStatus: 401 | 403) {
    super(message);
    this.httpStatus = httpStatus;
  }
}

/** Thrown when an HTTP request fails: a non-200 status, a network error, or an unreadable reply. */
export class RequestError extends DatabaseError {
  override readonly name: string = 'RequestError';
  /** The HTTP status, absent when no response arrived (network error, timeout). */
  readonly httpStatus?: number;
  /** Whether the retry policy considered this failure worth retrying (it did, until it gave up). */
  readonly retryable: boolean;
  constructor(message: string, details: { httpStatus?: number; retryable: boolean; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.httpStatus = details.httpStatus;
    this.retryable = details.retryable;
  }
}

/** Thrown when the server does not know a query (unknown, closed, or expired handle). */
export class QueryNotFoundError extends DatabaseError {
  override readonly name: string = 'QueryNotFoundError';
  readonly queryId: string;
  constructor(queryId: string, detail?: string) {
    super(`query ${queryId} was not found on the server${detail ? `: ${detail}` : ''}`);
    this.queryId = queryId;
  }
}

/** The Thrift calls that can find the connection's session gone. */
export type SessionCall =
  | 'ExecuteStatement'
  | 'GetOperationStatus'
  | 'GetResultSetMetadata'
  | 'FetchResults'
  | 'CancelOperation'
  | 'CloseOperation'
  | import('./backend/metadata.js').MetadataCall;

/**
 * Thrown when the server no longer knows the connection's session (it expired, or the server
 * restarted) and the driver could not recover: it reopens the session and retries the call once,
 * and throws this when the retry or the reopening fails too (`cause` says why).
 * From `execute()`/`executeAsync()` (`call === 'ExecuteStatement'`) it also means the statement
 * did not run: the server refused it before running it.
 */
export class SessionLostError extends DatabaseError {
  override readonly name: string = 'SessionLostError';
  /** The call that found the session gone. */
  readonly call: SessionCall;
  /** The query the call was about; undefined for ExecuteStatement. */
  readonly queryId?: string;
  constructor(message: string, details: { call: SessionCall; queryId?: string; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.call = details.call;
    this.queryId = details.queryId;
  }
}

/** The states in which a query's results cannot be read. */
export type UnrecoverableStatus = AsyncExecutionStatus.CANCELED | AsyncExecutionStatus.ABORTED;

/**
 * Thrown when results are asked for a query that was canceled, or that ended without a result
 * and without an error from the server (closed, timed out, unknown). A query whose statement
 * failed throws its ServerOperationError instead, with the server's message and `sqlState`.
 */
export class AsyncExecutionUnrecoverableResultError extends DatabaseError {
  override readonly name: string = 'AsyncExecutionUnrecoverableResultError';
  /** The state the query ended in. */
  readonly status: UnrecoverableStatus;
  readonly queryId: string;
  constructor(queryId: string, status: UnrecoverableStatus, detail?: string) {
    super(`query ${queryId} is ${status}; its results cannot be fetched${detail ? `: ${detail}` : ''}`);
    this.status = status;
    this.queryId = queryId;
  }
}

/** The argument an InvalidHandleError is about. */
export type HandlePart = 'queryId' | 'querySecret' | 'serialized';

/** Thrown when a query id or secret is not a valid UUID; `part` names which one. */
export class InvalidHandleError extends DatabaseError {
  override readonly name: string = 'InvalidHandleError';
  readonly part: HandlePart;
  constructor(part: HandlePart, message: string) {
    super(message);
    this.part = part;
  }
}

/** Thrown when an option or parameter is invalid; `argument` names it. */
export class InvalidArgumentError extends DatabaseError {
  override readonly name: string = 'InvalidArgumentError';
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(message);
    this.argument = argument;
  }
}

/**
 * Thrown when a staging statement's file transfer (PUT, GET, REMOVE on a volume) is refused here
 * (a local file outside `stagingAllowedLocalPath`) or fails at the storage. The message names
 * the local file; never the presigned URL, whose signature grants access to the volume's file.
 */
export class StagingOperationError extends DatabaseError {
  override readonly name: string = 'StagingOperationError';
  /** The local file as the statement named it; undefined for REMOVE. */
  readonly localFile?: string;
  /** The storage's HTTP status when the transfer failed there. */
  readonly httpStatus?: number;
  constructor(message: string, localFile?: string, httpStatus?: number) {
    super(message);
    this.localFile = localFile;
    this.httpStatus = httpStatus;
  }
}

/** Thrown when a query that came back as a direct result is serialized or picked up later. */
export class DirectResultNotRecoverableError extends DatabaseError {
  override readonly name: string = 'DirectResultNotRecoverableError';
  readonly queryId: string;
  constructor(queryId: string) {
    super(
      `query ${queryId} returned a direct result: the server already closed it, so it cannot be ` +
        'serialized or picked up from another connection (check returnedAsDirectResult first)',
    );
    this.queryId = queryId;
  }
}

/** Thrown when a closed connection, query or result set is used. */
export class ConnectionClosedError extends DatabaseError {
  override readonly name: string = 'ConnectionClosedError';
}

/** Thrown when a request or the whole retry budget runs out of time. */
export class TimeoutError extends DatabaseError {
  override readonly name: string = 'TimeoutError';
  /** The limit that ran out, in milliseconds. */
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}
