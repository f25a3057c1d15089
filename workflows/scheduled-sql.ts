/**
 * `scheduledSqlWorkflow`: what a schedule made by `createSqlSchedule` starts. It takes its slot
 * time (the time the schedule meant to start it) from the `TemporalScheduledStartTime` search
 * attribute, fills it into the result sink URLs (`reports/daily/{date}/`), and runs the query
 * or pipeline as a child workflow (`<this workflow's id>.query` / `.pipeline`). Each slot thus
 * writes to its own path, and a re-run of a slot overwrites only that slot.
 * Deterministic: the slot comes from workflow info, never from a clock.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { SqlQueryResult } from './messages.js';
import type { SqlPipelineInput, SqlPipelineResult } from './pipeline-messages.js';
import { fillSlotTemplates, findScheduledInputProblem, type ScheduledSqlInput } from './slot-template.js';
import { sqlPipelineWorkflow } from './sql-pipeline.js';
import { sqlQueryWorkflow } from './sql-query.js';

const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface ScheduledSqlResult {
  /** ISO 8601 slot time the paths were made from. */
  slot: string;
  /** Workflow id of the child that ran the query or pipeline. */
  workflowId: string;
  query?: SqlQueryResult;
  pipeline?: SqlPipelineResult;
}

export async function scheduledSqlWorkflow(input: ScheduledSqlInput): Promise<ScheduledSqlResult> {
  const problem = findScheduledInputProblem(input);
  if (problem) {
    throw ApplicationFailure.create({
      type: 'SqlInvalidInput',
      message: problem.message,
      nonRetryable: true,
      details: [problem],
    });
  }
  const info = workflowInfo();
  // Started by hand (not by a schedule): the slot is this run's start.
  const slot = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  const filled = fillSlotTemplates(input, slot);
  try {
    if (filled.query) {
      const workflowId = `${info.workflowId}.query`;
      const query = await executeChild(sqlQueryWorkflow, { workflowId, args: [filled.query] });
      return { slot: slot.toISOString(), workflowId, query };
    }
    const workflowId = `${info.workflowId}.pipeline`;
    const pipeline = await executeChild(sqlPipelineWorkflow, { workflowId, args: [filled.pipeline as SqlPipelineInput] });
    return { slot: slot.toISOString(), workflowId, pipeline };
  } catch (error) {
    // The child's own failure (type and details kept) is this run's failure.
    if (error instanceof ChildWorkflowFailure && error.cause instanceof ApplicationFailure) throw error.cause;
    throw error;
  }
}
