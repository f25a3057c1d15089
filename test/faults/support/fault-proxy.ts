/**
 * A loopback HTTP proxy in front of the local warehouse that injects faults per Thrift call:
 * the test suite's own, so the warehouse code stays free of test switches. Each request's
 * Thrift method name is read from its message header (binary protocol: version and type,
 * name length, name) and the first rule for that method that still has uses decides:
 * - `status`: answer 503 or 429 (with `Retry-After`), or 401, without forwarding: the warehouse never sees it;
 * - `reset`: destroy the connection without forwarding;
 * - `reset-after`: forward, then destroy the connection instead of answering;
 * - `stall`: never answer and never forward (until the client gives up or the proxy closes);
 * - `truncate`: forward, then send the headers and half the body and destroy the connection;
 * - `hold`: keep the request until `release(method)`; forwarded then, unless its client is gone;
 * - `hold-answer`: forward at once, keep the answer until `release(method)` (the warehouse did
 *   the work; its client does not know yet).
 * A held request whose client goes away is dropped (a killed worker's last call).
 * Requests without a rule pass through untouched.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultAction =
  | { kind: 'status'; status: 401 | 429 | 503; retryAfterSeconds?: number }
  | { kind: 'reset' }
  | { kind: 'reset-after' }
  | { kind: 'stall' }
  | { kind: 'truncate' }
  | { kind: 'hold' }
  | { kind: 'hold-answer' };

export interface FaultRule {
  /** Thrift method name, e.g. 'ExecuteStatement', 'GetOperationStatus', 'FetchResults'. */
  method: string;
  action: FaultAction;
  /** How many matching requests it applies to. Default: all of them. */
  times?: number;
}

/** One request as the proxy saw it. */
export interface ProxiedCall {
  method: string;
  /** What the proxy did: the action kind, or 'forward'. */
  outcome: FaultAction['kind'] | 'forward';
}

export class FaultProxy {
  readonly calls: ProxiedCall[] = [];
  private readonly rules: Array<FaultRule & { used: number }> = [];
  private readonly held: Array<{ method: string; resume: () => void }> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  /** Starts a proxy on 127.0.0.1 in front of `target` (the warehouse's serverHostname). */
  static async start(target: string): Promise<FaultProxy> {
    const server = createServer((req, res) => void proxy.handle(req, res));
    const proxy = new FaultProxy(server, new URL(target));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `http://127.0.0.1:PORT`: pass as the driver's serverHostname. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, used: 0 });
    return this;
  }

  /** Drops every rule (held requests stay held until released). */
  clearRules(): void {
    this.rules.length = 0;
  }

  /** How many requests for `method` arrived, whatever happened to them. */
  count(method: string, outcome?: ProxiedCall['outcome']): number {
    return this.calls.filter((c) => c.method === method && (outcome === undefined || c.outcome === outcome)).length;
  }

  /** How many requests for `method` are held now. */
  holding(method: string): number {
    return this.held.filter((h) => h.method === method).length;
  }

  /** Lets every held request for `method` go on. */
  release(method: string): void {
    for (const h of this.held.filter((h) => h.method === method)) {
      this.held.splice(this.held.indexOf(h), 1);
      h.resume();
    }
  }

  async close(): Promise<void> {
    for (const h of this.held.splice(0)) h.resume();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req).catch(() => undefined);
    if (!body) return;
    const method = thriftMethod(body) ?? req.url ?? '?';
    const rule = this.rules.find((r) => r.method === method && (r.times === undefined || r.used < r.times));
    if (rule) rule.used += 1;
    const action = rule?.action;
    this.calls.push({ method, outcome: action?.kind ?? 'forward' });
    switch (action?.kind) {
      case 'status':
        res.writeHead(action.status, {
          'content-type': 'text/plain',
          ...(action.retryAfterSeconds === undefined ? {} : { 'retry-after': String(action.retryAfterSeconds) }),
        });
        res.end(`injected ${action.status}`);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        return;
      case 'hold': {
        await this.holdUntilReleased(method, req);
        if (req.socket.destroyed) return; // its client is gone: the warehouse never sees it
        break;
      }
    }
    let answer: { status: number; headers: Record<string, string>; body: Buffer };
    try {
      answer = await this.forward(req, body);
    } catch {
      req.socket.destroy();
      return;
    }
    if (action?.kind === 'hold-answer') await this.holdUntilReleased(method, req);
    if (action?.kind === 'reset-after' || req.socket.destroyed) {
      req.socket.destroy();
      return;
    }
    if (action?.kind === 'truncate') {
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)), () => req.socket.destroy());
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /** Until `release(method)`, or until the request's client goes away. */
  private async holdUntilReleased(method: string, req: IncomingMessage): Promise<void> {
    await new Promise<void>((resume) => {
      const entry = { method, resume };
      this.held.push(entry);
      req.socket.once('close', () => {
        const at = this.held.indexOf(entry);
        if (at >= 0) this.held.splice(at, 1);
        resume();
      });
    });
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.target.host, 'content-length': String(body.length) };
      const out = httpRequest(
        { host: this.target.hostname, port: this.target.port, path: req.url, method: req.method, headers },
        (answer) => {
          readBody(answer).then((data) => {
            const kept: Record<string, string> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (
                typeof value === 'string' &&
                !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)
              ) {
                kept[name] = value;
              }
            }
            resolve({ status: answer.statusCode ?? 502, headers: kept, body: data });
          }, reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    stream.on('aborted', () => reject(new Error('aborted')));
  });
}

/** The method name of a strict binary-protocol Thrift message, or undefined. */
export function thriftMethod(body: Buffer): string | undefined {
  if (body.length < 8 || body.readUInt16BE(0) !== 0x8001) return undefined;
  const length = body.readInt32BE(4);
  if (length <= 0 || length > 64 || body.length < 8 + length) return undefined;
  return body.toString('utf8', 8, 8 + length);
}
