/**
 * A codec server for the Temporal Web UI and CLI: `POST /decode` and `POST /encode` take
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` (Temporal's JSON form of
 * payloads) and answer the same shape, run through the payload codec. The UI calls it from the
 * browser, so it answers CORS preflights for the UI's origin. It decrypts for whoever reaches
 * it: it listens on loopback unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { readBoundedBody } from '../../http/bounded-body.js';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** @default 8888 (0 picks a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Browser origins allowed to call it (the Temporal UI's). @default ['http://localhost:8233', 'http://127.0.0.1:8233'] */
  allowedOrigins?: string[];
}

export interface CodecServer {
  /** e.g. 'http://127.0.0.1:8888': the "codec server endpoint" to give the Temporal UI. */
  readonly url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const origins = new Set(options.allowedOrigins ?? ['http://localhost:8233', 'http://127.0.0.1:8233']);
  const server: Server = createServer((request, response) => {
    handle(request, response, options.codec, origins).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) reply(response, 400, { error: message });
      else response.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8888, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  codec: PayloadCodec,
  origins: Set<string>,
): Promise<void> {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (!origins.has(origin)) {
      request.resume();
      return reply(response, 403, { error: `origin ${origin} is not allowed; start the codec server with --origin ${origin}` });
    }
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method === 'OPTIONS') {
    request.resume();
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    response.setHeader('Access-Control-Max-Age', '600');
    response.writeHead(204).end();
    return;
  }
  if (path !== '/decode' && path !== '/encode') {
    request.resume();
    return reply(response, 404, { error: 'POST /decode or /encode' });
  }
  if (request.method !== 'POST') {
    request.resume();
    return reply(response, 405, { error: 'use POST' });
  }
  const body = await readJson(request);
  const payloads = (body as { payloads?: unknown } | undefined)?.payloads;
  if (!Array.isArray(payloads)) return reply(response, 400, { error: 'the body must be { "payloads": [...] }' });
  const decoded = payloads.map((p) => fromJson(p as JsonPayload));
  const result = path === '/decode' ? await codec.decode(decoded) : await codec.encode(decoded);
  reply(response, 200, { payloads: result.map(toJson) });
}

function fromJson(payload: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload?.metadata ?? {})) metadata[key] = Buffer.from(String(value), 'base64');
  return { metadata, data: Buffer.from(String(payload?.data ?? ''), 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array(0)).toString('base64') };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const body = await readBoundedBody(request, MAX_BODY_BYTES);
  if (!body) throw new Error(`the body is over ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('the body is not JSON');
  }
}

function reply(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
