/**
 * The AES-256 keys of payload encryption, read from the environment of the worker, the client
 * and the codec server: TEMPORAL_DBSQL_ENCRYPTION_KEYS is a comma-separated list of
 * `id=base64key` (32-byte keys, e.g. `openssl rand -base64 32`). The first key encrypts; every
 * key decrypts, so a new key is put first and an old one kept until its histories are gone.
 */

export const ENCRYPTION_KEYS_ENV = 'TEMPORAL_DBSQL_ENCRYPTION_KEYS';

/** One key and the id written beside each payload it encrypts. */
export interface EncryptionKey {
  /** Short name of the key, stored in the payload metadata (letters, digits, '.', '_', '-'). */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** Thrown when the encryption keys are missing or malformed; never shows key material. */
export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

/** Parses `id=base64key,...`; throws EncryptionKeyError naming the bad entry by position and id. */
export function parseEncryptionKeys(text: string): EncryptionKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new EncryptionKeyError(`${ENCRYPTION_KEYS_ENV} holds no key; expected id=base64key[,id=base64key...]`);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const equals = entry.indexOf('=');
    const id = equals > 0 ? entry.slice(0, equals) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      throw new EncryptionKeyError(
        `key ${index + 1} of ${ENCRYPTION_KEYS_ENV} needs an id: id=base64key (id of letters, digits, . _ -)`,
      );
    }
    if (seen.has(id)) throw new EncryptionKeyError(`key id '${id}' appears twice in ${ENCRYPTION_KEYS_ENV}`);
    seen.add(id);
    const key = Buffer.from(entry.slice(equals + 1), 'base64');
    if (key.length !== 32) {
      throw new EncryptionKeyError(
        `key '${id}' of ${ENCRYPTION_KEYS_ENV} is ${key.length} bytes; AES-256 needs 32 (openssl rand -base64 32)`,
      );
    }
    return { id, key };
  });
}

/** The keys of TEMPORAL_DBSQL_ENCRYPTION_KEYS, or undefined when it is not set. */
export function encryptionKeysFromEnvironment(env: NodeJS.ProcessEnv = process.env): EncryptionKey[] | undefined {
  const text = env[ENCRYPTION_KEYS_ENV];
  return text ? parseEncryptionKeys(text) : undefined;
}
