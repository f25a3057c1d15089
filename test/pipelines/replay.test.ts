/**
 * Replays recorded sqlPipelineWorkflow histories (histories/, written by
 * `RECORD_PIPELINE_HISTORY=1 node --import tsx --test test/pipelines/pipeline-workflow.test.ts`)
 * against the current workflow code: a change that is not deterministic for pipelines already
 * running (a reordered child start, a new timer) fails here. Needs no server.
 * Re-record ONLY for a deliberate, compatible change of the workflow.
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

describe('replay of recorded sqlPipelineWorkflow histories', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
  let bundle: WorkflowBundle;
  before(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: sqlWorkflowsPath(), logger: silent });
  });

  it('has the recorded scenarios', () => {
    assert.deepEqual(files, ['canceled-by-signal.json', 'continue-on-failure.json', 'fail-fast.json', 'four-steps.json']);
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history = History.fromObject(JSON.parse(await readFile(`${HISTORIES}${file}`, 'utf8')) as Record<string, unknown>);
      const children = (history.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []);
      assert.ok(children.length >= 2, 'a real pipeline history, with its steps');
      // Step workflow ids derive from the pipeline's: replay under the recorded id (steps there have no '.').
      const stepId = children[0]!.workflowId!;
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, stepId.slice(0, stepId.lastIndexOf('.')));
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
