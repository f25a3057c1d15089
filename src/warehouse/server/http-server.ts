/**
 * HTTP(S) front of the warehouse: Thrift binary messages in POST bodies at the endpoint path,
 * the query history page at `/` and its JSON at `/api/queries`, and the official clients'
 * telemetry endpoints (client-telemetry.ts).
 *
 * Statuses: 401 for a missing or wrong token, 400 for a body that is not a Thrift message,
 * 404 for other paths. A bad request never affects anyone else's. The history is open to
 * loopback clients and needs the token from elsewhere.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import thrift from 'thrift';
import { TCLIServiceProcessor } from '../../thrift/index.js';
import { readBoundedBody } from '../../http/bounded-body.js';
import type { WarehouseHandler } from './handler.js';
import { answerTelemetry, isTelemetryPath, telemetryNeedsToken } from './client-telemetry.js';
import { historyPage } from './history-page.js';
import { RESULT_FILES_PATH, type ResultFiles } from '../result-storage/result-files.js';
import { VOLUMES_PATH, type VolumeFiles } from '../staging/volume-files.js';
import type { QueryRecord } from '../operations/query-history.js';
import type { OAuthTokenIssuer } from './oauth.js';

/** Bodies above this are refused (413): no Thrift request of this protocol comes near it. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * How long an idle keep-alive connection stays open: as long as a cloud load balancer keeps
 * one (60 s on AWS's), not node's 5 s. Clients whose agents ignore the server's Keep-Alive hint
 * (@databricks/sql's node-fetch) reuse a pooled socket without checking it; with 5 s they sent
 * requests on sockets the warehouse was closing and failed with "socket hang up" mid-result.
 */
const KEEP_ALIVE_MS = 65_000;

export interface HttpServerOptions {
  readonly httpPath: string;
  readonly token: string;
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly history: () => QueryRecord[];
  /** Cloud fetch files, served under RESULT_FILES_PATH to signed links (no token). */
  readonly files: ResultFiles;
  /** Volume files, served under VOLUMES_PATH to presigned URLs (no token). */
  readonly volumes: VolumeFiles;
  /** Serves the OAuth token endpoint and accepts the tokens it issued. */
  readonly oauth?: OAuthTokenIssuer;
}

export function createWarehouseServer(handler: WarehouseHandler, options: HttpServerOptions): Server {
  const processor = new TCLIServiceProcessor(withRequiredRequests(handler));
  const tokenDigest = digest(options.token);
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    route(request, response).catch((error: unknown) => {
      // A bug on our side: answer 500 without detail, and keep serving.
      console.error('local warehouse: request failed:', error instanceof Error ? error.message : error);
      if (!response.headersSent) send(response, 500, 'text/plain', 'Internal error\n');
      else response.destroy();
    });
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith(RESULT_FILES_PATH)) return options.files.serve(request, response, url);
    if (path.startsWith(VOLUMES_PATH)) return options.volumes.serve(request, response, url);
    if (path === options.httpPath) {
      if (request.method !== 'POST') return send(response, 405, 'text/plain', 'Use POST with a Thrift body\n');
      if (!authorized(request.headers.authorization, tokenDigest, options.oauth)) {
        request.resume();
        response.setHeader('WWW-Authenticate', 'Bearer');
        return send(response, 401, 'text/plain', 'Missing or invalid access token\n');
      }
      const body = await readBoundedBody(request, MAX_BODY_BYTES);
      if (body === null) return send(response, 413, 'text/plain', 'Request body too large\n');
      const problem = messageProblem(body);
      if (problem) return send(response, 400, 'text/plain', `${problem}\n`);
      const reply = await processThrift(processor, body);
      if (reply === null) return send(response, 400, 'text/plain', 'The request body is not a valid Thrift message\n');
      return send(response, 200, 'application/x-thrift', reply);
    }
    if (options.oauth?.serves(path)) return options.oauth.handle(request, response, path);
    if (isTelemetryPath(path)) {
      if (telemetryNeedsToken(path) && !authorized(request.headers.authorization, tokenDigest, options.oauth)) {
        request.resume();
        return send(response, 401, 'text/plain', 'Missing or invalid access token\n');
      }
      const answer = await answerTelemetry(request, path);
      return send(response, answer.status, 'application/json', JSON.stringify(answer.json));
    }
    if (request.method === 'GET' && (path === '/' || path === '/api/queries') && !historyVisible(request, tokenDigest)) {
      request.resume();
      response.setHeader('WWW-Authenticate', 'Basic realm="local warehouse: user token, password the access token"');
      return send(response, 401, 'text/plain', 'The query history needs the access token from other machines\n');
    }
    if (request.method === 'GET' && path === '/') {
      return send(response, 200, 'text/html; charset=utf-8', historyPage(options.history()));
    }
    if (request.method === 'GET' && path === '/api/queries') {
      return send(response, 200, 'application/json', JSON.stringify(options.history()));
    }
    send(response, 404, 'text/plain', 'Not found\n');
  };

  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return server;
}

const MESSAGE_TYPES: Record<number, string> = { 1: 'CALL', 2: 'REPLY', 3: 'EXCEPTION', 4: 'ONEWAY' };

/**
 * Why the body is not exactly one Thrift CALL message, or undefined when it is one. Read
 * before the call runs (skipping its arguments): a REPLY, EXCEPTION or ONEWAY message, or
 * bytes after the message's end, are refused instead of being served or ignored. A declared
 * length is checked against the bytes present before anything is read, so it allocates nothing.
 */
function messageProblem(body: Buffer): string | undefined {
  let problem: string | undefined;
  try {
    thrift.TBufferedTransport.receiver((input) => {
      const protocol = new thrift.TBinaryProtocol(input);
      const { fname, mtype } = protocol.readMessageBegin();
      if (mtype !== thrift.Thrift.MessageType.CALL) {
        problem = `The request is a Thrift ${MESSAGE_TYPES[mtype] ?? `type ${mtype}`} message; only CALL messages are served`;
        return;
      }
      protocol.skip(thrift.Thrift.Type.STRUCT);
      protocol.readMessageEnd();
      const cursors = input as unknown as { readCursor: number; writeCursor: number };
      const left = cursors.writeCursor - cursors.readCursor;
      if (left > 0) problem = `The request has ${left} bytes after the end of the ${String(fname)} message`;
    }, 0)(body);
  } catch {
    problem = 'The request body is not a valid Thrift message';
  }
  return problem;
}

/**
 * The handler, refusing a call whose arguments lack the request struct with an error naming
 * it (the processor sends it as a Thrift exception), and any other failure of ours as an
 * internal error, so no exception text shows the warehouse's own internals.
 */
function withRequiredRequests(handler: WarehouseHandler): WarehouseHandler {
  return new Proxy(handler, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || !/^[A-Z]/.test(property)) return value;
      const call = value as (r: unknown) => Promise<unknown>;
      return async (req: unknown): Promise<unknown> => {
        if (req === null || req === undefined) throw new Error(`${property}: the call has no request (argument 1, req)`);
        try {
          return await call.call(target, req);
        } catch {
          throw new Error(`${property}: the request could not be served (a required field is missing or malformed)`);
        }
      };
    },
  });
}

/** The reply bytes, or null when the body is not a Thrift call this service can read. */
function processThrift(processor: InstanceType<typeof TCLIServiceProcessor>, body: Buffer): Promise<Buffer | null> {
  return new Promise((resolve) => {
    try {
      thrift.TBufferedTransport.receiver((input) => {
        const output = new thrift.TBufferedTransport(undefined, (reply?: Buffer) => resolve(reply ?? Buffer.alloc(0)));
        processor.process(new thrift.TBinaryProtocol(input), new thrift.TBinaryProtocol(output));
      }, 0)(body);
    } catch {
      // Reading the message or its arguments failed: truncated or not Thrift at all.
      resolve(null);
    }
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Bearer TOKEN, or HTTP Basic with user `token` and the token as password. */
function authorized(header: string | undefined, tokenDigest: Buffer, oauth?: OAuthTokenIssuer): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  let presented: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') {
    presented = value;
  } else if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0 && decoded.slice(0, colon) === 'token') presented = decoded.slice(colon + 1);
  }
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), tokenDigest) || (oauth?.accepts(presented) ?? false);
}

/**
 * The history shows statement text: open to this machine (the default, listening on
 * 127.0.0.1), and only with the token to any other.
 */
function historyVisible(request: IncomingMessage, tokenDigest: Buffer): boolean {
  const remote = request.socket.remoteAddress ?? '';
  const loopback = remote === '::1' || remote.startsWith('127.') || remote.startsWith('::ffff:127.');
  return loopback || authorized(request.headers.authorization, tokenDigest);
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  // Databricks states the reason in headers, where the official connectors read it.
  const reason =
    status >= 400
      ? { [status === 401 ? 'x-databricks-reason-phrase' : 'x-thriftserver-error-message']: String(body).trim() }
      : {};
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...reason });
  response.end(body);
}
