/**
 * The warehouse's OAuth token endpoint (`POST /oidc/v1/token`), as a Databricks workspace
 * serves it to service principals: grant `client_credentials`, scope `all-apis`, the client id
 * and secret as HTTP Basic (or `client_id`/`client_secret` form fields). It issues short-lived
 * opaque access tokens and recognises them on the Thrift endpoint until they expire.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../../http/bounded-body.js';

/** The one service principal this warehouse knows. */
export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  /** How long an issued access token is accepted. @format milliseconds @default 3600000 (one hour, as Databricks) */
  tokenLifetimeMs?: number;
}

const TOKEN_PATH = '/oidc/v1/token';
const DISCOVERY_PATH = '/oidc/.well-known/oauth-authorization-server';
const MAX_FORM_BYTES = 16 * 1024;

export class OAuthTokenIssuer {
  readonly #clientId: Buffer;
  readonly #clientSecret: Buffer;
  readonly #lifetimeMs: number;
  /** Expiry (epoch ms) of each live token, keyed by the token's SHA-256: the tokens themselves are not kept. */
  readonly #issued = new Map<string, number>();

  constructor(options: OAuthClientOptions) {
    this.#clientId = digest(options.clientId);
    this.#clientSecret = digest(options.clientSecret);
    this.#lifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
  }

  /** True for the paths this issuer answers. */
  serves(path: string): boolean {
    return path === TOKEN_PATH || path === DISCOVERY_PATH;
  }

  /** True when `token` was issued here and has not expired. */
  accepts(token: string): boolean {
    const key = digest(token).toString('hex');
    const expiresAt = this.#issued.get(key);
    if (expiresAt === undefined) return false;
    if (Date.now() < expiresAt) return true;
    this.#issued.delete(key);
    return false;
  }

  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (path === DISCOVERY_PATH) {
      const origin = `http://${request.headers.host ?? 'localhost'}`;
      return reply(response, 200, {
        issuer: `${origin}/oidc`,
        token_endpoint: `${origin}${TOKEN_PATH}`,
        grant_types_supported: ['client_credentials'],
      });
    }
    if (request.method !== 'POST') {
      request.resume();
      return reply(response, 405, { error: 'invalid_request', error_description: 'use POST' });
    }
    const form = await readForm(request);
    if (form === null) return reply(response, 400, { error: 'invalid_request', error_description: 'the form is too large' });
    const presented = clientOf(request.headers.authorization, form);
    if (!presented || !this.isClient(presented.id, presented.secret)) {
      response.setHeader('WWW-Authenticate', 'Basic realm="oidc"');
      return reply(response, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(response, 400, { error: 'unsupported_grant_type', error_description: 'only client_credentials is supported' });
    }
    const scopes = (form.get('scope') ?? 'all-apis').split(' ');
    if (!scopes.includes('all-apis')) {
      return reply(response, 400, { error: 'invalid_scope', error_description: "the scope must be 'all-apis'" });
    }
    this.expire();
    const token = randomBytes(32).toString('base64url');
    this.#issued.set(digest(token).toString('hex'), Date.now() + this.#lifetimeMs);
    response.setHeader('Cache-Control', 'no-store');
    return reply(response, 200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.floor(this.#lifetimeMs / 1000),
      scope: 'all-apis',
    });
  }

  /** Compares both digests in constant time, always both (no early exit on a wrong id). */
  private isClient(id: string, secret: string): boolean {
    const idMatches = timingSafeEqual(digest(id), this.#clientId);
    const secretMatches = timingSafeEqual(digest(secret), this.#clientSecret);
    return idMatches && secretMatches;
  }

  private expire(): void {
    const now = Date.now();
    for (const [key, expiresAt] of this.#issued) if (expiresAt <= now) this.#issued.delete(key);
  }
}

function clientOf(header: string | undefined, form: URLSearchParams): { id: string; secret: string } | undefined {
  const [scheme, value = ''] = (header ?? '').trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id !== null && secret !== null ? { id, secret } : undefined;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | null> {
  const body = await readBoundedBody(request, MAX_FORM_BYTES);
  return body && new URLSearchParams(body.toString('utf8'));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function reply(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
