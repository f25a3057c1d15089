/**
 * Unity Catalog volumes on the local warehouse: `/Volumes/<catalog>/<schema>/<volume>/<path>`
 * is `<directory>/<catalog>/<schema>/<volume>/<path>`. A staging statement (PUT, GET, REMOVE)
 * is answered, as Databricks answers it, with one row: the operation, a presigned URL, the
 * headers to send (a MAP<STRING, STRING>) and, for PUT and GET, the client's local file; the
 * client then uploads (HTTP PUT), downloads (GET) or deletes (DELETE) at that URL, which this
 * warehouse serves under VOLUMES_PATH. That shape is what the official clients read (by
 * position in the Go and JDBC drivers; docs/compatibility.md gives the evidence).
 *
 * A URL is good for one method on one file until it expires: its signature (HMAC-SHA256 with
 * this process's key, link-signer.ts) covers the method, the path, OVERWRITE and the expiry,
 * and travels in the `x-volume-signature` header the row lists. A missing, wrong, tampered or
 * expired signature gets 403 and nothing else.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { SqlStatementError } from '../errors.js';
import { LinkSigner } from '../result-storage/link-signer.js';
import type { StagingStatement } from './staging-statements.js';

/** Where the warehouse serves presigned volume URLs. */
export const VOLUMES_PATH = '/volumes/';

const SIGNATURE_HEADER = 'x-volume-signature';

const HTTP_METHODS = { PUT: 'PUT', GET: 'GET', REMOVE: 'DELETE' } as const;

export class VolumeFiles {
  readonly #signer = new LinkSigner();
  /** Scheme, host and port URLs point at; set once the server listens. */
  baseUrl = '';

  constructor(
    /** The directory holding the volumes, one sub-directory per catalog. */
    readonly directory: string,
    /** @format milliseconds. How long a presigned URL is good for. */
    private readonly urlLifetimeMs: number,
  ) {}

  /**
   * The DuckDB query whose one row answers a staging statement: operation, presignedUrl,
   * headers (a MAP, sent as JSON text to a client that asks for complex types as text) and
   * localFile (PUT and GET only). Throws SqlStatementError when the file is missing (GET,
   * REMOVE) or already there (PUT without OVERWRITE).
   */
  async answer(statement: StagingStatement, now = Date.now()): Promise<string> {
    const { segments, text } = statement.volumePath;
    const exists = await isFile(join(this.directory, ...segments));
    if (statement.operation === 'PUT' && exists && !statement.overwrite) {
      throw new SqlStatementError(`[PATH_ALREADY_EXISTS] ${text} already exists. Add OVERWRITE to replace it.`, '42K04');
    }
    if (statement.operation !== 'PUT' && !exists) {
      throw new SqlStatementError(`[PATH_NOT_FOUND] Path does not exist: ${text}.`, '42K03');
    }
    const method = HTTP_METHODS[statement.operation];
    const path = VOLUMES_PATH + segments.map(encodeURIComponent).join('/');
    const expires = now + this.urlLifetimeMs;
    const overwrite = statement.operation === 'PUT' && statement.overwrite;
    const query = `expires=${expires}${overwrite ? '&overwrite=true' : ''}`;
    const signature = this.#signer.sign(signedText(method, path, overwrite), expires);
    const headers = `MAP {${literal(SIGNATURE_HEADER)}: ${literal(signature)}}`;
    const localFile = statement.operation === 'REMOVE' ? '' : `, ${literal(statement.localFile)} AS "localFile"`;
    return (
      `SELECT ${literal(statement.operation)} AS "operation", ${literal(`${this.baseUrl}${path}?${query}`)} AS "presignedUrl", ` +
      `${headers} AS "headers"${localFile}`
    );
  }

  /** Answers a request to a presigned URL (a path under VOLUMES_PATH). */
  serve(request: IncomingMessage, response: ServerResponse, url: URL): void {
    this.#serve(request, response, url).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, `Volume operation failed: ${(error as Error).message}\n`);
      else response.destroy();
    });
  }

  async #serve(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const signature = request.headers[SIGNATURE_HEADER];
    const expires = Number(url.searchParams.get('expires'));
    const overwrite = url.searchParams.get('overwrite') === 'true';
    const method = request.method ?? '';
    const signed = signedText(method, url.pathname, overwrite);
    if (typeof signature !== 'string' || !this.#signer.verify(signed, expires, signature)) {
      request.resume();
      return reply(response, 403, 'Forbidden\n');
    }
    const segments = url.pathname.slice(VOLUMES_PATH.length).split('/').map(decodeURIComponent);
    const file = join(this.directory, ...segments);
    if (method === 'PUT') {
      if (!overwrite && (await isFile(file))) {
        request.resume();
        return reply(response, 409, 'The file already exists\n');
      }
      await mkdir(dirname(file), { recursive: true });
      // Written aside and renamed: a reader never sees half a file, a failed upload leaves none.
      const part = `${file}.${randomBytes(6).toString('hex')}.part`;
      try {
        await pipeline(request, createWriteStream(part));
        await rename(part, file);
      } catch (error) {
        await unlink(part).catch(() => undefined);
        throw error;
      }
      return reply(response, 201, '');
    }
    request.resume();
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) return reply(response, 404, 'No such file in the volume\n');
    if (method === 'DELETE') {
      await unlink(file);
      return reply(response, 204, '');
    }
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    await pipeline(createReadStream(file), response);
  }
}

function signedText(method: string, path: string, overwrite: boolean): string {
  return `${method} ${path}${overwrite ? ' overwrite' : ''}`;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
