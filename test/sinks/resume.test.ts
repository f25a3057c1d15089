/**
 * Exactly once across workers: a fetch writing Parquet parts to the S3-compatible server is
 * SIGKILLed in one worker process; a second worker process resumes after the last recorded
 * part (the parts recorded before the kill are not rewritten), and the sink ends with every
 * row exactly once. No manifest exists until every part does. The workers encrypt payloads
 * (TEMPORAL_DBSQL_ENCRYPTION_KEYS): the part checkpoints the server holds for the fetch, some
 * sent straight to it, are encrypted each time they are read, and the raw history names no
 * part, bucket or prefix in plaintext.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SinkProgress } from '../../activities/index.js';
import { connect } from '../../src/index.js';
import { startSqlQuery } from '../../src/temporal/client.js';
import {
  AesGcmPayloadCodec,
  encryptedDataConverter,
  ENCRYPTION_KEYS_ENV,
  type EncryptionKey,
} from '../../src/temporal/codec/index.js';
import { startWorkerProcess } from '../support/worker-processes.js';
import { fetchAllRunHistories, historyBytes, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';
import { MIXED_SQL, canonicalRows, readBack, s3Fetcher } from './support/read-back.js';
import { startS3Server, type S3TestServer } from './support/s3-server.js';

const ROWS = 120_000;
const PART_ROWS = 3_000;
const BUCKET = 'sink-resume';
const KEY: EncryptionKey = { id: 'resume-key', key: randomBytes(32) };

describe('result sink resume across workers', () => {
  let env: TemporalTestEnv;
  let s3: S3TestServer;
  let client: Client;
  const children: ChildProcess[] = [];
  before(async () => {
    [env, s3] = await Promise.all([startTemporalTestEnv({ directResultsWaitMs: 0 }), startS3Server()]);
    await s3.createBucket(BUCKET);
    client = new Client({ connection: env.client.connection, dataConverter: encryptedDataConverter([KEY]) });
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await env?.close();
    await s3?.stop();
  });

  /** A worker child process configured like a deployment: DATABRICKS_* and AWS_* variables. */
  async function spawnWorker(taskQueue: string): Promise<ChildProcess> {
    const worker = await startWorkerProcess(env, taskQueue, undefined, {
      ...s3.workerEnv,
      [ENCRYPTION_KEYS_ENV]: `${KEY.id}=${KEY.key.toString('base64')}`,
    });
    children.push(worker.child);
    return worker.child;
  }

  async function listParts(prefix: string): Promise<Map<string, Date>> {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    return new Map((listed.Contents ?? []).map((o) => [o.Key!.slice(prefix.length + 1), o.LastModified!]));
  }

  async function recordedProgress(handle: WorkflowHandle): Promise<SinkProgress | undefined> {
    const { raw } = await handle.describe();
    const payload = raw.pendingActivities?.find((a) => a.activityType?.name === 'fetchQueryResults')?.heartbeatDetails
      ?.payloads?.[0];
    if (!payload) return undefined;
    assert.equal(Buffer.from(payload.metadata?.encoding ?? []).toString(), 'binary/encrypted', 'checkpoints are encrypted');
    const [decrypted] = await new AesGcmPayloadCodec([KEY]).decode([payload]);
    return defaultPayloadConverter.fromPayload<SinkProgress>(decrypted!);
  }

  it('resumes on a second worker process after the last recorded part, every row exactly once', async () => {
    const taskQueue = `sink-kill-${Date.now()}`;
    const prefix = 'killed/report';
    const first = await spawnWorker(taskQueue);
    const handle = await startSqlQuery(
      client,
      {
        statement: MIXED_SQL(ROWS),
        pollIntervalMs: 100,
        resultSink: { url: `s3://${BUCKET}/${prefix}`, format: 'parquet', partRows: PART_ROWS },
      },
      { taskQueue },
    );
    let recorded: SinkProgress | undefined;
    await waitFor(
      'two recorded parts',
      async () => {
        recorded = await recordedProgress(handle);
        return (recorded?.parts.length ?? 0) >= 2;
      },
      { timeoutMs: 120_000 },
    );
    first.kill('SIGKILL');
    await once(first, 'exit');
    const killedAt = new Date();
    // What the server holds for the retry: at least what we saw, maybe one part more.
    recorded = await recordedProgress(handle);
    const atKill = await listParts(prefix);
    assert.ok(recorded && recorded.parts.length < ROWS / PART_ROWS, 'killed mid-way');
    assert.equal(atKill.has('manifest.json'), false, 'no manifest while parts are missing');
    for (const part of recorded.parts) assert.ok(atKill.has(part.name), `recorded ${part.name} is in the bucket`);

    await spawnWorker(taskQueue);
    const result = await handle.result();
    const manifest = result.manifest!;
    assert.equal(manifest.rows, ROWS);
    assert.deepEqual(
      manifest.parts.map((p) => p.startRow),
      Array.from({ length: ROWS / PART_ROWS }, (_, i) => i * PART_ROWS),
      'contiguous parts keyed by their first row',
    );
    assert.deepEqual(manifest.parts.slice(0, recorded.parts.length), recorded.parts, 'the recorded parts are kept as they were');
    const after = await listParts(prefix);
    for (const part of recorded.parts) {
      assert.ok(after.get(part.name)! < killedAt, `${part.name} was not rewritten by the second worker`);
    }
    assert.equal(after.size, manifest.parts.length + 1, 'nothing but the parts and the manifest');

    const raw = historyBytes(await fetchAllRunHistories(env.client, handle.workflowId));
    assert.ok(raw.includes(Buffer.from('binary/encrypted')), 'history holds encrypted payloads');
    for (const text of ['part-0000', prefix, BUCKET]) {
      assert.ok(!raw.includes(Buffer.from(text)), `raw history holds ${text} in plaintext`);
    }

    const { lines } = await readBack(s3Fetcher(s3.client, BUCKET, prefix));
    const driver = await connect({
      serverHostname: env.warehouse.serverHostname,
      httpPath: env.warehouse.httpPath,
      accessToken: env.warehouse.accessToken,
    });
    try {
      const expected = canonicalRows(await (await driver.execute(MIXED_SQL(ROWS))).fetchAll());
      assert.equal(lines.length, ROWS, 'every row once');
      assert.deepEqual(lines, expected);
    } finally {
      await driver.close();
    }
  });
});
