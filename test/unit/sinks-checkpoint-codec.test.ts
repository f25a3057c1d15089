/**
 * A part checkpoint sent straight to the Temporal server is encoded with the worker's data
 * converter, payload codecs included: with encryption keys it leaves encrypted, never with a
 * part name in plaintext, and decodes back to what was recorded. (The server call is captured:
 * what it would store is the point.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { checkpointConverter, recordCheckpoint, type HeartbeatService } from '../../activities/recorded-heartbeat.js';
import { AesGcmPayloadCodec, encryptedDataConverter, type EncryptionKey } from '../../src/temporal/codec/index.js';

const KEY: EncryptionKey = { id: 'checkpoint-key', key: randomBytes(32) };
const PROGRESS = {
  sink: 's3://reports/nightly|parquet|10000',
  parts: [{ name: 'part-000000000000.parquet', startRow: 0, rows: 10_000, bytes: 123_456, sha256: 'ab'.repeat(32) }],
  rowsWritten: 10_000,
  bytesWritten: 123_456,
};

/** Records what the server would be sent. */
function capturingService(): { service: HeartbeatService; sent: Payload[][] } {
  const sent: Payload[][] = [];
  const service = {
    recordActivityTaskHeartbeat: (request: { details?: { payloads?: Payload[] | null } | null }) => {
      sent.push(request.details?.payloads ?? []);
      return Promise.resolve({});
    },
  } as unknown as HeartbeatService;
  return { service, sent };
}

describe('recorded part checkpoints', () => {
  it('are encrypted with the worker codec: no part name in plaintext, and they decode back', async () => {
    const { service, sent } = capturingService();
    const converter = checkpointConverter(encryptedDataConverter([KEY]));
    await new MockActivityEnvironment().run(() => recordCheckpoint(PROGRESS, service, converter));
    assert.equal(sent.length, 1);
    const [payload] = sent[0]!;
    assert.equal(Buffer.from(payload!.metadata!.encoding!).toString(), 'binary/encrypted');
    const bytes = Buffer.concat([Buffer.from(payload!.data!), ...Object.values(payload!.metadata!).map((v) => Buffer.from(v))]);
    for (const text of ['part-0000', 'reports/nightly', 'parquet']) {
      assert.ok(!bytes.includes(Buffer.from(text)), `${text} in plaintext`);
    }
    const [decrypted] = await new AesGcmPayloadCodec([KEY]).decode([payload!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decrypted!), PROGRESS);
  });

  it('without a codec go as plain JSON, as the SDK would send them', async () => {
    const { service, sent } = capturingService();
    await new MockActivityEnvironment().run(() => recordCheckpoint(PROGRESS, service, checkpointConverter()));
    const [payload] = sent[0]!;
    assert.equal(Buffer.from(payload!.metadata!.encoding!).toString(), 'json/plain');
    assert.deepEqual(defaultPayloadConverter.fromPayload(payload!), PROGRESS);
  });
});
