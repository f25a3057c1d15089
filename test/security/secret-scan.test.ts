/**
 * The access token, the OAuth client secret and the OAuth tokens issued for it never appear in
 * workflow input, results, raw history, worker logs, error messages or CLI output. Real dev
 * server, real warehouse, the real CLI (worker, run, status, result) as child processes.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { fetchAllRunHistories, historyBytes, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ACCESS_TOKEN = `dapi-scan-${randomUUID()}`;
const CLIENT_ID = 'sp-scan';
const CLIENT_SECRET = `dose-scan-${randomUUID()}`;
const WRONG_SECRET = `dose-wrong-${randomUUID()}`;

interface Run {
  code: number;
  out: string;
}

describe('secrets stay out of everything a user or operator sees', () => {
  let env: TemporalTestEnv;
  let proxy: RecordingProxy;
  const workers: Array<{ child: ChildProcess; logs: string[] }> = [];
  /** Everything a test produced, to scan, with where it came from. */
  let seen: Array<{ where: string; text: string }> = [];

  before(async () => {
    env = await startTemporalTestEnv({
      token: ACCESS_TOKEN,
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenLifetimeMs: 60_000 },
      directResultsWaitMs: 200,
    });
    proxy = await startRecordingProxy(env.warehouse.serverHostname);
  });
  /** Each test's worker stops when the test ends: three idle workers polling would slow the rest. */
  const stopWorkers = async (): Promise<void> => {
    for (const { child } of workers) child.kill('SIGTERM');
    await Promise.all(
      workers.map(
        ({ child }) =>
          new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r))),
      ),
    );
    workers.length = 0;
  };
  afterEach(stopWorkers);
  after(async () => {
    await stopWorkers();
    await proxy?.close();
    await env?.close();
  });

  const baseEnv = (taskQueue: string) => ({
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABRICKS_HOST: proxy.serverHostname,
    DATABRICKS_HTTP_PATH: env.warehouse.httpPath,
    DATABRICKS_TOKEN: '',
    DATABRICKS_CLIENT_ID: '',
    DATABRICKS_CLIENT_SECRET: '',
  });

  async function startWorker(taskQueue: string, credentials: Record<string, string>): Promise<string[]> {
    seen = [];
    const logs: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker'], {
      env: { ...baseEnv(taskQueue), ...credentials },
    });
    child.stdout.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => logs.push(d.toString()));
    workers.push({ child, logs });
    await waitFor('the worker to poll', () => logs.join('').includes('worker polling'), { timeoutMs: 120_000 });
    return logs;
  }

  function cli(taskQueue: string, args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', MAIN, ...args],
        { env: baseEnv(taskQueue), timeout: 180_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          seen.push({ where: `temporal-dbsql ${args.join(' ')}`, text: stdout + stderr });
          resolve({ code, out: stdout + stderr });
        },
      );
    });
  }

  /** Scans the histories, outcomes and worker logs of this test's workflows, and its CLI output. */
  async function assertNoSecrets(workflowIds: string[], logs: string[], minimumTokens: number): Promise<void> {
    for (const workflowId of workflowIds) {
      const histories = await fetchAllRunHistories(env.client, workflowId);
      seen.push({ where: `raw history of ${workflowId}`, text: historyBytes(histories).toString('latin1') });
      seen.push({ where: `history JSON of ${workflowId}`, text: JSON.stringify(histories) });
      const outcome = await env.client.workflow
        .getHandle(workflowId)
        .result()
        .then(
          (result) => JSON.stringify(result),
          (error: unknown) => `${String(error)} ${JSON.stringify(error)} ${String((error as { cause?: unknown }).cause)}`,
        );
      seen.push({ where: `result or error of ${workflowId}`, text: outcome });
    }
    seen.push({ where: 'worker logs', text: logs.join('') });
    const issued = [...new Set(proxy.exchanges.map((e) => e.bearer).filter((b): b is string => Boolean(b)))];
    assert.ok(issued.length >= minimumTokens, 'the tokens used reached the warehouse through the recording proxy');
    const secrets = [ACCESS_TOKEN, CLIENT_SECRET, WRONG_SECRET, ...issued];
    for (const { where, text } of seen) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} holds a secret (${secret.slice(0, 6)}…)`);
    }
    assert.ok(seen.length >= 3 * workflowIds.length + 1);
  }

  it('OAuth worker: a query, a failing query, status and result', async () => {
    const queue = `scan-oauth-${randomUUID()}`;
    const logs = await startWorker(queue, { DATABRICKS_CLIENT_ID: CLIENT_ID, DATABRICKS_CLIENT_SECRET: CLIENT_SECRET });
    const ok = await cli(queue, [
      'run',
      'SELECT :x AS x, count(*) AS n FROM RANGE(2000) a CROSS JOIN RANGE(2000) b',
      '--param',
      'x=hello',
      '--poll-interval',
      '200',
      '--wait',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.out);
    const id = /started workflow (\S+)/.exec(ok.out)?.[1];
    assert.ok(id);
    const failed = await cli(queue, ['run', 'SELECT * FROM missing_table', '--wait']);
    assert.equal(failed.code, 1, failed.out);
    const failedId = /started workflow (\S+)/.exec(failed.out)![1]!;
    assert.equal((await cli(queue, ['status', id])).code, 0);
    assert.equal((await cli(queue, ['result', id, '--json'])).code, 0);
    assert.ok(
      proxy.exchanges.some((e) => e.path === '/oidc/v1/token' && e.status === 200),
      'the worker used OAuth',
    );
    await assertNoSecrets([id, failedId], logs, 1);
  });

  it('a worker with a wrong client secret: the workflow fails on authentication', async () => {
    const queue = `scan-wrong-${randomUUID()}`;
    const logs = await startWorker(queue, { DATABRICKS_CLIENT_ID: CLIENT_ID, DATABRICKS_CLIENT_SECRET: WRONG_SECRET });
    const failed = await cli(queue, ['run', 'SELECT 1', '--wait']);
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.out, /refused the OAuth client credentials of client id 'sp-scan'/);
    await assertNoSecrets([/started workflow (\S+)/.exec(failed.out)![1]!], logs, 0);
  });

  it('access-token worker: a query', async () => {
    const queue = `scan-pat-${randomUUID()}`;
    const logs = await startWorker(queue, { DATABRICKS_TOKEN: ACCESS_TOKEN });
    const ok = await cli(queue, ['run', 'SELECT 42 AS answer', '--wait', '--json']);
    assert.equal(ok.code, 0, ok.out);
    await assertNoSecrets([/started workflow (\S+)/.exec(ok.out)![1]!], logs, 1);
  });
});
