/**
 * The user-facing status of an asynchronous query and its mapping from the server's
 * operation state (the reference implementation's table, docs/protocol.md).
 */
import { TOperationState } from '../thrift/index.js';

/** Last known status of a query run. */
export enum AsyncExecutionStatus {
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
  CANCELED = 'CANCELED',
  /** Failed, closed, timed out or unknown to the server; `AsyncExecution.error` says why when known. */
  ABORTED = 'ABORTED',
}

/** Maps a Thrift operation state to the user-facing status. */
export function statusFromOperationState(state: TOperationState | undefined): AsyncExecutionStatus {
  switch (state) {
    case TOperationState.INITIALIZED_STATE:
    case TOperationState.PENDING_STATE:
    case TOperationState.RUNNING_STATE:
      return AsyncExecutionStatus.RUNNING;
    case TOperationState.FINISHED_STATE:
      return AsyncExecutionStatus.FINISHED;
    case TOperationState.CANCELED_STATE:
      return AsyncExecutionStatus.CANCELED;
    default:
      // CLOSED, ERROR, UKNOWN, TIMEDOUT, and anything newer than this driver.
      return AsyncExecutionStatus.ABORTED;
  }
}

/** The server's name of a state, for messages ('ERROR_STATE' -> 'ERROR'). */
export function operationStateName(state: TOperationState | undefined): string {
  if (state === undefined) return 'UNKNOWN';
  const entry = Object.entries(TOperationState).find(([, value]) => value === state);
  return entry ? entry[0].replace(/_STATE$/, '') : `state ${state}`;
}
