/**
 * A Temporal PayloadCodec that encrypts every payload (workflow inputs, activity inputs and
 * results, heartbeat details, failures' details) with AES-256-GCM before it leaves the process,
 * so Temporal's history holds only ciphertext. The whole payload (its metadata and data) is
 * encrypted; the metadata left in the clear names the encoding and the key id, so keys can be
 * rotated (see ./encryption-keys.ts).
 *
 * ```ts
 * const dataConverter = encryptedDataConverter(encryptionKeysFromEnvironment());
 * const client = new Client({ connection, dataConverter });
 * ```
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { EncryptionKeyError, type EncryptionKey } from './encryption-keys.js';

/** The `encoding` metadata of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** Thrown when a payload cannot be decrypted: unknown key id, or bytes altered. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  readonly keyId: string | undefined;
  constructor(message: string, keyId: string | undefined) {
    super(message);
    this.keyId = keyId;
  }
}

export class AesGcmPayloadCodec implements PayloadCodec {
  // #private: console.log of a worker or client never shows key bytes.
  readonly #encryptWith: EncryptionKey;
  readonly #keys: Map<string, Buffer>;

  /** @param keys the first encrypts; all decrypt. */
  constructor(keys: readonly EncryptionKey[]) {
    const [first] = keys;
    if (!first) throw new EncryptionKeyError('payload encryption needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new EncryptionKeyError(`key '${id}' is ${key.length} bytes; AES-256 needs 32`);
    }
    this.#encryptWith = first;
    this.#keys = new Map(keys.map(({ id, key }) => [id, key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encrypt(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // A throw in the executor rejects: callers get a rejected promise, never a synchronous throw.
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decrypt(payload))));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.#encryptWith;
    const plain = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: a payload relabelled with another id fails to decrypt.
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
    const rawId = payload.metadata?.[KEY_ID_METADATA];
    const id = rawId ? Buffer.from(rawId).toString() : undefined;
    const key = id === undefined ? undefined : this.#keys.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload was encrypted with key '${id ?? '(none)'}', which is not among this process's keys (${[...this.#keys.keys()].join(', ')})`,
        id,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array(0));
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`payload encrypted with key '${id}' is truncated`, id);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id!));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return ProtoPayload.decode(plain);
    } catch {
      throw new PayloadDecryptionError(
        `payload encrypted with key '${id}' fails authentication: altered, or another key of that id`,
        id,
      );
    }
  }
}

/** A data converter that encrypts every payload with `keys` (the first encrypts, all decrypt). */
export function encryptedDataConverter(keys: readonly EncryptionKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)] };
}

/** `{ dataConverter }` encrypting with `keys`, or `{}` without keys: spread into Worker or Client options. */
export function encryptionOption(keys: readonly EncryptionKey[] | undefined): { dataConverter?: DataConverter } {
  return keys ? { dataConverter: encryptedDataConverter(keys) } : {};
}
