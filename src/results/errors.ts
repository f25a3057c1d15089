/**
 * Errors of the results layer; the package entry (src/index.ts) exports them. They extend the
 * driver's DatabaseError (src/errors.ts has no dependencies), so one `catch` of DatabaseError
 * covers every error the driver throws.
 */
import { DatabaseError } from '../errors.js';

/** Thrown when a row set or its metadata cannot be decoded (corrupt bytes, unexpected types). */
export class ResultDecodeError extends DatabaseError {
  override readonly name: string = 'ResultDecodeError';
  /** Name of the result column that could not be decoded, when one column is at fault. */
  readonly column?: string;

  constructor(message: string, options?: { cause?: unknown; column?: string }) {
    super(message, options);
    if (options?.column !== undefined) this.column = options.column;
  }
}

/**
 * Thrown when a cloud-fetch file cannot be downloaded after every retry (or its link cannot be
 * refreshed). The link's query string, which may hold a signature, is never included.
 */
export class CloudFetchDownloadError extends DatabaseError {
  override readonly name: string = 'CloudFetchDownloadError';
  /** Scheme, host and path of the file. */
  readonly location: string;
  /** Row offset of the file's first row. */
  readonly startRowOffset: number;
  /** Download attempts made. */
  readonly attempts: number;
  /** HTTP status of the last attempt, when the host answered. */
  readonly httpStatus?: number;

  constructor(details: {
    location: string;
    startRowOffset: number;
    attempts: number;
    httpStatus?: number;
    reason?: string;
    cause?: unknown;
  }) {
    const why =
      details.reason ??
      (details.httpStatus !== undefined
        ? `the host answered HTTP ${details.httpStatus}`
        : `${(details.cause as Error | undefined)?.message ?? 'unknown error'}`);
    super(
      `Cannot download the result file for rows from ${details.startRowOffset} (${details.location}) ` +
        `after ${details.attempts} attempt(s): ${why}`,
      { cause: details.cause },
    );
    this.location = details.location;
    this.startRowOffset = details.startRowOffset;
    this.attempts = details.attempts;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
  }
}

/**
 * Thrown by `fetchAll()` when the rest of the result has more rows than `limit` (the
 * `results.fetchAllMaxRows` connect option). Nothing is lost: the result set still holds the
 * rows it read, to iterate or stream with `arrowBatches()`.
 */
export class ResultTooLargeError extends DatabaseError {
  override readonly name: string = 'ResultTooLargeError';
  /** The limit that was passed. @format rows */
  readonly limit: number;

  constructor(limit: number) {
    super(
      `fetchAll() stopped: the result has more than ${limit} rows (results.fetchAllMaxRows). ` +
        'Iterate the result set or use arrowBatches() to stream it, or raise the limit.',
    );
    this.limit = limit;
  }
}
