/**
 * Replays recorded sqlQueryWorkflow histories (histories/, made by
 * scripts/temporal/record-history.ts) against the current workflow code. The `*-local-poll`
 * ones poll with a local syncQueryStatus; the others were recorded before that, with a
 * scheduled one, and must still replay (workflows running when the worker is upgraded).
 */
import assert from 'node:assert/strict';
import { describeReplay } from '../support/replay-histories.js';

describeReplay('replay of recorded sqlQueryWorkflow histories', {
  directory: new URL('./histories/', import.meta.url),
  files: [
    'canceled-by-signal-local-poll.json',
    'canceled-by-signal.json',
    'direct-result.json',
    'failed-at-submit.json',
    'failed-statement.json',
    'polled-to-completion-local-poll.json',
    'polled-to-completion.json',
    'workflow-cancelled.json',
  ],
  workflowId: (history, file) => {
    const events = history.events ?? [];
    assert.ok(events.length > 5, 'a real history');
    const scheduledPolls = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncQueryStatus',
    ).length;
    const localPolls = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    if (file.endsWith('-local-poll.json')) assert.ok(localPolls >= 2 && scheduledPolls === 0, 'polled locally');
    else assert.equal(localPolls, 0, 'recorded before local polls');
    return `replay-${file}`;
  },
});
