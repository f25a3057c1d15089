/**
 * Tells the workflow that an activity attempt failed and Temporal will retry it, so the
 * workflow's `status` query can show the trouble (warehouse down, session lost) while it
 * lasts. Best effort: a report that cannot be sent changes nothing else.
 */
import { activityInfo, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { activityFailedSignal, type ActivityFailedReport } from '../workflows/messages.js';

/** The longest a report may delay the failing attempt. @format milliseconds */
const REPORT_TIMEOUT_MS = 5_000;

type Activity = (input: never) => Promise<unknown>;

/** The same activities; each reports its retryable failures to the workflow before throwing them on. */
export function reportingRetries<A extends Record<string, Activity>>(activities: A): A {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    async (input: never) => {
      try {
        return await activity(input);
      } catch (error) {
        if (error instanceof ApplicationFailure && !error.nonRetryable) await report(error);
        throw error;
      }
    },
  ]);
  return Object.fromEntries(wrapped) as A;
}

async function report(failure: ApplicationFailure): Promise<void> {
  const info = activityInfo();
  if (!info.workflowExecution) return;
  const message: ActivityFailedReport = {
    activity: info.activityType,
    attempt: info.attempt,
    type: failure.type ?? 'Error',
    message: failure.message,
    failedAt: new Date().toISOString(),
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    // Context.client throws when the worker was made without a Temporal client.
    const { workflowId, runId } = info.workflowExecution;
    const sent = Context.current().client.workflow.getHandle(workflowId, runId).signal(activityFailedSignal, message);
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, REPORT_TIMEOUT_MS);
    });
    await Promise.race([sent, timeout]);
  } catch {
    // The workflow may have ended, or Temporal be unreachable: the retry goes on either way.
  } finally {
    clearTimeout(timer);
  }
}
