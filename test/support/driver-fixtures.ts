/**
 * Helpers for the driver's integration tests: a connection to a local warehouse, a warehouse
 * with sessions for one describe block, a small real HTTP proxy that can answer 503 before
 * passing requests on, and a condition poller.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { type ConnectOptions, type Connection, ServerOperationError, connect } from '../../src/index.js';
import { type LocalWarehouse, type LocalWarehouseOptions, startLocalWarehouse } from '../../src/warehouse/index.js';

/** A long statement on DuckDB (tens of seconds on a small machine), for cancel and pickup tests. */
export const SLOW_SQL = 'SELECT sum(a.id * b.id) AS s FROM RANGE(200000) a, RANGE(200000) b';

/** Connects to a local warehouse with quick retries. */
export function connectTo(warehouse: LocalWarehouse, extra: Partial<ConnectOptions> = {}): Promise<Connection> {
  return connect({
    serverHostname: warehouse.serverHostname,
    httpPath: warehouse.httpPath,
    accessToken: warehouse.accessToken,
    retry: { minDelayMs: 20, maxDelayMs: 200, totalTimeoutMs: 30_000 },
    ...extra,
  });
}

/** A local warehouse and driver sessions on it, for the tests of one describe block. */
export interface LocalWarehouseFixture {
  readonly warehouse: LocalWarehouse;
  /** The session the tests act in. */
  readonly connection: Connection;
  /** A second session, to show what another session sees (only with `sessions: 2`). */
  readonly otherConnection: Connection;
}

/**
 * Starts a local warehouse and opens `sessions` connections before the enclosing describe's
 * tests, and closes them after. `warehouse` may be a function, for options made in the hook.
 */
export function useLocalWarehouse(
  setup: { warehouse?: LocalWarehouseOptions | (() => Promise<LocalWarehouseOptions>); sessions?: 1 | 2 } = {},
): LocalWarehouseFixture {
  let warehouse: LocalWarehouse | undefined;
  const opened: Connection[] = [];
  before(async () => {
    const options = typeof setup.warehouse === 'function' ? await setup.warehouse() : setup.warehouse;
    warehouse = await startLocalWarehouse(options);
    for (let i = 0; i < (setup.sessions ?? 1); i++) opened.push(await connectTo(warehouse));
  });
  after(async () => {
    for (const connection of opened) await connection.close();
    await warehouse?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not open: use it inside a test of the describe block`);
    return value;
  };
  return {
    get warehouse() {
      return started(warehouse, 'the local warehouse');
    },
    get connection() {
      return started(opened[0], 'the first session');
    },
    get otherConnection() {
      return started(opened[1], 'the second session (sessions: 2)');
    },
  };
}

/** Runs `sql` and returns all its rows as objects. */
export async function rowsOf(connection: Connection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.execute(sql)).fetchAll();
}

/** The SQLSTATE a statement fails with, or undefined when it succeeds. */
export async function sqlStateOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ServerOperationError) return error.sqlState;
    throw error;
  }
}

/** What the proxy does with request number `n` (1-based). */
export type ProxyDecision = 'forward' | { status: number; retryAfter?: string };

export interface TestProxy {
  /** Base URL to give to connect() as serverHostname. */
  url: string;
  /** Requests seen so far, and how many were answered by the proxy itself. */
  readonly seen: number;
  readonly refused: number;
  /** Changes the plan for the following requests. */
  setPlan(plan: (n: number) => ProxyDecision): void;
  close(): Promise<void>;
}

/** A real HTTP proxy in front of `target` (an http:// URL). */
export async function startProxy(
  target: string,
  initialPlan: (n: number) => ProxyDecision = () => 'forward',
): Promise<TestProxy> {
  const upstream = new URL(target);
  let plan = initialPlan;
  let seen = 0;
  let refused = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen++;
      const decision = plan(seen);
      if (decision !== 'forward') {
        refused++;
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (decision.retryAfter !== undefined) headers['retry-after'] = decision.retryAfter;
        res.writeHead(decision.status, headers);
        res.end('overloaded, try later\n');
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get seen() {
      return seen;
    },
    get refused() {
      return refused;
    },
    setPlan(next) {
      plan = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
