/**
 * The retry policy of the official Databricks clients (docs/protocol.md), as pure functions so it can
 * be tested without a network:
 * - never retry 2xx/3xx, 400, 401, 403, 404, 501;
 * - retry 429 and 503 for every call, honouring `Retry-After`;
 * - other failures (other 5xx, network errors, per-request timeouts) only for idempotent calls:
 *   ExecuteStatement is not one, since a retry could run the statement twice; but a connection
 *   that could not be set up (refused, reset during the TLS handshake) never carried the
 *   request, so that is retried for every call;
 * - exponential backoff between `minDelayMs` and `maxDelayMs`; give up after `totalTimeoutMs`.
 */

/** Retry settings; every field is optional in the user-facing options. */
export interface RetryOptions {
  /** First backoff delay. @format number of milliseconds (default 1000) */
  minDelayMs: number;
  /** Largest backoff delay. @format number of milliseconds (default 60000) */
  maxDelayMs: number;
  /** Give up once this much time has passed since the first attempt. @format milliseconds (default 900000) */
  totalTimeoutMs: number;
  /** Give up after this many attempts in all (default 30). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  minDelayMs: 1_000,
  maxDelayMs: 60_000,
  totalTimeoutMs: 900_000,
  maxAttempts: 30,
};

/** What to do with the outcome of one attempt. */
export type AttemptVerdict = 'success' | 'retry' | 'fail';

const NEVER_RETRIED = new Set([400, 401, 403, 404, 501]);
const OVERLOADED = new Set([429, 503]);

/** Decides on an HTTP status. `idempotent` is false for ExecuteStatement. */
export function classifyStatus(status: number, idempotent: boolean): AttemptVerdict {
  if (status >= 200 && status < 300) return 'success';
  if (status >= 300 && status < 400) return 'fail';
  if (NEVER_RETRIED.has(status)) return 'fail';
  if (OVERLOADED.has(status)) return 'retry';
  if (status >= 500) return idempotent ? 'retry' : 'fail';
  return 'fail';
}

/**
 * Decides on a failure without a status (connection refused/reset, per-request timeout).
 * `sent` is false when the connection failed before the request could be written.
 */
export function classifyNetworkFailure(idempotent: boolean, sent = true): AttemptVerdict {
  return idempotent || !sent ? 'retry' : 'fail';
}

/**
 * Parses `Retry-After` (seconds, or an HTTP date) into milliseconds from `now`; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed attempts (1-based). A server's
 * `Retry-After` wins over the computed backoff (it knows when it will have capacity).
 */
export function backoffDelayMs(attempt: number, options: RetryOptions, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const exponential = options.minDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(options.maxDelayMs, exponential);
}
