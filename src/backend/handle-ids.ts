/**
 * Query ids and secrets: the 16-byte guid and secret of a Thrift operation handle, shown to
 * users as dashed UUIDs (docs/protocol.md, "Handles"). Malformed input is rejected
 * here, before any network call, with a message naming the bad part.
 */
import { DatabaseError, InvalidHandleError } from '../errors.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Formats 16 bytes as a lower-case dashed UUID; only a faulty server sends another length. */
export function bytesToUuid(bytes: Buffer): string {
  if (bytes.length !== 16) {
    throw new DatabaseError(`the server sent a handle identifier of ${bytes.length} bytes; one has 16`);
  }
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parses a dashed UUID into its 16 bytes; `part` names the argument in the error. */
function uuidToBytes(value: unknown, part: 'queryId' | 'querySecret'): Buffer {
  if (typeof value !== 'string') {
    throw new InvalidHandleError(part, `${part} must be a UUID string, got ${value === null ? 'null' : typeof value}`);
  }
  if (!UUID_PATTERN.test(value)) {
    throw new InvalidHandleError(
      part,
      `${part} is not a UUID (expected 8-4-4-4-12 hex digits): ${JSON.stringify(truncate(value))}`,
    );
  }
  return Buffer.from(value.replace(/-/g, ''), 'hex');
}

/** A validated query id and secret, with their bytes. */
export interface ParsedQueryHandle {
  queryId: string;
  querySecret: string;
  guid: Buffer;
  secret: Buffer;
}

/**
 * Parses `(queryId, querySecret)` or a serialized `'id:secret'` (when `querySecret` is undefined).
 * Never echoes a whole secret back: the secret is a credential for the query.
 */
export function parseQueryHandle(idOrSerialized: unknown, querySecret?: unknown): ParsedQueryHandle {
  let queryId: unknown = idOrSerialized;
  let secret: unknown = querySecret;
  if (querySecret === undefined) {
    if (typeof idOrSerialized !== 'string' || !idOrSerialized.includes(':')) {
      throw new InvalidHandleError(
        'serialized',
        "expected a query id and a query secret, or one serialized string 'queryId:querySecret'",
      );
    }
    const parts = idOrSerialized.split(':');
    if (parts.length !== 2) {
      throw new InvalidHandleError(
        'serialized',
        `a serialized query must have exactly one ':' between id and secret, found ${parts.length - 1}`,
      );
    }
    [queryId, secret] = parts;
  }
  const guid = uuidToBytes(queryId, 'queryId');
  const secretBytes = uuidToBytes(secret, 'querySecret');
  return { queryId: bytesToUuid(guid), querySecret: bytesToUuid(secretBytes), guid, secret: secretBytes };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
