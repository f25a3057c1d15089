/**
 * Connection options: what users pass to `connect()`, and how they are checked and completed
 * (environment variables, URL, defaults) before anything touches the network.
 */
import type { Tracer } from '@opentelemetry/api';
import { InvalidArgumentError } from '../errors.js';
import type { HttpCredentials } from '../transport/http-transport.js';
import { DEFAULT_RETRY, type RetryOptions } from '../transport/retry-policy.js';
import { VERSION } from '../version.js';
import { allowedLocalPaths } from './staging-transfer.js';
import { resolveResultOptions, type ResolvedResultOptions, type ResultOptions } from './result-options.js';

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
  /**
   * OAuth machine-to-machine instead of a token: a service principal's client id and secret,
   * exchanged at the workspace's token endpoint for short-lived access tokens, which are
   * fetched again a minute before they expire and when the server rejects one.
   */
  oauth?: OAuthClientCredentials;
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
  /** How results are fetched and held: cloud fetch, downloads and read-ahead, the fetchAll() limit. */
  results?: ResultOptions;
  /**
   * An OpenTelemetry tracer: each Thrift call becomes a CLIENT span named after it (e.g.
   * ExecuteStatement), a child of the active span. No spans without it.
   */
  tracer?: Tracer;
  /**
   * Directories (absolute, or relative to the working directory) whose files staging
   * statements may upload (PUT) or download into (GET); `execute()` may override it per
   * statement. Without it, only REMOVE runs. See README, "Staging: files to and from volumes".
   */
  stagingAllowedLocalPath?: string | readonly string[];
}

/** A Databricks service principal's OAuth secret. */
export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
  /** The token endpoint. Default: `/oidc/v1/token` on the server's host. */
  tokenUrl?: string;
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
  results: ResolvedResultOptions;
  tracer?: Tracer;
  /** Resolved directories; undefined when not given. */
  stagingAllowedLocalPaths?: string[];
}

const ENV = { host: 'DATABRICKS_HOST', httpPath: 'DATABRICKS_HTTP_PATH', token: 'DATABRICKS_TOKEN' } as const;
const OAUTH_ENV = { clientId: 'DATABRICKS_CLIENT_ID', clientSecret: 'DATABRICKS_CLIENT_SECRET' } as const;

/**
 * Reads DATABRICKS_HOST, DATABRICKS_HTTP_PATH and either DATABRICKS_TOKEN or (OAuth M2M)
 * DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET, the names the Databricks SDKs use.
 */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ConnectOptions {
  const oauth = Boolean(env[OAUTH_ENV.clientId] || env[OAUTH_ENV.clientSecret]);
  if (oauth && env[ENV.token]) {
    throw new InvalidArgumentError(
      ENV.token,
      `both ${ENV.token} and ${OAUTH_ENV.clientId}/${OAUTH_ENV.clientSecret} are set: unset the one not meant`,
    );
  }
  const needed = oauth ? [ENV.host, ENV.httpPath, ...Object.values(OAUTH_ENV)] : Object.values(ENV);
  const missing = needed.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      missing[0] as string,
      `connect() was called without options and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set`,
    );
  }
  const where = { serverHostname: env[ENV.host] as string, httpPath: env[ENV.httpPath] as string };
  if (!oauth) return { ...where, accessToken: env[ENV.token] };
  return {
    ...where,
    oauth: { clientId: env[OAUTH_ENV.clientId] as string, clientSecret: env[OAUTH_ENV.clientSecret] as string },
  };
}

export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'connect(options) needs an object with serverHostname and httpPath');
  }
  const url = endpointUrl(options.serverHostname, options.httpPath);
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs, 120_000);
  return {
    url,
    credentials: credentialsOf(options, url),
    ca: options.ca,
    userAgent: `temporal-dbsql/${VERSION}${options.userAgentEntry ? ` (${options.userAgentEntry})` : ''}`,
    requestTimeoutMs,
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
    results: resolveResultOptions(options.results, { ca: options.ca, requestTimeoutMs, host: url.hostname }),
    tracer: options.tracer,
    stagingAllowedLocalPaths: allowedLocalPaths(options.stagingAllowedLocalPath, 'stagingAllowedLocalPath'),
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

function credentialsOf(options: ConnectOptions, url: URL): HttpCredentials {
  const given = (['accessToken', 'auth', 'oauth'] as const).filter((key) => options[key] !== undefined);
  if (given.length > 1) {
    throw new InvalidArgumentError(given[1]!, `give one of accessToken, auth and oauth, not ${given.join(' and ')}`);
  }
  if (options.oauth !== undefined) return oauthCredentials(options.oauth, url);
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

function oauthCredentials(oauth: OAuthClientCredentials, url: URL): HttpCredentials {
  const { clientId, clientSecret, tokenUrl } = oauth ?? {};
  if (typeof clientId !== 'string' || clientId === '') {
    throw new InvalidArgumentError('oauth.clientId', "oauth.clientId must be the service principal's client id");
  }
  if (typeof clientSecret !== 'string' || clientSecret === '') {
    throw new InvalidArgumentError('oauth.clientSecret', 'oauth.clientSecret must be a non-empty string');
  }
  let endpoint: URL;
  try {
    endpoint = new URL(tokenUrl ?? '/oidc/v1/token', url.origin);
  } catch {
    throw new InvalidArgumentError('oauth.tokenUrl', `oauth.tokenUrl is not a URL: ${JSON.stringify(tokenUrl)}`);
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new InvalidArgumentError('oauth.tokenUrl', `oauth.tokenUrl must use http or https, got ${endpoint.protocol}`);
  }
  return { kind: 'oauth-m2m', clientId, clientSecret, tokenUrl: endpoint };
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
