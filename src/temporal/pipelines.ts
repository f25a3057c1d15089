/**
 * Client helpers for `sqlPipelineWorkflow`: start (validated first), cancel, status, result.
 *
 * ```ts
 * const handle = await startSqlPipeline(client, { steps: [
 *   { name: 'watermark', statement: 'SELECT max(ts) AS max_ts FROM staging.events' },
 *   { name: 'load', dependsOn: ['watermark'], statement: 'INSERT INTO events SELECT * FROM staging.events WHERE ts > :since',
 *     params: { since: { fromStep: 'watermark', column: 'max_ts' } } },
 * ] });
 * const result = await getSqlPipelineResult(client, handle.workflowId); // every step's state, query id, rows
 * ```
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SQL_TASK_QUEUE } from '../../workflows/messages.js';
import {
  pipelineCancelSignal,
  pipelineStatusQuery,
  SqlPipelineFailureType,
  type SqlPipelineInput,
  type SqlPipelineResult,
  type SqlPipelineStatus,
} from '../../workflows/pipeline-messages.js';
import { findPipelineProblem, SqlPipelineInputError } from '../../workflows/pipeline-validation.js';
import { sqlPipelineWorkflow } from '../../workflows/sql-pipeline.js';

export interface StartSqlPipelineOptions {
  /** @default SQL_TASK_QUEUE */
  taskQueue?: string;
  /** @default 'pipeline-' + a random UUID. Steps run as `<workflowId>.<step name>`. */
  workflowId?: string;
}

export type SqlPipelineHandle = WorkflowHandle<typeof sqlPipelineWorkflow>;

/** Starts the pipeline; throws `SqlPipelineInputError` (naming the step and field) for an invalid one, starting nothing. */
export async function startSqlPipeline(
  client: Client,
  input: SqlPipelineInput,
  options: StartSqlPipelineOptions = {},
): Promise<SqlPipelineHandle> {
  const problem = findPipelineProblem(input, true);
  if (problem) throw new SqlPipelineInputError(problem);
  return client.workflow.start(sqlPipelineWorkflow, {
    taskQueue: options.taskQueue ?? SQL_TASK_QUEUE,
    workflowId: options.workflowId ?? `pipeline-${randomUUID()}`,
    args: [input],
  });
}

/** Cancels every running step (and its statement) and skips the rest; the pipeline ends CANCELED. */
export async function cancelSqlPipeline(client: Client, workflowId: string, reason?: string): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(pipelineCancelSignal, reason);
}

/** The pipeline's `status` query: each step's state (works on ended pipelines too, by replay). */
export async function getSqlPipelineStatus(client: Client, workflowId: string): Promise<SqlPipelineStatus> {
  return client.workflow.getHandle(workflowId).query(pipelineStatusQuery);
}

/**
 * Waits for the pipeline and returns its result, FAILED ones included (their step list comes
 * from the failure's details). Other failures (an invalid input, a cancelled workflow) throw
 * the client's `WorkflowFailedError`.
 */
export async function getSqlPipelineResult(client: Client, workflowId: string): Promise<SqlPipelineResult> {
  try {
    return await client.workflow.getHandle<typeof sqlPipelineWorkflow>(workflowId).result();
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === SqlPipelineFailureType.Failed && cause.details?.[0]) {
      return cause.details[0] as SqlPipelineResult;
    }
    throw error;
  }
}
