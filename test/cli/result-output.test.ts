/**
 * `result ID --output DIR --format FORMAT` on the real dev server and warehouse: a finished
 * query's inline rows land in the directory (read back by DuckDB, compared with the workflow's
 * rows); a result already in a sink, and a bad --format, are exit-2 errors naming the problem.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSqlQueryResult, startSqlQuery } from '../../src/temporal/client.js';
import type { SqlQueryInput, SqlQueryResult } from '../../workflows/messages.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { MIXED_SQL, canonical, directoryFetcher, readBack } from '../sinks/support/read-back.js';
import { runCli } from './cli-process.js';

const ROWS = 300;

describe('result ID --output', () => {
  let env: TemporalTestEnv;
  let scratch: string;
  before(async () => {
    env = await startTemporalTestEnv();
    scratch = await mkdtemp(join(tmpdir(), 'result-output-'));
  });
  after(async () => {
    await env?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** Runs a query to its end on a worker of its own; returns its workflow ID and result. */
  async function finishedQuery(input: SqlQueryInput): Promise<{ id: string; result: SqlQueryResult }> {
    const worker = await env.newWorker();
    return worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { pollIntervalMs: 100, ...input }, { taskQueue: worker.taskQueue });
      return { id: handle.workflowId, result: await getSqlQueryResult(env.client, handle.workflowId) };
    });
  }

  it('writes a finished query inline rows as CSV whose rows equal the result', async () => {
    const { id, result } = await finishedQuery({ statement: MIXED_SQL(ROWS) });
    assert.equal(result.rows?.length, ROWS, 'the result is inline');
    const directory = join(scratch, 'csv');
    const { code, stdout, stderr } = await runCli(['result', id, '--output', directory, '--format', 'csv'], {
      TEMPORAL_ADDRESS: env.address,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`^${ROWS} rows \\(\\d+ bytes, csv\\) written to ${join(directory, 'manifest.json')}\\n$`));
    assert.match(stderr, new RegExp(`${ROWS} rows / \\d+\\.\\d MB written \\(1 part done\\)`));

    const { manifest, lines } = await readBack(directoryFetcher(directory));
    assert.equal(manifest.rows, ROWS);
    assert.deepEqual(manifest.schema, result.columns);
    const expected = result.rows
      .map((r) => canonical(r.id, r.x, r.s, r.d, BigInt(Date.parse(r.ts as string)) * 1000n, r.b))
      .sort((a, b) => Number(a.split('|', 1)[0]) - Number(b.split('|', 1)[0]));
    assert.deepEqual(lines, expected);
  });

  it('refuses a result that already lives in a sink, naming its manifest (exit 2), and writes nothing', async () => {
    const sinkDirectory = join(scratch, 'first');
    const { id, result } = await finishedQuery({
      statement: MIXED_SQL(ROWS),
      resultSink: { url: sinkDirectory, format: 'jsonl' },
    });
    assert.ok(result.manifest);
    const directory = join(scratch, 'second');
    const { code, stdout, stderr } = await runCli(['result', id, '--output', directory, '--format', 'csv'], {
      TEMPORAL_ADDRESS: env.address,
    });
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`result already lives at ${join(sinkDirectory, 'manifest.json')} \\(${ROWS} rows, jsonl\\)`));
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    await assert.rejects(readdir(directory), { code: 'ENOENT' });
  });

  it('rejects a bad --format before contacting Temporal (exit 2)', async () => {
    // No Temporal server at this address: the usage error must come first.
    const { code, stderr } = await runCli(['result', 'some-id', '--output', join(scratch, 'x'), '--format', 'xlsx'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    assert.equal(code, 2);
    assert.match(stderr.split('\n', 1)[0]!, /--format: must be one of parquet, arrow, csv, jsonl, got "xlsx"/);
  });
});
