/**
 * sqlQueryWorkflow writing to result sinks, on the real Temporal dev server, local warehouse
 * and S3-compatible server (moto): every format, to a directory and to S3, read back by
 * another reader and compared with the query's rows (count and every value); bad sink
 * settings failing before any activity runs; no credential in history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { connect, type Connection } from '../../src/index.js';
import { startSqlQuery } from '../../src/temporal/client.js';
import type { ResultFormat, ResultSinkInput } from '../../workflows/messages.js';
import { fetchAllRunHistories, historyBytes, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { MIXED_SQL, canonicalRows, directoryFetcher, readBack, s3Fetcher } from './support/read-back.js';
import { startS3Server, type S3TestServer } from './support/s3-server.js';

// Three parts, the last one short.
const ROWS = 5_000;
const PART_ROWS = 2_000;
const BUCKET = 'sink-formats';
const FORMATS: ResultFormat[] = ['parquet', 'arrow', 'csv', 'jsonl'];

describe('result sinks', () => {
  let env: TemporalTestEnv;
  let s3: S3TestServer;
  let driver: Connection;
  let scratch: string;
  let expected: string[];
  const savedEnv = { ...process.env };

  before(async () => {
    [env, s3] = await Promise.all([startTemporalTestEnv({ directResultsWaitMs: 0 }), startS3Server()]);
    // The in-process worker's S3 sink reads the standard AWS variables, as a deployed one would.
    Object.assign(process.env, s3.workerEnv);
    await s3.createBucket(BUCKET);
    scratch = await mkdtemp(join(tmpdir(), 'sink-formats-'));
    driver = await connect({
      serverHostname: env.warehouse.serverHostname,
      httpPath: env.warehouse.httpPath,
      accessToken: env.warehouse.accessToken,
    });
    expected = canonicalRows(await (await driver.execute(MIXED_SQL(ROWS))).fetchAll());
    assert.equal(expected.length, ROWS);
  });
  after(async () => {
    process.env = savedEnv;
    await driver?.close();
    await env?.close();
    await s3?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function run(resultSink: ResultSinkInput, workflowId?: string) {
    const worker = await env.newWorker();
    return worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        { statement: MIXED_SQL(ROWS), pollIntervalMs: 100, resultSink },
        { taskQueue: worker.taskQueue, workflowId },
      );
      return { handle, result: await handle.result() };
    });
  }

  for (const format of FORMATS) {
    it(`writes ${format} to a directory, every row once`, async () => {
      const directory = join(scratch, format);
      const { result } = await run({ url: directory, format, partRows: PART_ROWS });
      assert.equal(result.rows, undefined, 'a sink result is not inline');
      const { manifest, lines } = await readBack(directoryFetcher(directory));
      assert.deepEqual(result.manifest, manifest, 'the workflow returns the manifest it wrote');
      assert.equal(manifest.location, join(directory, 'manifest.json'));
      assert.deepEqual(
        manifest.parts.map((p) => [p.startRow, p.rows]),
        [
          [0, 2_000],
          [2_000, 2_000],
          [4_000, 1_000],
        ],
      );
      assert.equal(manifest.rows, ROWS);
      assert.equal(lines.length, ROWS);
      assert.deepEqual(lines, expected);
    });

    it(`writes ${format} to S3, every row once`, async () => {
      const prefix = `reports/${format}`;
      const { result } = await run({ url: `s3://${BUCKET}/${prefix}`, format, partRows: PART_ROWS });
      const { manifest, lines } = await readBack(s3Fetcher(s3.client, BUCKET, prefix));
      assert.deepEqual(result.manifest, manifest);
      assert.equal(manifest.location, `s3://${BUCKET}/${prefix}/manifest.json`);
      assert.equal(manifest.rows, ROWS);
      assert.equal(lines.length, ROWS);
      assert.deepEqual(lines, expected);
    });
  }

  it('never records the S3 credentials in history', async () => {
    const workflowId = `sink-secret-${Date.now()}`;
    await run({ url: `s3://${BUCKET}/secret-scan`, format: 'parquet' }, workflowId);
    const bytes = historyBytes(await fetchAllRunHistories(env.client, workflowId));
    assert.ok(bytes.includes(Buffer.from('secret-scan')), 'the scan reads real payloads');
    assert.equal(bytes.includes(Buffer.from(s3.secretAccessKey)), false, 'no secret key in history');
    assert.equal(bytes.includes(Buffer.from(env.warehouse.accessToken)), false, 'no warehouse token in history');
  });

  const BAD: Array<[string, unknown, RegExp]> = [
    ['format', { url: '/tmp/x', format: 'xlsx' }, /resultSink\.format must be one of parquet, arrow, csv, jsonl/],
    ['url', { url: 's3://No_Such..Bucket/p' }, /resultSink\.url names bucket "No_Such\.\.Bucket"/],
    ['url', { url: 'relative/dir' }, /resultSink\.url must be/],
    ['partRows', { url: '/tmp/x', partRows: 10 }, /resultSink\.partRows must be an integer from 1000/],
    ['a typo', { url: '/tmp/x', fromat: 'csv' }, /resultSink\.fromat is not a setting/],
  ];
  for (const [what, resultSink, message] of BAD) {
    it(`fails before any activity runs on a bad ${what}, naming the field`, async () => {
      const worker = await env.newWorker();
      const handle = await startSqlQuery(
        env.client,
        { statement: 'SELECT 1 AS one', resultSink: resultSink as ResultSinkInput },
        { taskQueue: worker.taskQueue },
      );
      const failure = await worker.runUntil(
        handle.result().then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      assert.ok(failure instanceof WorkflowFailedError, `failed: ${String(failure)}`);
      const cause = failure.cause;
      assert.ok(cause instanceof ApplicationFailure);
      assert.equal(cause.type, 'SqlResultSinkInvalid');
      assert.equal(cause.nonRetryable, true);
      assert.match(cause.message, message);
      const [history] = await fetchAllRunHistories(env.client, handle.workflowId);
      const scheduled = (history!.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
      assert.equal(scheduled.length, 0, 'no activity was scheduled');
    });
  }

  it('does not echo credentials pasted into the URL', async () => {
    const worker = await env.newWorker();
    const handle = await startSqlQuery(
      env.client,
      { statement: 'SELECT 1 AS one', resultSink: { url: 's3://AKIAX:pasted-secret@bucket/p' } },
      { taskQueue: worker.taskQueue },
    );
    const failure = (await worker.runUntil(
      handle.result().then(
        () => undefined,
        (error: unknown) => error,
      ),
    )) as WorkflowFailedError;
    assert.match(String(failure.cause?.message), /resultSink\.url must not hold credentials/);
    assert.doesNotMatch(String(failure.cause?.message), /pasted-secret/);
  });
});
