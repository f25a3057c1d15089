/** Payload encryption for temporal-dbsql: the codec, its keys, and the codec server for the Web UI. */
export {
  AesGcmPayloadCodec,
  PayloadDecryptionError,
  encryptedDataConverter,
  encryptionOption,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
} from './aes-gcm-codec.js';
export {
  encryptionKeysFromEnvironment,
  parseEncryptionKeys,
  EncryptionKeyError,
  ENCRYPTION_KEYS_ENV,
  type EncryptionKey,
} from './encryption-keys.js';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec-server.js';
