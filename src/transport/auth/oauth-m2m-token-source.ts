/**
 * OAuth machine-to-machine tokens for a Databricks service principal: the client id and secret
 * are exchanged at the workspace's token endpoint (`/oidc/v1/token`, grant `client_credentials`,
 * scope `all-apis`, the secret sent as HTTP Basic, as the Databricks SDKs and SQL connectors do)
 * for a short-lived access token, fetched again shortly before it expires or when the server
 * rejects it.
 */
import { request, type Dispatcher } from 'undici';
import { AuthenticationError, RequestError } from '../../errors.js';

export interface OAuthM2MSettings {
  /** The token endpoint, e.g. https://my-workspace.cloud.databricks.com/oidc/v1/token. */
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  userAgent: string;
  /** Limit for one token request. @format milliseconds */
  requestTimeoutMs: number;
  dispatcher: Dispatcher;
}

interface IssuedToken {
  value: string;
  /** When to fetch the next one: some time before the server's expiry. @format epoch milliseconds */
  refreshAt: number;
}

/** How long before expiry a token is replaced: at most a minute, at most half its lifetime. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** Lifetime assumed when the server names none (Databricks issues one-hour tokens). */
const DEFAULT_LIFETIME_S = 3600;
/** Tokens remembered for redaction after they are replaced (an old one may still be echoed). */
const REMEMBERED_TOKENS = 4;

export class OAuthM2MTokenSource {
  // #private: util.inspect (console.log of a connection) never shows the secret or tokens.
  readonly #settings: OAuthM2MSettings;
  readonly #basic: string;
  #current: IssuedToken | undefined;
  #pending: Promise<IssuedToken> | undefined;
  readonly #seen: string[] = [];

  constructor(settings: OAuthM2MSettings) {
    this.#settings = settings;
    this.#basic = Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64');
  }

  /** A valid access token: the cached one, or a new one when it is near expiry or was rejected. */
  async token(): Promise<string> {
    const current = this.#current;
    if (current && Date.now() < current.refreshAt) return current.value;
    // One request at a time: concurrent callers share it.
    this.#pending ??= this.fetchToken().finally(() => {
      this.#pending = undefined;
    });
    return (await this.#pending).value;
  }

  /** Forgets `rejected` (the server answered 401 with it), so the next `token()` fetches another. */
  invalidate(rejected: string): void {
    if (this.#current?.value === rejected) this.#current = undefined;
  }

  /** Replaces the secret and every token this source has held with '***'. */
  redact(text: string): string {
    let result = text;
    for (const secret of [this.#settings.clientSecret, this.#basic, ...this.#seen]) {
      if (secret) result = result.split(secret).join('***');
    }
    return result;
  }

  private async fetchToken(): Promise<IssuedToken> {
    const { tokenUrl, requestTimeoutMs } = this.#settings;
    const what = `the OAuth token request to ${tokenUrl.host}`;
    let status: number;
    let text: string;
    try {
      const response = await request(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${this.#basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': this.#settings.userAgent,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString(),
        dispatcher: this.#settings.dispatcher,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RequestError(`${what} failed: ${this.redact(reason)}`, { retryable: true, cause: error });
    }
    const body = parseJson(text);
    if (status === 400 || status === 401 || status === 403) {
      const reason = [body?.error, body?.error_description].filter((s) => typeof s === 'string').join(': ');
      throw new AuthenticationError(
        `${tokenUrl.host} refused the OAuth client credentials of client id '${this.#settings.clientId}' ` +
          `(HTTP ${status}${reason ? `: ${this.redact(reason)}` : ''})`,
        status === 400 ? 401 : status,
      );
    }
    const token = body?.access_token;
    if (status !== 200 || typeof token !== 'string' || token === '') {
      throw new RequestError(`${what} failed with HTTP ${status}${status === 200 ? ': the reply has no access_token' : ''}`, {
        httpStatus: status,
        retryable: status === 429 || status >= 500,
      });
    }
    const lifetimeS = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S;
    const lifetimeMs = lifetimeS * 1000;
    const issued = { value: token, refreshAt: Date.now() + lifetimeMs - Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 2) };
    this.#current = issued;
    this.#seen.push(token);
    if (this.#seen.length > REMEMBERED_TOKENS) this.#seen.shift();
    return issued;
  }
}

interface TokenReply {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function parseJson(text: string): TokenReply | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}
