/**
 * Downloads a result's cloud-fetch files in parallel and hands them out in row order.
 *
 * At most `maxConcurrent` files are downloading or downloaded-but-unread at any time, so the
 * memory held is bounded by that many files whatever the result size. A link about to expire
 * is refreshed before its download (new links from its startRowOffset); a failed download is
 * retried, refreshing the link first when the host refused it (403/404: expired or
 * rejected signature).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudFetchDownloadError } from '../errors.js';
import { linkLocation, type ResultLink } from './result-link.js';

/** Where links come from: the result's pages of links, and fresh links from an offset. */
export interface LinkSupply {
  /** The next links in row order; null when the result has no more. */
  nextLinks(): Promise<ResultLink[] | null>;
  /** Fresh links for the rows from `startRowOffset` (the first one starts there). */
  refresh(startRowOffset: number): Promise<ResultLink[]>;
}

/** Fetches one file; rejects with a LinkHttpError for an HTTP status other than 200. */
export type LinkDownloader = (link: ResultLink, signal: AbortSignal) => Promise<Uint8Array>;

export interface DownloadWindowOptions {
  /** Files downloading or waiting to be read, at most. */
  maxConcurrent: number;
  /** Attempts per file before the read fails. */
  maxAttempts: number;
  /** A link expiring sooner than this is refreshed before download. @format milliseconds */
  expiryMarginMs: number;
  /** Wait before the first retry, doubled after each. @format milliseconds */
  retryDelayMs: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** An HTTP answer other than 200 from a link host. */
export class LinkHttpError extends Error {
  override readonly name: string = 'LinkHttpError';

  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export interface DownloadedFile {
  readonly link: ResultLink;
  readonly bytes: Uint8Array;
}

export class DownloadWindow {
  private readonly pending: ResultLink[] = [];
  /** Downloads started, in row order. */
  private readonly started: Array<Promise<DownloadedFile>> = [];
  private supplyDone = false;
  private filling: Promise<void> | undefined;
  private failure: Error | undefined;
  private refreshing: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private readonly now: () => number;

  constructor(
    private readonly supply: LinkSupply,
    private readonly download: LinkDownloader,
    private readonly options: DownloadWindowOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The next file in row order, or null after the last. */
  async next(): Promise<DownloadedFile | null> {
    // Wait for links only while nothing is on its way: a file already downloading is handed
    // out while the next links are asked for, so the server prepares them meanwhile.
    while (this.started.length === 0) {
      if (this.supplyDone && this.pending.length === 0) return null;
      await this.fill();
    }
    void this.fill().catch(() => {});
    const done = await this.started.shift()!;
    // Start the next downloads while the caller reads this file.
    void this.fill().catch(() => {});
    return done;
  }

  /** Stops every download; next() is not to be called afterwards. */
  close(): void {
    this.abort.abort();
    this.pending.length = 0;
    this.started.length = 0;
    this.supplyDone = true;
  }

  /** Starts downloads until the window is full, asking for one page of links at most. One fill at a time. */
  private fill(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.filling ??= this.fillOnce()
      .catch((error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
        throw this.failure;
      })
      .finally(() => (this.filling = undefined));
    return this.filling;
  }

  private async fillOnce(): Promise<void> {
    this.startPending();
    if (this.started.length >= this.options.maxConcurrent || this.pending.length > 0 || this.supplyDone) return;
    const links = await this.supply.nextLinks();
    if (links === null) this.supplyDone = true;
    else this.pending.push(...links);
    this.startPending();
  }

  private startPending(): void {
    while (this.started.length < this.options.maxConcurrent && this.pending.length > 0) {
      const task = this.fetchWithRetries(this.pending.shift()!);
      task.catch(() => {}); // read (and rethrown) by next(); never unhandled
      this.started.push(task);
    }
  }

  private async fetchWithRetries(first: ResultLink): Promise<DownloadedFile> {
    let link = first;
    let lastError: unknown;
    let refused = false;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (refused || link.expiryTimeMs - this.options.expiryMarginMs <= this.now()) link = await this.refreshed(link);
      try {
        return { link, bytes: await this.download(link, this.abort.signal) };
      } catch (error) {
        if (this.abort.signal.aborted) throw error;
        lastError = error;
        refused = error instanceof LinkHttpError && (error.status === 403 || error.status === 404);
        if (attempt < this.options.maxAttempts) await sleep(this.options.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    throw new CloudFetchDownloadError({
      location: linkLocation(link.url),
      startRowOffset: link.startRowOffset,
      attempts: this.options.maxAttempts,
      httpStatus: lastError instanceof LinkHttpError ? lastError.status : undefined,
      cause: lastError,
    });
  }

  /** A fresh link for `stale`'s rows; pending links the answer covers are replaced too. */
  private async refreshed(stale: ResultLink): Promise<ResultLink> {
    // One refresh at a time: parallel downloads expiring together share the first answer.
    const run = this.refreshing.then(async () => {
      const fresh = await this.supply.refresh(stale.startRowOffset);
      const byOffset = new Map(fresh.map((link) => [link.startRowOffset, link]));
      this.pending.forEach((link, i) => (this.pending[i] = byOffset.get(link.startRowOffset) ?? link));
      const match = byOffset.get(stale.startRowOffset);
      if (match === undefined) {
        throw new CloudFetchDownloadError({
          location: linkLocation(stale.url),
          startRowOffset: stale.startRowOffset,
          attempts: 0,
          reason: 'the server gave no fresh link for its rows',
        });
      }
      return match;
    });
    this.refreshing = run.catch(() => {});
    return run;
  }
}
