/**
 * Request bodies of this package's own HTTP servers (the local warehouse, its OAuth token
 * endpoint, the codec server): read whole up to a limit, so a client cannot make a server
 * hold more than that however much it sends.
 */
import type { IncomingMessage } from 'node:http';

/** The body, or null when it is over `maxBytes` (the rest is read and dropped). */
export function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= maxBytes) parts.push(part);
    });
    request.on('end', () => resolve(size <= maxBytes ? Buffer.concat(parts) : null));
    request.on('error', reject);
  });
}
