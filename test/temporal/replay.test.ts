/**
 * Replays recorded sqlQueryWorkflow histories (histories/, made by
 * scripts/temporal/record-history.ts) against the current workflow code.
 */
import assert from 'node:assert/strict';
import { describeReplay } from '../support/replay-histories.js';

describeReplay('replay of recorded sqlQueryWorkflow histories', {
  directory: new URL('./histories/', import.meta.url),
  files: [
    'canceled-by-signal.json',
    'direct-result.json',
    'failed-at-submit.json',
    'failed-statement.json',
    'polled-to-completion.json',
    'workflow-cancelled.json',
  ],
  workflowId: (history, file) => {
    assert.ok((history.events?.length ?? 0) > 5, 'a real history');
    return `replay-${file}`;
  },
});
