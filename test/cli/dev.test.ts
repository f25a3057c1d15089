/**
 * `temporal-dbsql dev` as a user runs it: it comes up, another terminal's `run --wait` works
 * against it, Ctrl-C leaves no process and no port behind, and the next `dev` on the same data
 * folder still has the workflows of the first.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  commandOf,
  descendants,
  isRunning,
  portIsClosed,
  runCli,
  startCli,
  waitForMatch,
  type CliProcess,
} from './cli-process.js';
import { waitFor } from '../support/wait.js';

/** Generous: the first start bundles the workflow code and may provision the Temporal CLI. */
const START_TIMEOUT_MS = 180_000;
const STOP_DEADLINE_MS = 30_000;

interface RunningDev {
  cli: CliProcess;
  temporalAddress: string;
  ports: number[];
}

async function startDev(dataDir: string): Promise<RunningDev> {
  const cli = startCli(['dev', '--data-dir', dataDir, '--port', '0', '--warehouse-port', '0']);
  try {
    await waitForMatch(cli.stdout, /dev is up/, START_TIMEOUT_MS, 'from dev');
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstderr:\n${cli.stderr()}`, { cause: error });
  }
  const out = cli.stdout();
  const temporalAddress = /export TEMPORAL_ADDRESS=(\S+)/.exec(out)![1]!;
  const ports = [temporalAddress, /Temporal Web UI\s+(\S+)/.exec(out)![1]!, /export DATABRICKS_HOST=(\S+)/.exec(out)![1]!].map(
    (address) => Number(/:(\d+)(\/|$)/.exec(address)![1]),
  );
  return { cli, temporalAddress, ports };
}

/** SIGINT, as Ctrl-C; resolves to the exit code once everything is gone (asserted). */
async function stopDev(dev: RunningDev): Promise<{ code: number | null; stopMs: number }> {
  const pid = dev.cli.child.pid!;
  const children = descendants(pid);
  assert.ok(children.length > 0, 'dev runs the Temporal dev server as a child process');
  const started = Date.now();
  dev.cli.child.kill('SIGINT');
  const timer = setTimeout(() => dev.cli.child.kill('SIGKILL'), STOP_DEADLINE_MS);
  const { code } = await dev.cli.exited;
  clearTimeout(timer);
  const stopMs = Date.now() - started;
  assert.ok(stopMs < STOP_DEADLINE_MS, `dev stopped within ${STOP_DEADLINE_MS} ms (took ${stopMs})`);
  // A child notices its parent's exit a moment later (the esbuild service of tsx reads EOF): give them a deadline.
  await waitFor('the children to exit', () => !children.some((child) => isRunning(child)), { timeoutMs: 10_000 }).catch(
    () => undefined, // the assertion below names any that are left
  );
  assert.deepEqual(
    children.filter((child) => isRunning(child)).map((child) => `${child}: ${commandOf(child)}`),
    [],
    'no child process of dev is left',
  );
  for (const port of dev.ports) assert.ok(await portIsClosed(port), `port ${port} is closed`);
  return { code, stopMs };
}

describe('temporal-dbsql dev', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'temporal-dbsql-dev-test-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves run --wait from another process, stops on SIGINT leaving nothing, and keeps its history for the next dev', async () => {
    const first = await startDev(dataDir);
    let workflowId: string;
    try {
      assert.match(first.cli.stdout(), /throwaway/, 'the printed token is said to be a throwaway one');
      const run = await runCli(['run', 'SELECT 6 * 7 AS answer', '--wait', '--id', 'dev-test-answer'], {
        TEMPORAL_ADDRESS: first.temporalAddress,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /answer\s*\n-+\s*\n42\s*\n\(1 row\)/);
      workflowId = 'dev-test-answer';
    } finally {
      if (first.cli.child.exitCode === null) await stopDev(first).then(({ code }) => assert.equal(code, 0, first.cli.stderr()));
    }
    assert.match(first.cli.stderr(), /stopped in/);

    const second = await startDev(dataDir);
    try {
      const status = await runCli(['status', workflowId], { TEMPORAL_ADDRESS: second.temporalAddress });
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as { state: string }).state, 'FINISHED');
    } finally {
      await stopDev(second);
    }
  });

  it('refuses a second dev on a data folder in use, naming the process', async () => {
    const first = await startDev(dataDir);
    try {
      const second = await runCli(['dev', '--data-dir', dataDir, '--port', '0', '--warehouse-port', '0']);
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`pid ${first.cli.child.pid}`));
    } finally {
      await stopDev(first);
    }
  });

  it('rejects a bad port with exit 2 and a message naming it', async () => {
    const result = await runCli(['dev', '--port', 'seventy']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port must be a port number.*seventy/);
  });
});
