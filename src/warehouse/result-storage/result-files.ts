/**
 * Cloud fetch on the local warehouse: result files (whole Arrow IPC streams in the client's
 * wire types, LZ4-framed when it asked) written to the spool, linked from FetchResults as
 * TSparkArrowResultLinks, and served over the warehouse's own HTTP(S) port.
 *
 * A link is `<base>/results/<file id>?expires=<ms>`, signed by the `x-result-signature`
 * header it lists in `httpHeaders`. A missing, wrong, tampered or expired signature gets 403
 * and nothing else; a good link to a freed file gets 404.
 */
import { createReadStream } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { compressFrame } from 'lz4-napi';
import Int64 from 'node-int64';
import { TSparkArrowResultLink } from '../../thrift/index.js';
import { LinkSigner } from './link-signer.js';
import type { Spool } from './spool.js';

/** The path prefix result files are served under. */
export const RESULT_FILES_PATH = '/results/';

/** The link header that carries the signature. */
const SIGNATURE_HEADER = 'x-result-signature';

/** One file written for a range of rows. */
export interface ResultFile {
  readonly id: string;
  readonly startRow: number;
  readonly rowCount: number;
  /** Bytes of the Arrow stream before any LZ4 framing (a link's `bytesNum`). */
  readonly arrowBytes: number;
}

export class ResultFiles {
  /** Written files by id: where they are and how many bytes they hold on disk. */
  private readonly files = new Map<string, { path: string; size: number }>();
  private readonly signer = new LinkSigner();
  /** Scheme, host and port links point at; set once the server listens. */
  baseUrl = '';

  constructor(
    private readonly spool: Spool,
    /** @format milliseconds. How long a link is good for. */
    private readonly linkLifetimeMs: number,
  ) {}

  /** Writes an Arrow stream (the parts in order) as a new file; counted against the disk cap. */
  async write(parts: readonly Uint8Array[], lz4: boolean, startRow: number, rowCount: number): Promise<ResultFile> {
    const arrowBytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
    // On libuv's thread pool: the event loop keeps answering fetches and serving files meanwhile.
    // Uncompressed, the parts are written as they are: no copy of the whole file.
    const compressed = lz4 ? await compressFrame(Buffer.concat(parts)) : undefined;
    const size = compressed?.length ?? arrowBytes;
    const id = randomUUID();
    const path = this.spool.path(`${id}.arrows${lz4 ? '.lz4' : ''}`);
    this.spool.reserve(size);
    try {
      await writeFile(path, compressed ?? parts);
    } catch (error) {
      this.spool.release(size);
      throw error;
    }
    this.files.set(id, { path, size });
    return { id, startRow, rowCount, arrowBytes };
  }

  /** A signed link to the file, good for the link lifetime from `now`. */
  link(file: ResultFile, now = Date.now()): TSparkArrowResultLink {
    const path = `${RESULT_FILES_PATH}${file.id}`;
    const expiryTime = now + this.linkLifetimeMs;
    return new TSparkArrowResultLink({
      fileLink: `${this.baseUrl}${path}?expires=${expiryTime}`,
      expiryTime: new Int64(expiryTime),
      startRowOffset: new Int64(file.startRow),
      rowCount: new Int64(file.rowCount),
      bytesNum: new Int64(file.arrowBytes),
      httpHeaders: { [SIGNATURE_HEADER]: this.signer.sign(path, expiryTime) },
    });
  }

  /** Deletes a file; its links then answer 404. */
  async remove(id: string): Promise<void> {
    const file = this.files.get(id);
    if (!file) return;
    this.files.delete(id);
    this.spool.release(file.size);
    await unlink(file.path).catch(() => undefined);
  }

  /** Answers a GET of `url` (a path under RESULT_FILES_PATH), streaming the file from disk. */
  serve(request: IncomingMessage, response: ServerResponse, url: URL): void {
    request.resume();
    const signature = request.headers[SIGNATURE_HEADER];
    const expires = Number(url.searchParams.get('expires'));
    if (request.method !== 'GET' || typeof signature !== 'string' || !this.signer.verify(url.pathname, expires, signature)) {
      response.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden\n');
      return;
    }
    const file = this.files.get(url.pathname.slice(RESULT_FILES_PATH.length));
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('This result file was freed\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/vnd.apache.arrow.stream', 'Content-Length': file.size });
    createReadStream(file.path)
      .on('error', () => response.destroy())
      .pipe(response);
  }
}
