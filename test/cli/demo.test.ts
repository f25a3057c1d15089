/**
 * `npm run demo`, the main job, as a user runs it: the durable query's rows, a large result
 * streamed into Parquet parts that DuckDB reads back, the pipeline's report, exit 0, and nothing
 * left afterwards (no process, no open port, no temporary sink directory).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { descendants, isRunning, portIsClosed, runCli, startCli, waitForMatch } from './cli-process.js';
import { waitFor } from '../support/wait.js';

/** Generous: the first start bundles the workflow code and may provision the Temporal CLI. */
const DEMO_TIMEOUT_MS = 240_000;

describe('temporal-dbsql demo', () => {
  it('runs the query, the sink and the pipeline, then leaves nothing running or behind', async () => {
    const demo = startCli(['demo', '--n', '2000', '--rows', '300000']);
    const timer = setTimeout(() => demo.child.kill('SIGKILL'), DEMO_TIMEOUT_MS);
    try {
      const up = await waitForMatch(
        demo.stderr,
        /Temporal at 127\.0\.0\.1:(\d+).*\n.*local warehouse at http:\/\/127\.0\.0\.1:(\d+)/,
        DEMO_TIMEOUT_MS,
      );
      const ports = [Number(up[1]), Number(up[2])];
      const children = descendants(demo.child.pid!);
      assert.ok(children.length > 0, 'the demo runs its Temporal dev server as a child process');

      const { code } = await demo.exited;
      const stdout = demo.stdout();
      const stderr = demo.stderr();
      assert.equal(code, 0, stderr);
      // The durable query: 2000 x 2000 pairs in 5 buckets.
      assert.match(stdout, /^0\s+\|\s+800000\s+\|/m);
      assert.match(stdout, /\(5 rows\)/);
      // The sink: a manifest for every row, and DuckDB reading the parts back.
      assert.match(stdout, /^300000 rows \(\d+ bytes, parquet\) written to \/.+\/manifest\.json$/m);
      assert.match(stderr, /read back with DuckDB: 300,000 rows in 4 Parquet parts, sum\(id\) = 44999850000/);
      // The pipeline's last step took the first one's max_id.
      assert.match(stdout, /loaded_up_to \| next_start\n-+ \| -+\n999999\s+\| 1000000/);

      const sinkDir = /to Parquet in (\/\S+)/.exec(stderr)?.[1];
      assert.ok(sinkDir, stderr);
      assert.equal(existsSync(sinkDir), false, `the temporary sink directory ${sinkDir} is removed`);
      await waitFor("the demo's processes to end", () => children.every((pid) => !isRunning(pid)) || undefined, {
        timeoutMs: 30_000,
      });
      for (const port of ports) assert.ok(await portIsClosed(port), `port ${port} is closed after the demo`);
    } finally {
      clearTimeout(timer);
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    }
  });

  it('refuses a bad --rows before starting anything', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--rows', 'many']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /--rows must be a positive integer, got "many"/);
  });
});
