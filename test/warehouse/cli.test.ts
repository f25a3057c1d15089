/**
 * `temporal-dbsql warehouse` as a user runs it: it prints the three values to export, serves
 * them, and stops cleanly on Ctrl-C (SIGINT) and on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { executeRequest, WarehouseTestClient } from '../support/warehouse-client.js';
import { waitFor } from '../support/wait.js';

const ENTRY = fileURLToPath(new URL('../../src/cli/warehouse.ts', import.meta.url));

/** Starts the command through a tiny entry that calls runWarehouseCommand and exits with its code. */
function startCommand(
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; output: () => string } {
  const script = `import { runWarehouseCommand } from ${JSON.stringify(ENTRY)}; process.exitCode = await runWarehouseCommand(${JSON.stringify(args)});`;
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (part: Buffer) => (output += part.toString()));
  child.stderr.on('data', (part: Buffer) => (output += part.toString()));
  return { child, output: () => output };
}

function waitForOutput(output: () => string, pattern: RegExp): Promise<RegExpMatchArray> {
  return waitFor(`${pattern} in the output`, () => pattern.exec(output()) ?? undefined).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; output:\n${output()}`);
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

describe('temporal-dbsql warehouse command', () => {
  it('prints DATABRICKS_HOST, HTTP_PATH and TOKEN that work, and stops on SIGINT', async () => {
    const { child, output } = startCommand(['--port', '0'], { UV_THREADPOOL_SIZE: undefined, DATABRICKS_TOKEN: undefined });
    try {
      await waitForOutput(output, /Press Ctrl-C to stop/);
      const host = (await waitForOutput(output, /export DATABRICKS_HOST=(\S+)/))[1]!;
      const path = (await waitForOutput(output, /export DATABRICKS_HTTP_PATH=(\S+)/))[1]!;
      const token = (await waitForOutput(output, /export DATABRICKS_TOKEN=(\S+)/))[1]!;
      const client = new WarehouseTestClient(`${host}${path}`, token);
      const session = await client.openSession();
      const result = await client.call(
        'ExecuteStatement',
        executeRequest(session, 'SELECT 1 AS one', { direct: { maxRows: 10 } }),
      );
      assert.equal(result.directResults?.resultSet?.hasMoreRows, false);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exitOf(child), 0);
    assert.match(output(), /Stopping the local warehouse/);
  });

  it('uses DATABRICKS_TOKEN from the environment without printing it, and stops on SIGTERM', async () => {
    const secret = 'env-token-that-must-not-be-printed';
    const { child, output } = startCommand(['--port', '0', '--session-idle-timeout', '3600'], {
      UV_THREADPOOL_SIZE: '8',
      DATABRICKS_TOKEN: secret,
    });
    try {
      const host = (await waitForOutput(output, /export DATABRICKS_HOST=(\S+)/))[1]!;
      const path = (await waitForOutput(output, /export DATABRICKS_HTTP_PATH=(\S+)/))[1]!;
      await waitForOutput(output, /Press Ctrl-C to stop/);
      assert.ok(!output().includes(secret));
      const session = await new WarehouseTestClient(`${host}${path}`, secret).openSession();
      assert.ok(session.sessionId.guid.length === 16);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitOf(child), 0);
  });

  it('rejects a bad port with a message naming it', async () => {
    const { child, output } = startCommand(['--port', 'eighty']);
    assert.equal(await exitOf(child), 2);
    assert.match(output(), /--port must be a port number.*eighty/);
  });

  it('rejects a session idle timeout that is not a positive number of seconds', async () => {
    const { child, output } = startCommand(['--session-idle-timeout', 'soon']);
    assert.equal(await exitOf(child), 2);
    assert.match(output(), /--session-idle-timeout must be a positive number of seconds, got 'soon'/);
  });
});
