/**
 * Where a ResultSet's pages of record batches come from: batches already held (a direct
 * result), FetchResults calls returning rows inline, or cloud-fetch files downloaded from the
 * links FetchResults returns. Contract: `next()` resolves to the next non-empty list of
 * batches, or null once the result is exhausted; after null it keeps answering null. Calls
 * are sequential. `close()` stops any work started ahead.
 */
import type { RecordBatch } from 'apache-arrow';
import type { OperationRef, ThriftBackend } from '../backend/thrift-backend.js';
import {
  DownloadWindow,
  downloadLink,
  resultLinksOf,
  type LinkSupply,
  type ResultLink,
  type RowSetDecoder,
} from '../results/index.js';
import type { ResolvedResultOptions } from './result-options.js';

export interface PageSource {
  next(): Promise<RecordBatch[] | null>;
  close(): void;
}

/** Page size of FetchResults. */
export interface FetchSizes {
  /** Rows asked per FetchResults call. */
  maxRows: number;
  /** Bytes asked per FetchResults call (a hint the server may follow). */
  maxBytes: number;
}

/** What the pages of a result on the server are read with. */
export interface ServerPagesInit {
  backend: ThriftBackend;
  operation: OperationRef;
  decoder: RowSetDecoder;
  sizes: FetchSizes;
  /** Whether FetchResults takes row offsets (Spark servers; HiveServer2 cursors do not). */
  rowOffsets: boolean;
  startRowOffset: number;
  results: ResolvedResultOptions;
}

/** The pages of a result on the server: downloaded when it comes as links, read ahead when inline. */
export function openServerPages(init: ServerPagesInit): PageSource {
  if (init.decoder.cloudFetch && init.rowOffsets) {
    const supply = new ServerLinkSupply(init.backend, init.operation, init.sizes, init.startRowOffset);
    return new CloudFetchPages(supply, init.decoder, init.results, init.startRowOffset);
  }
  const pages = new ServerPages(init.backend, init.operation, init.decoder, init.sizes, init.rowOffsets, init.startRowOffset);
  return init.results.readAheadPages > 0 ? new ReadAhead(pages, init.results.readAheadPages) : pages;
}

/** The pages of a direct result: its inline batches, or the files behind its links. */
export function openDirectPages(
  decoder: RowSetDecoder,
  held: { batches: RecordBatch[]; links: ResultLink[] },
  startRowOffset: number,
  results: ResolvedResultOptions,
): PageSource {
  if (held.links.length === 0) return new HeldPages(held.batches, startRowOffset);
  return new CloudFetchPages(new HeldLinkSupply(held.links), decoder, results, startRowOffset);
}

/** Serves batches that are already in memory, from a row offset. */
export class HeldPages implements PageSource {
  private batches: RecordBatch[] | null;

  constructor(batches: RecordBatch[], startRowOffset: number) {
    this.batches = skipRows(batches, startRowOffset);
  }

  next(): Promise<RecordBatch[] | null> {
    const batches = this.batches;
    this.batches = null;
    return Promise.resolve(batches && batches.length > 0 ? batches : null);
  }

  close(): void {
    this.batches = null;
  }
}

/**
 * Fetches inline pages from the server. On Spark servers every call names its absolute row
 * offset, so any number of readers (two connections, a retried reader) each see the whole
 * result. A HiveServer2 cursor has no offsets: the first call restarts it (FETCH_FIRST) and
 * rows before the offset are skipped here.
 */
class ServerPages implements PageSource {
  private offset: number;
  private toSkip: number;
  private first = true;
  private done = false;
  // Guards against a server that keeps saying "more rows" while sending none.
  private emptyReplies = 0;

  constructor(
    private readonly backend: ThriftBackend,
    private readonly operation: OperationRef,
    private readonly decoder: RowSetDecoder,
    private readonly sizes: FetchSizes,
    private readonly rowOffsets: boolean,
    startRowOffset: number,
  ) {
    this.offset = rowOffsets ? startRowOffset : 0;
    this.toSkip = rowOffsets ? 0 : startRowOffset;
  }

  async next(): Promise<RecordBatch[] | null> {
    while (!this.done) {
      const reply = await this.backend.fetchResults(this.operation, {
        maxRows: this.sizes.maxRows,
        // Byte limits and row offsets are Databricks extensions: HiveServer2 peers get neither.
        maxBytes: this.rowOffsets ? this.sizes.maxBytes : undefined,
        startRowOffset: this.rowOffsets ? this.offset : undefined,
        fromStart: !this.rowOffsets && this.first,
      });
      this.first = false;
      const batches = reply.results ? this.decoder.decode(reply.results) : [];
      const rows = countRows(batches);
      this.offset += rows;
      if (!reply.hasMoreRows) this.done = true;
      if (rows === 0) {
        if (++this.emptyReplies >= 3) this.done = true;
        continue;
      }
      this.emptyReplies = 0;
      const kept = this.skip(batches, rows);
      if (kept.length > 0) return kept;
    }
    return null;
  }

  close(): void {
    this.done = true;
  }

  /** Drops what is left of the rows before the start offset from a page of `rows` rows. */
  private skip(batches: RecordBatch[], rows: number): RecordBatch[] {
    if (this.toSkip === 0) return batches;
    const kept = skipRows(batches, this.toSkip);
    this.toSkip = Math.max(0, this.toSkip - rows);
    return kept;
  }
}

/**
 * Keeps up to `depth` pages of another source fetched ahead of the reader, so the next
 * FetchResults travels while the reader works on this page. Holds at most `depth` pages.
 */
class ReadAhead implements PageSource {
  private readonly queue: Array<Promise<RecordBatch[] | null>> = [];
  private tail: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly source: PageSource,
    private readonly depth: number,
  ) {}

  async next(): Promise<RecordBatch[] | null> {
    this.fill();
    const page = this.queue.shift();
    if (page === undefined) return null;
    const batches = await page;
    this.fill();
    return batches;
  }

  close(): void {
    this.ended = true;
    this.queue.length = 0;
    this.source.close();
  }

  private fill(): void {
    while (!this.ended && this.queue.length < this.depth) {
      // Sequential: each fetch starts after the one before it settled.
      const page = this.tail.then(() => this.source.next());
      page.then(
        (batches) => {
          if (batches === null) this.ended = true;
        },
        () => {
          this.ended = true;
        },
      );
      this.tail = page.catch(() => {});
      this.queue.push(page);
    }
  }
}

/** The links of a result on the server, page by page, and fresh ones from any offset. */
class ServerLinkSupply implements LinkSupply {
  private done = false;
  private emptyReplies = 0;

  constructor(
    private readonly backend: ThriftBackend,
    private readonly operation: OperationRef,
    private readonly sizes: FetchSizes,
    private offset: number,
  ) {}

  async nextLinks(): Promise<ResultLink[] | null> {
    while (!this.done) {
      const { links, hasMoreRows } = await this.fetchAt(this.offset);
      if (!hasMoreRows) this.done = true;
      const last = links.at(-1);
      if (last === undefined) {
        if (++this.emptyReplies >= 3) this.done = true;
        continue;
      }
      this.emptyReplies = 0;
      this.offset = last.startRowOffset + last.rowCount;
      return links;
    }
    return null;
  }

  async refresh(startRowOffset: number): Promise<ResultLink[]> {
    return (await this.fetchAt(startRowOffset)).links;
  }

  private async fetchAt(startRowOffset: number): Promise<{ links: ResultLink[]; hasMoreRows: boolean }> {
    const reply = await this.backend.fetchResults(this.operation, {
      maxRows: this.sizes.maxRows,
      maxBytes: this.sizes.maxBytes,
      startRowOffset,
      fromStart: false,
    });
    return { links: reply.results ? resultLinksOf(reply.results) : [], hasMoreRows: reply.hasMoreRows === true };
  }
}

/** The links a direct result came with; the operation is closed, so none can be refreshed. */
class HeldLinkSupply implements LinkSupply {
  private links: ResultLink[] | null;

  constructor(links: ResultLink[]) {
    this.links = links;
  }

  nextLinks(): Promise<ResultLink[] | null> {
    const links = this.links;
    this.links = null;
    return Promise.resolve(links);
  }

  refresh(): Promise<ResultLink[]> {
    // An empty answer makes the download fail with a CloudFetchDownloadError naming the rows.
    return Promise.resolve([]);
  }
}

/** Cloud-fetch files, downloaded in parallel, decoded in row order from a start offset. */
class CloudFetchPages implements PageSource {
  private readonly window: DownloadWindow;
  private readonly closeDownloader: () => Promise<void>;
  private closed = false;

  constructor(
    supply: LinkSupply,
    private readonly decoder: RowSetDecoder,
    options: ResolvedResultOptions,
    private offset: number,
  ) {
    const { download, close } = downloadLink({ ...options.download, connections: options.maxConcurrentDownloads });
    this.closeDownloader = close;
    this.window = new DownloadWindow(supply, download, {
      maxConcurrent: options.maxConcurrentDownloads,
      maxAttempts: options.download.maxAttempts,
      expiryMarginMs: options.download.expiryMarginMs,
      retryDelayMs: options.download.retryDelayMs,
    });
  }

  async next(): Promise<RecordBatch[] | null> {
    try {
      for (;;) {
        const file = await this.window.next();
        if (file === null) {
          this.close();
          return null;
        }
        const { link } = file;
        const batches = this.decoder.decodeFile(file.bytes, link);
        // The first file may start before the offset asked for.
        const kept = link.startRowOffset < this.offset ? skipRows(batches, this.offset - link.startRowOffset) : batches;
        this.offset = Math.max(this.offset, link.startRowOffset + link.rowCount);
        if (kept.length > 0) return kept;
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.window.close();
    void this.closeDownloader().catch(() => {});
  }
}

function countRows(batches: readonly RecordBatch[]): number {
  return batches.reduce((sum, batch) => sum + batch.numRows, 0);
}

/** Drops the first `count` rows of a list of batches. */
export function skipRows(batches: readonly RecordBatch[], count: number): RecordBatch[] {
  let remaining = count;
  const kept: RecordBatch[] = [];
  for (const batch of batches) {
    if (remaining >= batch.numRows) {
      remaining -= batch.numRows;
      continue;
    }
    kept.push(remaining > 0 ? batch.slice(remaining) : batch);
    remaining = 0;
  }
  return kept;
}
