/**
 * Payload encryption with the real dev server: with keys on the worker and the client, the raw
 * history holds no statement parameter, row or handle in plaintext, the client still reads the
 * result, keys rotate, and the codec server the Web UI calls decodes what history holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { request } from 'undici';
import { startSqlQuery } from '../../src/temporal/client.js';
import {
  AesGcmPayloadCodec,
  encryptedDataConverter,
  parseEncryptionKeys,
  PayloadDecryptionError,
  startCodecServer,
  type CodecServer,
  type EncryptionKey,
} from '../../src/temporal/codec/index.js';
import { fetchAllRunHistories, historyBytes, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';

const OLD_KEY: EncryptionKey = { id: 'k2025', key: randomBytes(32) };
const NEW_KEY: EncryptionKey = { id: 'k2026', key: randomBytes(32) };
const PARAM = 'param-plaintext-7f3a9c';
const ROW = 'row-plaintext-e81b44';

describe('payload encryption', () => {
  let env: TemporalTestEnv;
  let codecServer: CodecServer;
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 200 });
    codecServer = await startCodecServer({ codec: new AesGcmPayloadCodec([NEW_KEY, OLD_KEY]), port: 0 });
  });
  after(async () => {
    await codecServer?.close();
    await env?.close();
  });

  const encryptedClient = (keys: EncryptionKey[]) =>
    new Client({ connection: env.client.connection, dataConverter: encryptedDataConverter(keys) });

  async function runEncrypted(keys: EncryptionKey[], statement: string, params: Record<string, string>, pollIntervalMs = 100) {
    const worker = await env.newWorker(undefined, { encryptionKeys: keys });
    const client = encryptedClient(keys);
    return worker.runUntil(async () => {
      const handle = await startSqlQuery(client, { statement, params, pollIntervalMs }, { taskQueue: worker.taskQueue });
      return { workflowId: handle.workflowId, result: await handle.result() };
    });
  }

  it('keeps parameters, rows and handles out of the raw history, and the client reads the result', async () => {
    // Slow enough to be polled: history then also holds the handle, in status and fetch inputs.
    const sql = `SELECT :p AS p, '${ROW}' AS r, count(*) AS n FROM RANGE(3000) a CROSS JOIN RANGE(3000) b`;
    const { workflowId, result } = await runEncrypted([NEW_KEY], sql, { p: PARAM });
    assert.deepEqual(result.rows, [{ p: PARAM, r: ROW, n: '9000000' }]);
    const histories = await fetchAllRunHistories(env.client, workflowId);
    const raw = historyBytes(histories);
    for (const secret of [PARAM, ROW, 'RANGE(3000)', result.queryId!]) {
      assert.ok(!raw.includes(Buffer.from(secret)), `history holds ${secret} in plaintext`);
    }
    assert.ok(
      raw.includes(Buffer.from('binary/encrypted')) && raw.includes(Buffer.from(NEW_KEY.id)),
      'encrypted payloads name their key',
    );
    // A client without the key sees only ciphertext.
    await assert.rejects(env.client.workflow.getHandle(workflowId).result(), /binary\/encrypted|Unknown encoding|encoding/i);
  });

  it('decrypts payloads of an older key after rotation, and names an unknown key', async () => {
    const { workflowId } = await runEncrypted([OLD_KEY], 'SELECT :p AS p', { p: PARAM });
    const rotated = encryptedClient([NEW_KEY, OLD_KEY]);
    const result: unknown = await rotated.workflow.getHandle(workflowId).result();
    assert.deepEqual((result as { rows: unknown }).rows, [{ p: PARAM }]);
    const withoutOld = new AesGcmPayloadCodec([NEW_KEY]);
    const [history] = await fetchAllRunHistories(env.client, workflowId);
    const input = history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    await assert.rejects(withoutOld.decode([input]), (error: unknown) => {
      assert.ok(error instanceof PayloadDecryptionError);
      assert.equal(error.keyId, OLD_KEY.id);
      assert.match(error.message, /key 'k2025', which is not among/);
      return true;
    });
  });

  it('refuses a payload whose ciphertext was altered', async () => {
    const codec = new AesGcmPayloadCodec([NEW_KEY]);
    const [encrypted] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }]);
    const data = Buffer.from(encrypted!.data!);
    data[20] = data[20]! ^ 1;
    await assert.rejects(codec.decode([{ ...encrypted, data }]), /fails authentication/);
  });

  it('the codec server decodes history payloads for the Web UI and round-trips encode/decode, with CORS', async () => {
    const { workflowId } = await runEncrypted([NEW_KEY], 'SELECT :p AS p', { p: PARAM });
    const [history] = await fetchAllRunHistories(env.client, workflowId);
    const input = history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const asJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    });
    const origin = 'http://localhost:8233';
    const post = async (path: string, payloads: unknown[]) => {
      const response = await request(`${codecServer.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, 'x-namespace': 'default' },
        body: JSON.stringify({ payloads }),
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['access-control-allow-origin'], origin);
      return ((await response.body.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
    };
    const [decoded] = await post('/decode', [asJson(input)]);
    assert.equal(Buffer.from(decoded!.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.ok(Buffer.from(decoded!.data, 'base64').toString().includes(PARAM));
    const [reencoded] = await post('/encode', [decoded]);
    assert.equal(Buffer.from(reencoded!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
    const [again] = await post('/decode', [reencoded]);
    assert.deepEqual(again, decoded);

    const preflight = await request(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    await preflight.body.dump();
    assert.equal(preflight.statusCode, 204);
    assert.match(String(preflight.headers['access-control-allow-headers']), /X-Namespace/);
    const stranger = await request(`${codecServer.url}/decode`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [asJson(input)] }),
    });
    assert.equal(stranger.statusCode, 403);
    assert.ok(!(await stranger.body.text()).includes(PARAM));
  });

  it('reads keys as id=base64 and names a bad entry without showing key bytes', () => {
    const text = `${NEW_KEY.id}=${NEW_KEY.key.toString('base64')},${OLD_KEY.id}=${OLD_KEY.key.toString('base64')}`;
    assert.deepEqual(
      parseEncryptionKeys(text).map((k) => k.id),
      ['k2026', 'k2025'],
    );
    const short = randomBytes(16).toString('base64');
    assert.throws(
      () => parseEncryptionKeys(`k1=${short}`),
      (error: unknown) => {
        assert.match(String(error), /key 'k1' .* is 16 bytes; AES-256 needs 32/);
        assert.ok(!String(error).includes(short));
        return true;
      },
    );
  });
});
