/**
 * How results are fetched and held: the `results` connect option, checked and completed.
 */
import { InvalidArgumentError } from '../errors.js';

/** The `results` option of `connect()`; every field is optional. */
export interface ResultOptions {
  /**
   * Ask for large results as cloud-fetch links (`canDownloadResult`) and download the files
   * behind them, as the official clients do. Default true; the server decides per result.
   */
  cloudFetch?: boolean;
  /**
   * Ask for LZ4-compressed Arrow results (inline batches and cloud-fetch files). Default true,
   * except to a server on a loopback address (localhost, 127.x.x.x, ::1): there the bytes cost
   * nothing to move and compressing and decoding them cost CPU on both sides.
   */
  lz4?: boolean;
  /**
   * Cloud-fetch files downloading or downloaded-but-unread at once (default 4). Memory held
   * by a result being read is about this many files (Databricks writes files of ~20 MB).
   */
  maxConcurrentDownloads?: number;
  /** Attempts per cloud-fetch file before reading fails (default 3). */
  downloadAttempts?: number;
  /**
   * Inline pages (FetchResults replies) fetched ahead of the reader, so the network and the
   * reader overlap (default 1; 0 fetches only on demand). Memory held is this many pages more.
   */
  readAheadPages?: number;
  /**
   * Most rows `fetchAll()` returns; past it, it throws ResultTooLargeError instead of
   * exhausting memory (default 1000000). Iteration and `arrowBatches()` have no limit.
   * @format rows
   */
  fetchAllMaxRows?: number;
}

/** ResultOptions with every default filled in. */
export interface ResolvedResultOptions {
  cloudFetch: boolean;
  lz4: boolean;
  maxConcurrentDownloads: number;
  readAheadPages: number;
  fetchAllMaxRows: number;
  download: {
    ca?: string | Buffer;
    /** @format milliseconds */
    timeoutMs: number;
    maxAttempts: number;
    /** @format milliseconds */
    expiryMarginMs: number;
    /** @format milliseconds */
    retryDelayMs: number;
  };
}

export const DEFAULT_FETCH_ALL_MAX_ROWS = 1_000_000;

export function resolveResultOptions(
  options: ResultOptions | undefined,
  connection: { ca?: string | Buffer; requestTimeoutMs: number; host: string },
): ResolvedResultOptions {
  const given = options ?? {};
  for (const name of ['cloudFetch', 'lz4'] as const) {
    if (given[name] !== undefined && typeof given[name] !== 'boolean') {
      throw new InvalidArgumentError(
        `results.${name}`,
        `results.${name} must be true or false, got ${JSON.stringify(given[name])}`,
      );
    }
  }
  return {
    cloudFetch: given.cloudFetch ?? true,
    lz4: given.lz4 ?? !isLoopback(connection.host),
    maxConcurrentDownloads: integer('maxConcurrentDownloads', given.maxConcurrentDownloads, 4, 1),
    readAheadPages: integer('readAheadPages', given.readAheadPages, 1, 0),
    fetchAllMaxRows: integer('fetchAllMaxRows', given.fetchAllMaxRows, DEFAULT_FETCH_ALL_MAX_ROWS, 0),
    download: {
      ca: connection.ca,
      timeoutMs: connection.requestTimeoutMs,
      maxAttempts: integer('downloadAttempts', given.downloadAttempts, 3, 1),
      // Databricks' links live 15 minutes; a link with less than 5 s left may die mid-download.
      expiryMarginMs: 5_000,
      retryDelayMs: 200,
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function integer(name: keyof ResultOptions, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(
      `results.${name}`,
      `results.${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
