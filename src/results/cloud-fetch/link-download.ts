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
    return new Uint8Array(await response.body.arrayBuffer());
  };
  return { download, close: () => agent.close() };
}
