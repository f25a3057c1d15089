/**
 * Connection options: what users pass to `connect()`, and how they are checked and completed
 * (environment variables, URL, defaults) before anything touches the network.
 */
import { InvalidArgumentError } from '../errors.js';
import type { HttpCredentials } from '../transport/http-transport.js';
import { DEFAULT_RETRY, type RetryOptions } from '../transport/retry-policy.js';
import { VERSION } from '../version.js';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** Host name (https on port 443), or a URL with scheme and port: 'http://127.0.0.1:8765'. */
  serverHostname: string;
  /** Path of the warehouse's HTTP endpoint, e.g. '/sql/1.0/warehouses/abc123'. */
  httpPath: string;
  /** Personal access token, sent as `Authorization: Bearer`. */
  accessToken?: string;
  /** HTTP Basic credentials instead of a token (Spark Thrift server, HiveServer2). */
  auth?: { username: string; password: string };
  /** Extra trusted CA certificate(s) in PEM, for https with a private or self-signed CA. */
  ca?: string | Buffer;
  /** Limit for one HTTP request. @format milliseconds (default 120000) */
  requestTimeoutMs?: number;
  /** Retry policy of the HTTP transport; each field defaults as in the official clients. */
  retry?: Partial<RetryOptions>;
  /** Appended to the User-Agent, e.g. 'my-app/1.2'. */
  userAgentEntry?: string;
  /**
   * Thrift protocol version to ask for. Default: Spark V8, falling back to HIVE V10 when the
   * server refuses it. Set a HIVE version to talk to a HiveServer2 peer from the first call.
   */
  protocolVersion?: number;
  /** Rows per FetchResults call (default 100000). */
  maxRowsPerFetch?: number;
  /**
   * Largest direct (inline) result to ask for. Defaults: 100000 rows, 10 MiB. `maxBytes` is
   * also the byte hint of every FetchResults call on Spark servers.
   */
  directResults?: { maxRows?: number; maxBytes?: number };
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  url: URL;
  credentials: HttpCredentials;
  ca?: string | Buffer;
  userAgent: string;
  requestTimeoutMs: number;
  retry: RetryOptions;
  protocolVersion?: number;
  username?: string;
  maxRowsPerFetch: number;
  directResults: { maxRows: number; maxBytes: number };
}

const ENV = { host: 'DATABRICKS_HOST', httpPath: 'DATABRICKS_HTTP_PATH', token: 'DATABRICKS_TOKEN' } as const;

/** Reads DATABRICKS_HOST, DATABRICKS_HTTP_PATH and DATABRICKS_TOKEN. */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ConnectOptions {
  const missing = Object.values(ENV).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      missing[0] as string,
      `connect() was called without options and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set`,
    );
  }
  return { serverHostname: env[ENV.host] as string, httpPath: env[ENV.httpPath] as string, accessToken: env[ENV.token] };
}

export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'connect(options) needs an object with serverHostname and httpPath');
  }
  const url = endpointUrl(options.serverHostname, options.httpPath);
  return {
    url,
    credentials: credentialsOf(options),
    ca: options.ca,
    userAgent: `temporal-dbsql/${VERSION}${options.userAgentEntry ? ` (${options.userAgentEntry})` : ''}`,
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 120_000),
    retry: {
      minDelayMs: nonNegative('retry.minDelayMs', options.retry?.minDelayMs, DEFAULT_RETRY.minDelayMs),
      maxDelayMs: nonNegative('retry.maxDelayMs', options.retry?.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
      totalTimeoutMs: positive('retry.totalTimeoutMs', options.retry?.totalTimeoutMs, DEFAULT_RETRY.totalTimeoutMs),
      maxAttempts: positive('retry.maxAttempts', options.retry?.maxAttempts, DEFAULT_RETRY.maxAttempts),
    },
    protocolVersion: options.protocolVersion,
    username: options.auth?.username,
    maxRowsPerFetch: positive('maxRowsPerFetch', options.maxRowsPerFetch, 100_000),
    directResults: {
      maxRows: positive('directResults.maxRows', options.directResults?.maxRows, 100_000),
      maxBytes: positive('directResults.maxBytes', options.directResults?.maxBytes, 10 * 1024 * 1024),
    },
  };
}

/** 'host' -> https://host:443/path; a URL keeps its scheme and port. */
export function endpointUrl(serverHostname: unknown, httpPath: unknown): URL {
  if (typeof serverHostname !== 'string' || serverHostname.trim() === '') {
    throw new InvalidArgumentError('serverHostname', 'serverHostname must be a host name or a URL such as https://host:443');
  }
  if (typeof httpPath !== 'string' || httpPath.trim() === '') {
    throw new InvalidArgumentError('httpPath', "httpPath must be the warehouse's HTTP path, e.g. /sql/1.0/warehouses/abc");
  }
  const host = serverHostname.trim();
  const base = host.includes('://') ? host : `https://${host}`;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new InvalidArgumentError('serverHostname', `serverHostname is not a valid host name or URL: ${JSON.stringify(host)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError('serverHostname', `serverHostname must use http or https, got ${url.protocol}`);
  }
  const path = httpPath.trim();
  url.pathname = path.startsWith('/') ? path : `/${path}`;
  return url;
}

function credentialsOf(options: ConnectOptions): HttpCredentials {
  if (options.accessToken !== undefined && options.auth !== undefined) {
    throw new InvalidArgumentError('auth', 'give either accessToken or auth (username and password), not both');
  }
  if (options.accessToken !== undefined) {
    if (typeof options.accessToken !== 'string' || options.accessToken === '') {
      throw new InvalidArgumentError('accessToken', 'accessToken must be a non-empty string');
    }
    return { kind: 'bearer', token: options.accessToken };
  }
  if (options.auth !== undefined) {
    const { username, password } = options.auth;
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new InvalidArgumentError('auth', 'auth needs a username and a password, both strings');
    }
    return { kind: 'basic', username, password };
  }
  return { kind: 'none' };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(name, `${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(name, `${name} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}
