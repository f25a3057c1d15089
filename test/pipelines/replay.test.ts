/**
 * Replays recorded sqlPipelineWorkflow histories (histories/, written by
 * `RECORD_PIPELINE_HISTORY=1 node --import tsx --test test/pipelines/pipeline-workflow.test.ts`)
 * against the current workflow code: a reordered child start or a new timer fails here.
 * Re-record ONLY for a deliberate, compatible change of the workflow.
 */
import assert from 'node:assert/strict';
import { describeReplay } from '../support/replay-histories.js';

describeReplay('replay of recorded sqlPipelineWorkflow histories', {
  directory: new URL('./histories/', import.meta.url),
  files: ['canceled-by-signal.json', 'continue-on-failure.json', 'fail-fast.json', 'four-steps.json'],
  workflowId: (history) => {
    const children = (history.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []);
    assert.ok(children.length >= 2, 'a real pipeline history, with its steps');
    // Step workflow ids derive from the pipeline's: replay under the recorded id (steps there have no '.').
    const stepId = children[0]!.workflowId!;
    return stepId.slice(0, stepId.lastIndexOf('.'));
  },
});
