/**
 * Posts Thrift request bodies to the warehouse over HTTP(S) with keep-alive, authentication,
 * per-request and total timeouts, and the retry policy of ./retry-policy.ts.
 *
 * Built on undici (the engine of Node's fetch) rather than thrift's `createHttpConnection`,
 * whose promise never settles on an HTTP 500.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Tracer } from '@opentelemetry/api';
import { Agent, buildConnector, request } from 'undici';
import { letOverdueTimersRun } from './overdue-timers.js';
import { AuthenticationError, RequestError, TimeoutError } from '../errors.js';
import { OAuthM2MTokenSource } from './auth/oauth-m2m-token-source.js';
import {
  type AttemptVerdict,
  type RetryOptions,
  backoffDelayMs,
  classifyNetworkFailure,
  classifyStatus,
  parseRetryAfter,
} from './retry-policy.js';
import { endRequestSpan, startRequestSpan } from './request-tracing.js';

/** How the transport authenticates. */
export type HttpCredentials =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth-m2m'; clientId: string; clientSecret: string; tokenUrl: URL }
  | { kind: 'none' };

export interface HttpTransportOptions {
  /** Full URL of the Thrift endpoint. */
  url: URL;
  credentials: HttpCredentials;
  userAgent: string;
  /** Extra trusted CA certificate(s), PEM, for https. */
  ca?: string | Buffer;
  /** Limit for one HTTP exchange, headers and body. @format milliseconds */
  requestTimeoutMs: number;
  retry: RetryOptions;
  /** Records a span per Thrift call (see ./request-tracing.ts); none without it. */
  tracer?: Tracer;
}

/** Per-call facts the retry policy needs. */
export interface PostOptions {
  /** What the body is, for messages (e.g. the Thrift method name). */
  label: string;
  /** False for calls that must not run twice (ExecuteStatement). */
  idempotent: boolean;
}

/** The outcome of one attempt, before the retry decision. */
type Attempt =
  | { ok: true; body: Buffer; status: number }
  | { ok: false; verdict: AttemptVerdict; error: Error; status?: number; retryAfterMs?: number; rejectedToken?: string };

/** What a call's span reports: attempts made, the last HTTP status. */
interface CallProgress {
  attempts: number;
  status?: number;
}

const MAX_ERROR_BODY_CHARS = 300;

/**
 * Errors of connection set-up (refused, reset or timed out before the socket, and for https the
 * TLS handshake, was ready). undici writes a request only on a ready socket, so a request that
 * failed with one of these never reached the server, and may be sent again even if it is
 * ExecuteStatement.
 */
const connectFailures = new WeakSet<object>();

export class HttpTransport {
  private readonly agent: Agent;
  // Fields holding credentials are #private: util.inspect (console.log of a Connection) skips them.
  readonly #options: HttpTransportOptions;
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  readonly #oauth: OAuthM2MTokenSource | undefined;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    const connector = buildConnector(options.ca === undefined ? {} : { ca: options.ca });
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connect: (connectOptions, callback) =>
        connector(connectOptions, (...result) => {
          if (result[0]) connectFailures.add(result[0]);
          callback(...result);
        }),
    });
    this.#headers = {
      'content-type': 'application/x-thrift',
      accept: 'application/x-thrift',
      'user-agent': options.userAgent,
    };
    this.#secrets = [];
    const credentials = options.credentials;
    if (credentials.kind === 'bearer') {
      this.#headers.authorization = `Bearer ${credentials.token}`;
      this.#secrets.push(credentials.token);
    } else if (credentials.kind === 'basic') {
      const encoded = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
      this.#headers.authorization = `Basic ${encoded}`;
      this.#secrets.push(credentials.password, encoded);
    }
    this.#oauth =
      credentials.kind === 'oauth-m2m'
        ? new OAuthM2MTokenSource({
            ...credentials,
            userAgent: options.userAgent,
            requestTimeoutMs: options.requestTimeoutMs,
            dispatcher: this.agent,
          })
        : undefined;
  }

  /** Posts `body` and returns the reply body of a 2xx answer, retrying per the policy. */
  async post(body: Buffer, options: PostOptions): Promise<Buffer> {
    const span = startRequestSpan(this.#options.tracer, options.label, this.#options.url);
    const progress: CallProgress = { attempts: 0 };
    try {
      const reply = await this.send(body, options, progress);
      endRequestSpan(span, progress.attempts, progress.status);
      return reply;
    } catch (error) {
      endRequestSpan(span, progress.attempts, progress.status, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private async send(body: Buffer, options: PostOptions, progress: CallProgress): Promise<Buffer> {
    const retry = this.#options.retry;
    const started = Date.now();
    const deadline = started + retry.totalTimeoutMs;
    let renewedToken = false;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.totalTimeout(options, attempt - 1);
      const outcome = await this.attempt(body, options, Math.min(this.#options.requestTimeoutMs, remaining));
      progress.attempts = attempt;
      progress.status = outcome.status;
      if (outcome.ok) return outcome.body;
      // An OAuth token the server no longer takes (revoked, or its clock ahead of ours): one more try with a new one.
      if (outcome.rejectedToken !== undefined && !renewedToken) {
        this.#oauth?.invalidate(outcome.rejectedToken);
        renewedToken = true;
        continue;
      }
      if (outcome.verdict !== 'retry') throw outcome.error;
      if (attempt >= retry.maxAttempts) throw this.gaveUp(outcome.error, attempt, started);
      const wait = backoffDelayMs(attempt, retry, outcome.retryAfterMs);
      if (Date.now() + wait >= deadline) throw this.gaveUp(outcome.error, attempt, started);
      await delay(wait);
    }
  }

  /** Closes the keep-alive sockets. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async attempt(body: Buffer, options: PostOptions, timeoutMs: number): Promise<Attempt> {
    // Let overdue timers run before a connection is picked, if the loop was held (see there).
    await letOverdueTimersRun();
    const oauthToken = await this.#oauth?.token();
    const headers = oauthToken === undefined ? this.#headers : { ...this.#headers, authorization: `Bearer ${oauthToken}` };
    let response;
    try {
      response = await request(this.#options.url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return this.networkFailure(error, options, timeoutMs);
    }
    const status = response.statusCode;
    let replyBody: Buffer;
    try {
      replyBody = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      return this.networkFailure(error, options, timeoutMs);
    }
    const verdict = classifyStatus(status, options.idempotent);
    if (verdict === 'success') return { ok: true, body: replyBody, status };
    const detail = this.redact(errorReason(response.headers) ?? replyBody.toString('utf8', 0, MAX_ERROR_BODY_CHARS).trim());
    const suffix = detail ? `: ${detail}` : '';
    if (status === 401 || status === 403) {
      const what = status === 401 ? 'rejected the credentials' : 'refused access';
      return {
        ok: false,
        verdict: 'fail',
        error: new AuthenticationError(`${this.host()} ${what} (HTTP ${status}) for ${options.label}${suffix}`, status),
        status,
        rejectedToken: status === 401 ? oauthToken : undefined,
      };
    }
    const retryAfterHeader = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
    const error = new RequestError(`${options.label} to ${this.host()} failed with HTTP ${status}${suffix}`, {
      httpStatus: status,
      retryable: verdict === 'retry',
    });
    return { ok: false, verdict, error, status, retryAfterMs };
  }

  private networkFailure(error: unknown, options: PostOptions, timeoutMs: number): Attempt {
    const sent = !(error instanceof Error && connectFailures.has(error));
    const verdict = classifyNetworkFailure(options.idempotent, sent);
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    if (timedOut) {
      const message = `${options.label} to ${this.host()} got no complete answer within ${timeoutMs} ms`;
      return { ok: false, verdict, error: new TimeoutError(message, timeoutMs) };
    }
    const reason = error instanceof Error ? this.redact(describeNetworkError(error)) : String(error);
    const wrapped = new RequestError(`${options.label} to ${this.host()} failed: ${reason}`, {
      retryable: verdict === 'retry',
      cause: error,
    });
    return { ok: false, verdict, error: wrapped };
  }

  private gaveUp(last: Error, attempts: number, started: number): Error {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const message = `${last.message} (gave up after ${attempts} attempts over ${seconds} s)`;
    if (last instanceof TimeoutError) return new TimeoutError(message, last.timeoutMs);
    if (last instanceof RequestError) {
      return new RequestError(message, { httpStatus: last.httpStatus, retryable: true, cause: last });
    }
    return last;
  }

  private totalTimeout(options: PostOptions, attempts: number): TimeoutError {
    const limit = this.#options.retry.totalTimeoutMs;
    return new TimeoutError(
      `${options.label} to ${this.host()} did not succeed within ${limit} ms (${attempts} attempts)`,
      limit,
    );
  }

  private host(): string {
    return this.#options.url.host;
  }

  /** Scrubs credentials from text that came from elsewhere (server bodies, socket errors). */
  private redact(text: string): string {
    let result = this.#oauth ? this.#oauth.redact(text) : text;
    for (const secret of this.#secrets) {
      if (secret) result = result.split(secret).join('***');
    }
    return result;
  }
}

/** Headers in which Databricks states why a request failed (a bad token: the reason phrase only). */
const REASON_HEADERS = ['x-thriftserver-error-message', 'x-databricks-error-or-redirect-message', 'x-databricks-reason-phrase'];

/** The server's stated reason for a failed request, from the headers Databricks uses. */
function errorReason(headers: Record<string, string | string[] | undefined>): string | undefined {
  const parts = REASON_HEADERS.map((name) => {
    const value = headers[name];
    return (Array.isArray(value) ? value[0] : value)?.trim();
  }).filter((text): text is string => Boolean(text));
  return parts.length > 0 ? parts.join(': ').slice(0, MAX_ERROR_BODY_CHARS) : undefined;
}

function describeNetworkError(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  return code ? `${error.message} (${code})` : error.message;
}
