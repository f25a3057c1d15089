/**
 * Maps driver errors to Temporal ApplicationFailures with stable types (see `SqlFailureType`),
 * and decides whether a failed submit can have reached the warehouse.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  AsyncExecutionUnrecoverableResultError,
  AuthenticationError,
  ConnectionClosedError,
  InvalidArgumentError,
  InvalidHandleError,
  QueryNotFoundError,
  RequestError,
  ServerOperationError,
  SessionLostError,
  TimeoutError,
} from '../src/index.js';
import { SqlFailureType, SqlRetryableFailureType, type SqlErrorDetails } from '../workflows/messages.js';

/**
 * Network errors raised before a request leaves this machine: the warehouse never saw it.
 * (ECONNRESET or a timeout may come after the request was sent, so they are not here.)
 */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when the error proves the ExecuteStatement request did not run the statement. */
export function provablyNotSubmitted(error: unknown): boolean {
  if (error instanceof AuthenticationError) return true;
  if (error instanceof InvalidArgumentError) return true;
  // The warehouse refused the statement because it did not know the session: it never ran.
  if (error instanceof SessionLostError) return error.call === 'ExecuteStatement';
  if (error instanceof RequestError) {
    if (error.httpStatus === 429 || error.httpStatus === 503) return true;
    return errorCodes(error).some((code) => NEVER_SENT_CODES.has(code));
  }
  return false;
}

/** True when the driver connection should be dropped and reopened. */
export function isConnectionBroken(error: unknown): boolean {
  return (
    error instanceof ConnectionClosedError ||
    error instanceof SessionLostError ||
    error instanceof RequestError ||
    error instanceof TimeoutError ||
    error instanceof AuthenticationError
  );
}

/**
 * Non-retryable for SQL and handle errors; retryable for transport errors and a lost session
 * (never `SqlStatementFailed`: that type means the SQL failed). Never carries the token.
 */
export function toActivityFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof SessionLostError) {
    return ApplicationFailure.create({ type: SqlRetryableFailureType.SessionLost, message: error.message, nonRetryable: false });
  }
  if (error instanceof ServerOperationError) {
    return ApplicationFailure.create({
      type: SqlFailureType.StatementFailed,
      message: error.message,
      nonRetryable: true,
      details: [sqlErrorDetails(error)],
    });
  }
  if (error instanceof AsyncExecutionUnrecoverableResultError) {
    return ApplicationFailure.create({ type: SqlFailureType.ResultUnavailable, message: error.message, nonRetryable: true });
  }
  if (error instanceof QueryNotFoundError) {
    return ApplicationFailure.create({
      type: SqlFailureType.QueryNotFound,
      message:
        `${error.message}. The warehouse forgot the query: it restarted, or the query expired or was closed. ` +
        'Whether the statement finished is unknown here; look it up in the query history before running it again',
      nonRetryable: true,
    });
  }
  if (error instanceof InvalidHandleError) {
    return ApplicationFailure.create({ type: SqlFailureType.QueryNotFound, message: error.message, nonRetryable: true });
  }
  if (error instanceof AuthenticationError) {
    return ApplicationFailure.create({ type: SqlFailureType.AuthenticationFailed, message: error.message, nonRetryable: true });
  }
  if (error instanceof Error) {
    return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: false });
  }
  return ApplicationFailure.create({ type: 'Error', message: String(error), nonRetryable: false });
}

/** How much of the statement an ambiguous-submit failure quotes. */
const QUOTED_STATEMENT_CHARS = 200;

/**
 * The statement may be running on the warehouse with no handle known here, so it cannot be
 * cancelled from here: the failure quotes it (and its details carry it) so that a user can
 * find it in the warehouse's query history.
 */
export function ambiguousSubmitFailure(attempt: number, statement: string, error?: unknown): ApplicationFailure {
  const why =
    error instanceof Error
      ? `the submit failed (${error.message})`
      : `attempt ${attempt - 1} stopped (its worker died or timed out)`;
  const quoted = statement.length > QUOTED_STATEMENT_CHARS ? `${statement.slice(0, QUOTED_STATEMENT_CHARS)}…` : statement;
  return ApplicationFailure.create({
    type: SqlFailureType.SubmitAmbiguous,
    nonRetryable: true,
    message:
      `${why} after the statement may have reached the warehouse, and no query handle was ` +
      "recorded; not resubmitting, so it cannot run twice (set onAmbiguousSubmit: 'resubmit' " +
      `for idempotent statements). If it runs, find it in the warehouse's query history: ${JSON.stringify(quoted)}`,
    details: [{ statement: quoted }],
  });
}

/** The message, SQLSTATE and error code of a warehouse SQL error, as recorded in history. */
export function sqlErrorDetails(error: ServerOperationError): SqlErrorDetails {
  return {
    message: error.message,
    sqlState: error.sqlState,
    errorCode: error.errorCode == null ? undefined : String(error.errorCode),
    queryId: error.queryId,
  };
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (
    let e: unknown = error;
    e instanceof Error || (typeof e === 'object' && e !== null);
    e = (e as { cause?: unknown }).cause
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (codes.length > 10) break;
  }
  return codes;
}
