/**
 * A local Databricks-compatible SQL warehouse on embedded DuckDB: the same wire protocol as a
 * Databricks SQL warehouse (Thrift over HTTP), for the demo, the tests and a laptop.
 *
 * @example
 * ```ts
 * import { startLocalWarehouse } from 'temporal-dbsql/warehouse';
 * import { connect } from 'temporal-dbsql';
 *
 * const warehouse = await startLocalWarehouse();
 * const connection = await connect(warehouse);   // serverHostname, httpPath, accessToken
 * const rows = await (await connection.execute('SELECT * FROM RANGE(3)')).fetchAll();
 * await connection.close();
 * await warehouse.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { WarehouseEngine } from './engine.js';
import { WarehouseStartError } from './errors.js';
import { WarehouseHandler } from './server/handler.js';
import { createWarehouseServer } from './server/http-server.js';
import { OperationRegistry } from './operations/operation-registry.js';
import { ResultFiles } from './result-storage/result-files.js';
import { Spool } from './result-storage/spool.js';
import { QueryHistory, type QueryRecord } from './operations/query-history.js';
import { SessionRegistry } from './operations/session-registry.js';
import { VolumeFiles } from './staging/volume-files.js';
import { dirname, join, resolve } from 'node:path';
import { OAuthTokenIssuer, type OAuthClientOptions } from './server/oauth.js';

export type { QueryRecord } from './operations/query-history.js';
export type { OAuthClientOptions } from './server/oauth.js';
export { SqlStatementError, UnknownHandleError, WarehouseStartError } from './errors.js';

export interface LocalWarehouseOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** The access token clients must present. Default: 32 random bytes, hex. */
  token?: string;
  /** A service principal: serve `/oidc/v1/token` to it and accept the tokens issued there too. */
  oauth?: OAuthClientOptions;
  /** DuckDB database file, kept across restarts. Default ':memory:'. */
  database?: string;
  /** Serve HTTPS with a self-signed certificate made at start-up (see `caCertificate`). */
  tls?: boolean;
  /** @format milliseconds. How long ExecuteStatement waits to return a direct result. Default 5000, like Databricks. */
  directResultsWaitMs?: number;
  /** @format milliseconds. Finished results untouched this long are freed. Default 15 minutes. */
  resultIdleTimeoutMs?: number;
  /**
   * @format milliseconds. A session no call has named for this long is closed; later calls on
   * it answer "Invalid SessionHandle" (INVALID_HANDLE, RESOURCE_DOES_NOT_EXIST), as Databricks
   * does. Its queries keep running and stay readable from other sessions. Default 8 hours,
   * the idle timeout of Databricks SQL warehouse sessions.
   */
  sessionIdleTimeoutMs?: number;
  /**
   * Holds each statement in RUNNING until the promise it returns settles, before DuckDB runs
   * it: a deterministic slow statement for tests. Cancel and queryTimeout still end it at once;
   * a rejection fails the statement with its message.
   */
  holdStatements?: (info: { queryId: string; statement: string }) => Promise<void>;
  /** Path of the Thrift endpoint. Default '/sql/1.0/warehouses/local'. */
  httpPath?: string;
  /**
   * Directory in which the warehouse makes its spool (a fresh subdirectory, deleted at stop):
   * every result is written there as it is produced, so memory stays bounded whatever the
   * result's size. Default: the OS temp directory.
   */
  spoolDirectory?: string;
  /**
   * @format bytes. Disk cap for all spooled results and cloud fetch files together; a
   * statement whose result would pass it fails with SQLSTATE 54000 naming the cap. Default:
   * half the free space in the spool's file system at start-up.
   */
  maxSpoolBytes?: number;
  /**
   * @format bytes. A finished result larger than this (Arrow buffers) goes by cloud fetch links
   * to clients that set canDownloadResult, instead of inline. Default 16 MiB.
   */
  cloudFetchThresholdBytes?: number;
  /** @format bytes. About this much of a result (Arrow buffers) per cloud fetch file. Default 16 MiB. */
  cloudFetchFileBytes?: number;
  /** @format milliseconds. How long a cloud fetch link (and a staging URL) is good for. Default 15 minutes. */
  resultLinkLifetimeMs?: number;
  /**
   * Directory holding the volumes that PUT / GET / REMOVE reach: `/Volumes/c/s/v/f` is
   * `<volumesDirectory>/c/s/v/f`. Default: `volumes` beside a database file; for an
   * in-memory database, a directory in the spool (deleted at stop).
   */
  volumesDirectory?: string;
  /**
   * Statements running at once; more wait as PENDING. Default: the libuv thread pool size at
   * start-up (UV_THREADPOOL_SIZE, 4 if unset) minus 2, at least 1.
   */
  maxConcurrentStatements?: number;
}

export interface LocalWarehouse {
  /** URL with scheme and port, e.g. 'http://127.0.0.1:43123'. */
  readonly serverHostname: string;
  readonly httpPath: string;
  readonly accessToken: string;
  /** Full URL of the Thrift endpoint. */
  readonly url: string;
  /** PEM of the self-signed certificate, when `tls`. */
  readonly caCertificate?: string;
  /** The local query history, newest first. */
  history(): QueryRecord[];
  /**
   * Ends every open session now, as the idle expiry does, and returns how many it ended.
   * Statements keep running and stay readable; a client's next call on an ended session gets
   * Databricks' invalid-session error and must open another. Tests use it to lose sessions at
   * a known moment instead of racing a short idle timeout.
   */
  expireSessions(): number;
  /** The spool directory this warehouse made (deleted by `close`). */
  readonly spoolDirectory: string;
  /** Cancels running statements, frees every result, stops listening, deletes the spool. Idempotent. */
  close(): Promise<void>;
}

/**
 * The libuv thread pool size this process started with. Each running DuckDB statement holds
 * one of these threads, and the pool's size is fixed when it first starts, which in an ESM
 * program is before any of our code runs: only UV_THREADPOOL_SIZE set before `node` starts
 * counts (the `warehouse` CLI command arranges that).
 */
const THREAD_POOL_SIZE = Number(process.env['UV_THREADPOOL_SIZE']) || 4;

/**
 * Databricks SQL warehouses close sessions idle for 8 hours (a Databricks maintainer in
 * databricks/databricks-sql-go issue #77, 2023-05-31).
 */
const DEFAULT_SESSION_IDLE_MS = 8 * 3600_000;

/** Threads left for file, DNS and crypto work whatever the statements do. */
const THREADS_KEPT_FOR_IO = 2;

export async function startLocalWarehouse(options: LocalWarehouseOptions = {}): Promise<LocalWarehouse> {
  const host = options.host ?? '127.0.0.1';
  const httpPath = options.httpPath ?? '/sql/1.0/warehouses/local';
  if (!httpPath.startsWith('/')) throw new WarehouseStartError(`httpPath must start with '/', got '${httpPath}'.`);
  const token = options.token ?? randomBytes(32).toString('hex');
  if (token.length === 0) throw new WarehouseStartError('token must not be empty.');
  const idleMs = options.resultIdleTimeoutMs ?? 15 * 60_000;
  const sessionIdleMs = options.sessionIdleTimeoutMs ?? DEFAULT_SESSION_IDLE_MS;
  const linkLifetimeMs = options.resultLinkLifetimeMs ?? 15 * 60_000;
  for (const [name, value] of [
    ['resultIdleTimeoutMs', idleMs],
    ['sessionIdleTimeoutMs', sessionIdleMs],
    ['resultLinkLifetimeMs', linkLifetimeMs],
    ['maxSpoolBytes', options.maxSpoolBytes ?? 1],
    ['cloudFetchFileBytes', options.cloudFetchFileBytes ?? 1],
  ] as const) {
    if (!(value > 0)) throw new WarehouseStartError(`${name} must be a positive number, got ${value}.`);
  }
  if (!((options.cloudFetchThresholdBytes ?? 0) >= 0)) {
    throw new WarehouseStartError(`cloudFetchThresholdBytes must be 0 or more, got ${options.cloudFetchThresholdBytes}.`);
  }
  const database = options.database ?? ':memory:';
  const port = options.port ?? 0;

  // Before the database opens, so a failure here leaves nothing to close.
  let tls: { key: string; cert: string } | undefined;
  try {
    tls = options.tls ? await selfSignedCertificate(host) : undefined;
  } catch (error) {
    throw new WarehouseStartError(
      `Cannot make a TLS certificate for host '${host}': ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  let spool: Spool;
  try {
    spool = await Spool.create(options.spoolDirectory, options.maxSpoolBytes);
  } catch (error) {
    throw new WarehouseStartError(
      `Cannot make a spool directory in '${options.spoolDirectory ?? tmpdir()}': ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const volumesDirectory =
    options.volumesDirectory ?? join(database === ':memory:' ? spool.directory : dirname(resolve(database)), 'volumes');
  const volumes = new VolumeFiles(volumesDirectory, linkLifetimeMs);
  let engine: WarehouseEngine;
  try {
    const concurrency = options.maxConcurrentStatements ?? Math.max(1, THREAD_POOL_SIZE - THREADS_KEPT_FOR_IO);
    engine = await WarehouseEngine.open(database, concurrency, volumes);
  } catch (error) {
    await spool.remove();
    throw new WarehouseStartError(
      `Cannot open database '${database}': ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const files = new ResultFiles(spool, linkLifetimeMs);
  const sessions = new SessionRegistry();
  const operations = new OperationRegistry();
  const history = new QueryHistory();
  const handler = new WarehouseHandler(engine, sessions, operations, history, {
    directResultsWaitMs: options.directResultsWaitMs ?? 5000,
    spool,
    cloudFetch: {
      files,
      thresholdBytes: options.cloudFetchThresholdBytes ?? 16 * 1024 ** 2,
      fileBytes: options.cloudFetchFileBytes ?? 16 * 1024 ** 2,
    },
    hold: options.holdStatements,
  });
  const oauth = options.oauth ? new OAuthTokenIssuer(options.oauth) : undefined;
  const server = createWarehouseServer(handler, { httpPath, token, tls, oauth, history: () => history.list(), files, volumes });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await engine.close();
    await spool.remove();
    throw new WarehouseStartError(`Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  }

  const sweepEveryMs = Math.max(50, Math.min(idleMs / 4, sessionIdleMs / 4, 30_000));
  const sweeper = setInterval(() => {
    const now = Date.now();
    operations.expireIdle(idleMs, now);
    sessions.expireIdle(sessionIdleMs, now);
  }, sweepEveryMs);
  sweeper.unref();

  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const serverHostname = `${tls ? 'https' : 'http'}://${urlHost}:${(server.address() as AddressInfo).port}`;
  files.baseUrl = serverHostname;
  volumes.baseUrl = serverHostname;
  let closing: Promise<void> | undefined;
  return {
    serverHostname,
    httpPath,
    accessToken: token,
    url: `${serverHostname}${httpPath}`,
    caCertificate: tls?.cert,
    spoolDirectory: spool.directory,
    history: () => history.list(),
    expireSessions: () => sessions.expireIdle(0),
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        operations.clear();
        await sessions.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await engine.close();
        await spool.remove();
      })();
      return closing;
    },
  };
}

async function selfSignedCertificate(host: string): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned');
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '0.0.0.0') {
    altNames.push(/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
