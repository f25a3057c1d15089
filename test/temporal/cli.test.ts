/**
 * The command line's conventions: every subcommand answers --help on stdout with exit 0, and a
 * bad command line is reported on stderr with exit 2. Runs the real CLI entry point.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('temporal-dbsql CLI', () => {
  for (const command of ['demo', 'worker', 'run', 'status', 'cancel', 'result']) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      const { code, stdout, stderr } = await cli(command, '--help');
      assert.equal(code, 0, stderr);
      assert.match(stdout, new RegExp(`^Usage: temporal-dbsql ${command}\\b`));
      assert.equal(stderr, '');
    });
  }

  it('reports a missing argument on stderr with exit 2', async () => {
    const { code, stdout, stderr } = await cli('status');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /status needs a workflow ID/);
  });
});
