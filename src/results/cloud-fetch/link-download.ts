/**
 * The HTTP GET of one cloud-fetch file. The request carries the link's own `httpHeaders` and
 * nothing else: never the warehouse's Authorization header, which the link host must not see.
 */
import { Agent, request } from 'undici';
import { LinkHttpError, type LinkDownloader } from './download-window.js';

export interface LinkDownloadOptions {
  /** Extra trusted CA certificate(s) in PEM, for link hosts with a private CA. */
  ca?: string | Buffer;
  /** Limit for one download. @format milliseconds */
  timeoutMs: number;
  /** Connections per link host. */
  connections: number;
}

/** A downloader with its own connection pool (no state shared with the Thrift transport). */
export function downloadLink(options: LinkDownloadOptions): { download: LinkDownloader; close: () => Promise<void> } {
  const agent = new Agent({
    connections: options.connections,
    connect: options.ca === undefined ? undefined : { ca: options.ca },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const download: LinkDownloader = async (link, signal) => {
    const response = await request(link.url, {
      method: 'GET',
      headers: { ...link.httpHeaders },
      dispatcher: agent,
      signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new LinkHttpError(response.statusCode);
    }
    return readBody(response.body, Number(response.headers['content-length']));
  };
  return { download, close: () => agent.close() };
}

/**
 * The whole body, copied chunk by chunk into one buffer of the announced length, so a file
 * is held once while it downloads rather than as chunks and then their concatenation.
 */
async function readBody(body: AsyncIterable<Buffer>, announced: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(announced) || announced <= 0) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  const bytes = Buffer.allocUnsafe(announced);
  let length = 0;
  for await (const chunk of body) {
    if (length + chunk.length > announced) throw new Error(`the file is longer than its Content-Length (${announced} bytes)`);
    bytes.set(chunk, length);
    length += chunk.length;
  }
  if (length !== announced) throw new Error(`the file ended after ${length} of its ${announced} bytes`);
  return bytes;
}
