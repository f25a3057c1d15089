/**
 * Keeps a worker's shutdown short when an activity is stuck: an activity waiting on a warehouse
 * that has gone away sits in the driver's retries (up to 15 minutes by default) and does not
 * watch for cancellation, and the SDK waits for every running activity before it stops.
 */
import { CancelledFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** The message of the CancelledFailure the SDK gives running activities when the worker shuts down. */
const WORKER_SHUTDOWN = 'WORKER_SHUTDOWN';

/**
 * Once the worker shuts down, each running activity gets `graceMs` to end by itself (and clean
 * up if it watches its cancellation signal); then its attempt ends with the shutdown's
 * `CancelledFailure`, and the work it leaves running in this process is abandoned. Temporal
 * retries the attempt, as it does after a worker crash. Other cancellations are left to the
 * activity.
 */
export function leaveStuckActivitiesOnShutdown(graceMs: number): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      execute: (input, next) => {
        const running = next(input);
        return new Promise<unknown>((resolve, reject) => {
          let timer: NodeJS.Timeout | undefined;
          const signal = ctx.cancellationSignal;
          const onAbort = (): void => {
            const reason: unknown = signal.reason;
            if (reason instanceof CancelledFailure && reason.message === WORKER_SHUTDOWN) {
              timer = setTimeout(() => reject(reason), graceMs);
            }
          };
          signal.addEventListener('abort', onAbort, { once: true });
          void running.then(resolve, reject).finally(() => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
          });
        });
      },
    },
  });
}
