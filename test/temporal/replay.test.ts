/**
 * Replays recorded histories (test/temporal/histories/, made by scripts/temporal/record-history.ts)
 * against the current workflow code: a change that is not deterministic for workflows already
 * running (a new activity, a reordered call, a removed timer) fails here.
 * Needs no server: replay runs the workflow code against the recorded events.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { sqlWorkflowsPath } from '../../src/temporal/worker.js';

const HISTORIES = fileURLToPath(new URL('./histories/', import.meta.url));
const { History } = proto.temporal.api.history.v1;

describe('replay of recorded sqlQueryWorkflow histories', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
  let bundle: WorkflowBundle;
  before(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: sqlWorkflowsPath(), logger: silent });
  });

  it('has the recorded scenarios', () => {
    assert.deepEqual(files, [
      'canceled-by-signal.json',
      'direct-result.json',
      'failed-at-submit.json',
      'failed-statement.json',
      'polled-to-completion.json',
      'workflow-cancelled.json',
    ]);
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history = History.fromObject(JSON.parse(await readFile(`${HISTORIES}${file}`, 'utf8')) as Record<string, unknown>);
      assert.ok((history.events?.length ?? 0) > 5, 'a real history');
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay-${file}`);
    });
  }
});

const silent = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
