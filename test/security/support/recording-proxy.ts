/**
 * A loopback HTTP proxy for the security tests: forwards every request to the warehouse and
 * records its path, status and bearer token; `rejectNext` answers the next Thrift call 401
 * itself, as a workspace does for a revoked token.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  path: string;
  status: number;
  bearer?: string;
}

export interface RecordingProxy {
  /** http://127.0.0.1:PORT */
  readonly serverHostname: string;
  readonly exchanges: Exchange[];
  /** The next request to `path` gets 401 without reaching the warehouse. */
  rejectNext(path: string): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  const rejecting = new Set<string>();
  const server: Server = createServer((request: IncomingMessage, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (rejecting.delete(path)) {
      request.resume();
      exchanges.push({ path, status: 401, bearer });
      response.writeHead(401, { 'x-databricks-reason-phrase': 'Token is revoked' }).end();
      return;
    }
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers },
      (reply) => {
        exchanges.push({ path, status: reply.statusCode ?? 0, bearer });
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    serverHostname: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    rejectNext: (path) => rejecting.add(path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
