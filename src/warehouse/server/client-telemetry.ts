/**
 * The telemetry endpoints the official clients call beside the Thrift endpoint: the feature
 * flags they read at connect (`GET /api/2.0/connector-service/feature-flags/<driver>/<version>`)
 * and the log uploads (`POST /telemetry-ext` with the token, `/telemetry-unauth` without).
 * Answered 404 they show up as errors in the clients' logs on every connection. Here the
 * flags list is empty, so clients that ask keep telemetry off, and uploads are accepted and
 * dropped: nothing a client sends there is stored.
 */
import type { IncomingMessage } from 'node:http';
import { readBoundedBody } from '../../http/bounded-body.js';

const FEATURE_FLAGS_PATH = /^\/api\/2\.0\/connector-service\/feature-flags\/[^/]+\/[^/]+$/;
const UPLOAD_PATHS = new Set(['/telemetry-ext', '/telemetry-unauth']);

/** Uploads are small batches of JSON log lines; more than this is not telemetry. */
const MAX_UPLOAD_BYTES = 1024 * 1024;

/** How long a client may cache the (empty) flags, in seconds. */
const FLAGS_TTL_SECONDS = 900;

export interface TelemetryAnswer {
  readonly status: number;
  readonly json: unknown;
}

/** Whether `path` is one of the telemetry endpoints. */
export function isTelemetryPath(path: string): boolean {
  return UPLOAD_PATHS.has(path) || FEATURE_FLAGS_PATH.test(path);
}

/** `/telemetry-ext` takes the same token as the Thrift endpoint; the other paths none. */
export function telemetryNeedsToken(path: string): boolean {
  return path === '/telemetry-ext';
}

/** Reads (and drops) the request and says what to answer. */
export async function answerTelemetry(request: IncomingMessage, path: string): Promise<TelemetryAnswer> {
  if (FEATURE_FLAGS_PATH.test(path)) {
    request.resume();
    if (request.method !== 'GET') return { status: 405, json: { error: 'Use GET for feature flags' } };
    return { status: 200, json: { flags: [], ttl_seconds: FLAGS_TTL_SECONDS } };
  }
  if (request.method !== 'POST') {
    request.resume();
    return { status: 405, json: { error: 'Use POST to upload telemetry' } };
  }
  const body = await readBoundedBody(request, MAX_UPLOAD_BYTES);
  if (body === null) return { status: 413, json: { error: `Telemetry uploads are limited to ${MAX_UPLOAD_BYTES} bytes` } };
  return { status: 200, json: { errors: [], numSuccess: countLogs(body), numProtoSuccess: 0 } };
}

/** How many log lines an upload held (`protoLogs`), or 0 when it is not the clients' JSON. */
function countLogs(body: Buffer): number {
  try {
    const upload = JSON.parse(body.toString('utf8')) as { protoLogs?: unknown };
    return Array.isArray(upload.protoLogs) ? upload.protoLogs.length : 0;
  } catch {
    return 0;
  }
}
