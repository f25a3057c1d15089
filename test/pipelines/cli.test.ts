/**
 * `temporal-dbsql pipeline ...` as a user runs it: the real CLI process against a real dev
 * server, with a worker in this process. YAML and JSON files, the progress lines (stderr is
 * not a terminal here), exit codes, and bad files named with their line, step and field.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';
import type { SqlWorker } from '../../src/temporal/worker.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

describe('temporal-dbsql pipeline', () => {
  let env: TemporalTestEnv;
  let worker: SqlWorker;
  let dir: string;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 100, holdStatements: gate.hold });
    worker = await env.runWorker();
    dir = await mkdtemp(join(tmpdir(), 'pipeline-cli-'));
  });
  after(async () => {
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]): Promise<Outcome> =>
    new Promise((resolve) => {
      const options = {
        env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: worker.taskQueue },
        timeout: 120_000,
      };
      execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], options, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('runs a YAML pipeline with --wait: progress lines on stderr, the step table and rows on stdout', async () => {
    const path = await file(
      'nightly.yaml',
      `# a watermark, then a step using it
steps:
  - name: watermark
    statement: SELECT 41 AS max_id
    pollIntervalMs: 100
  - name: load
    dependsOn: [watermark]
    statement: SELECT :since + 1 AS next_id
    params:
      since: { fromStep: watermark, column: max_id }
    returnRows: true
    pollIntervalMs: 100
`,
    );
    const id = `cli-${randomUUID()}`;
    const { code, stdout, stderr } = await cli('pipeline', 'run', path, '--wait', '--id', id);
    assert.equal(code, 0, stderr);
    assert.match(stderr, new RegExp(`started pipeline ${id} \\(2 steps\\)`));
    assert.match(stderr, new RegExp(`${id} load: FINISHED, query [0-9a-f-]{36}, 1 rows`));
    assert.match(stdout, /^pipeline FINISHED\nSTEP +STATE +QUERY ID +ROWS +TIME +NOTE\nwatermark +FINISHED +[0-9a-f-]{36} +1 /);
    assert.match(stdout, /load:\nnext_id\n-+\n42 *\n/);
  });

  it('runs a JSON pipeline in the background; status, cancel and result follow it (exit 3 when canceled)', async () => {
    const tag = `cli-held-${randomUUID()}`;
    const path = await file(
      'held.json',
      JSON.stringify({
        steps: [
          { name: 'held', statement: heldSql(tag), pollIntervalMs: 100 },
          { name: 'next', dependsOn: ['held'], statement: 'SELECT 1' },
        ],
      }),
    );
    const started = await cli('pipeline', 'run', path);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    assert.match(id, /^pipeline-[0-9a-f-]{36}$/);
    await waitFor('the held statement to run', () =>
      env.warehouse.history().some((r) => r.statement === heldSql(tag) && r.state === 'RUNNING'),
    );
    const status = await cli('pipeline', 'status', id);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /held +RUNNING/);
    assert.match(status.stdout, /next +PENDING/);
    const canceled = await cli('pipeline', 'cancel', id);
    assert.equal(canceled.code, 0, canceled.stderr);
    const result = await cli('pipeline', 'result', id, '--json');
    assert.equal(result.code, 3, result.stderr);
    const parsed = JSON.parse(result.stdout) as { state: string; steps: Array<{ name: string; state: string }> };
    assert.equal(parsed.state, 'CANCELED');
    assert.deepEqual(
      parsed.steps.map((s) => s.state),
      ['CANCELED', 'SKIPPED'],
    );
    assert.equal(env.warehouse.history().find((r) => r.statement === heldSql(tag))?.state, 'CANCELED');
  });

  it('exits 1 for a failed pipeline, with the failing step and its SQLSTATE', async () => {
    const path = await file(
      'broken.yaml',
      'steps:\n  - name: broken\n    statement: SELECT * FROM no_such_table\n    pollIntervalMs: 100\n',
    );
    const { code, stdout, stderr } = await cli('pipeline', 'run', path, '--wait');
    assert.equal(code, 1, stderr);
    assert.match(stdout, /broken +FAILED .*SqlStatementFailed: .*no_such_table.*SQLSTATE \w+/);
    assert.match(stderr, /pipeline pipeline-[0-9a-f-]{36} failed\n$/);
  });

  it('refuses a bad file with exit 2, naming the file, line, step and field; nothing starts', async () => {
    const before = env.warehouse.history().length;
    const path = await file(
      'bad.yaml',
      'steps:\n  - name: a\n    statement: SELECT 1\n  - name: b\n    statement: SELECT 2\n    dependsOn: [a, c]\n',
    );
    const unknown = await cli('pipeline', 'run', path, '--wait');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.equal(
      unknown.stderr,
      `temporal-dbsql: ${path}:6: step 'b' depends on unknown step 'c' (field steps[1].dependsOn[1])\n`,
    );

    const badField = await file('field.yaml', 'steps:\n  - name: a\n    statement: SELECT 1\n    pollIntervalMs: fast\n');
    const field = await cli('pipeline', 'run', badField);
    assert.equal(field.code, 2);
    assert.match(
      field.stderr,
      new RegExp(
        `${badField}:4: step 'a': pollIntervalMs must be a number of milliseconds >= 100, got "fast" \\(field steps\\[0\\]\\.pollIntervalMs\\)`,
      ),
    );

    const syntax = await file('syntax.yaml', 'steps:\n  - name: a\n    statement: [SELECT 1\n');
    const broken = await cli('pipeline', 'run', syntax);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, new RegExp(`${syntax}:\\d: not valid YAML or JSON: `));

    const missing = await cli('pipeline', 'run', join(dir, 'nope.yaml'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: cannot read the file: ENOENT/);
    assert.equal(env.warehouse.history().length, before, 'no statement ran');
  });

  it('answers --help with exit 0 and a missing argument with exit 2', async () => {
    const help = await cli('pipeline', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: temporal-dbsql pipeline /);
    const missing = await cli('pipeline', 'status');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /pipeline status needs a workflow ID/);
  });
});
