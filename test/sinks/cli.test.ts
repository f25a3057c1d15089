/**
 * The CLI writing to a sink: `run ... --output DIR --format csv --wait` against the real dev
 * server and warehouse prints where the manifest is, and the parts hold the query's rows;
 * bad --output / --format are usage errors (exit 2) that start nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../src/index.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { MIXED_SQL, canonicalRows, directoryFetcher, readBack } from './support/read-back.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROWS = 3_000;

async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('CLI result sinks', () => {
  let env: TemporalTestEnv;
  let scratch: string;
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 0 });
    scratch = await mkdtemp(join(tmpdir(), 'sink-cli-'));
  });
  after(async () => {
    await env?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('run --output DIR --format csv --wait writes the result and says where', async () => {
    const worker = await env.newWorker();
    const directory = join(scratch, 'report');
    const { code, stdout, stderr } = await worker.runUntil(
      runCli(['run', MIXED_SQL(ROWS), '--output', directory, '--format', 'csv', '--wait', '--poll-interval', '100'], {
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: worker.taskQueue,
      }),
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`^${ROWS} rows \\(\\d+ bytes, csv\\) written to ${join(directory, 'manifest.json')}\\n$`));
    const { lines } = await readBack(directoryFetcher(directory));
    const driver = await connect({
      serverHostname: env.warehouse.serverHostname,
      httpPath: env.warehouse.httpPath,
      accessToken: env.warehouse.accessToken,
    });
    try {
      assert.deepEqual(lines, canonicalRows(await (await driver.execute(MIXED_SQL(ROWS))).fetchAll()));
    } finally {
      await driver.close();
    }
  });

  for (const [args, message] of [
    [['--output', '/tmp/x', '--format', 'xlsx'], /--format: must be one of parquet, arrow, csv, jsonl/],
    [['--output', 's3://Bad_Bucket/p'], /--output: names bucket "Bad_Bucket"/],
    [['--format', 'csv'], /--format needs --output/],
  ] as const) {
    it(`rejects ${args.join(' ')} before starting anything (exit 2)`, async () => {
      // No Temporal server at this address: a usage error must come first.
      const { code, stderr } = await runCli(['run', 'SELECT 1', ...args], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
      assert.equal(code, 2);
      assert.match(stderr, message);
    });
  }
});
