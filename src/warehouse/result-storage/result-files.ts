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
import { open, unlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { compressFrame } from 'lz4-napi';
import Int64 from 'node-int64';
import { TSparkArrowResultLink } from '../../thrift/index.js';
import { LinkSigner } from './link-signer.js';
import type { FileRange } from './result-store.js';
import type { Spool } from './spool.js';

/** The path prefix result files are served under. */
export const RESULT_FILES_PATH = '/results/';

/** The link header that carries the signature. */
const SIGNATURE_HEADER = 'x-result-signature';

/** Bytes read from a file per step while serving it. */
const READ_CHUNK_BYTES = 1024 * 1024;

const NO_BYTES = new Uint8Array(0);

/** The bytes of a range of a file. */
async function readRange(range: FileRange): Promise<Buffer> {
  const file = await open(range.path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(range.length);
    const { bytesRead } = await file.read(bytes, 0, range.length, range.offset);
    if (bytesRead !== range.length) throw new Error(`${range.path} ends before byte ${range.offset + range.length}`);
    return bytes;
  } finally {
    await file.close();
  }
}

/** One file written for a range of rows. */
export interface ResultFile {
  readonly id: string;
  readonly startRow: number;
  readonly rowCount: number;
  /** Bytes of the Arrow stream before any LZ4 framing (a link's `bytesNum`). */
  readonly arrowBytes: number;
}

/** Where a file's bytes lie: `prefix`, then `length` bytes of `path` from `offset`, then `suffix`. */
interface StoredFile {
  readonly path: string;
  readonly offset: number;
  readonly length: number;
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
  /** Whether the file at `path` is this file's own (written here, counted, deleted on remove). */
  readonly owned: boolean;
}

export class ResultFiles {
  /** Files by id. */
  private readonly files = new Map<string, StoredFile>();
  private readonly signer = new LinkSigner();
  /** Scheme, host and port links point at; set once the server listens. */
  baseUrl = '';

  constructor(
    private readonly spool: Spool,
    /** @format milliseconds. How long a link is good for. */
    private readonly linkLifetimeMs: number,
  ) {}

  /**
   * A new file holding an Arrow stream: `prefix`, the messages (in memory, or a range of a
   * spooled result, valid until the result is freed), then `suffix`. Uncompressed, a range is
   * served from where it lies, and messages in memory are written as they are: no copy of the
   * whole file. LZ4-framed, the whole stream is compressed into a file of its own, counted
   * against the disk cap.
   */
  async write(
    prefix: Uint8Array,
    messages: readonly Uint8Array[] | FileRange,
    suffix: Uint8Array,
    lz4: boolean,
    startRow: number,
    rowCount: number,
  ): Promise<ResultFile> {
    const id = randomUUID();
    const range = 'path' in messages ? messages : undefined;
    const bodyBytes = range ? range.length : (messages as readonly Uint8Array[]).reduce((sum, part) => sum + part.byteLength, 0);
    const arrowBytes = prefix.byteLength + bodyBytes + suffix.byteLength;
    if (range && !lz4) {
      this.files.set(id, { ...range, prefix, suffix, owned: false });
      return { id, startRow, rowCount, arrowBytes };
    }
    const body = range ? [await readRange(range)] : (messages as readonly Uint8Array[]);
    const parts = [prefix, ...body, suffix];
    // On libuv's thread pool: the event loop keeps answering fetches and serving files meanwhile.
    const compressed = lz4 ? await compressFrame(Buffer.concat(parts)) : undefined;
    const size = compressed?.length ?? arrowBytes;
    const path = this.spool.path(`${id}.arrows${lz4 ? '.lz4' : ''}`);
    this.spool.reserve(size);
    try {
      await writeFile(path, compressed ?? parts);
    } catch (error) {
      this.spool.release(size);
      throw error;
    }
    this.files.set(id, { path, offset: 0, length: size, prefix: NO_BYTES, suffix: NO_BYTES, owned: true });
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
    if (!file.owned) return;
    this.spool.release(file.length);
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
      this.freed(response);
      return;
    }
    // 1 MiB reads: a 64 KiB default meant 256 reads and socket writes per 16 MiB file.
    const { path, offset, length, prefix, suffix } = file;
    const body = createReadStream(path, { start: offset, end: offset + length - 1, highWaterMark: READ_CHUNK_BYTES });
    body.once('error', (error: NodeJS.ErrnoException) => {
      // Not there to open: its result was freed in the meantime.
      if (!response.headersSent && error.code === 'ENOENT') this.freed(response);
      else response.destroy();
    });
    response.once('close', () => body.destroy()); // a client gone mid-file frees the descriptor
    body.once('ready', () => {
      const size = prefix.byteLength + length + suffix.byteLength;
      response.writeHead(200, { 'Content-Type': 'application/vnd.apache.arrow.stream', 'Content-Length': size });
      if (prefix.byteLength > 0) response.write(prefix);
      body.pipe(response, { end: false });
      body.once('end', () => response.end(suffix));
    });
  }

  private freed(response: ServerResponse): void {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('This result file was freed\n');
  }
}
