/**
 * sqlPipelineWorkflow on a real Temporal dev server and local warehouse: dependency order,
 * parallel steps, parameters from an earlier step, fail-fast and continue, cancel,
 * continue-as-new, validation. Slow steps are held RUNNING by a StatementGate, never slow SQL.
 *
 * RECORD_PIPELINE_HISTORY=1 writes the 4-step pipeline's history to histories/ for replay.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { cancelSqlPipeline, getSqlPipelineResult, getSqlPipelineStatus, startSqlPipeline } from '../../src/temporal/pipelines.js';
import type { PipelineStepStatus, SqlPipelineInput, SqlPipelineStatus } from '../../workflows/pipeline-messages.js';
import { SqlPipelineInputError } from '../../workflows/pipeline-validation.js';
import { sqlPipelineWorkflow } from '../../workflows/sql-pipeline.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';

const HISTORIES = fileURLToPath(new URL('./histories/', import.meta.url));
const FAST = { pollIntervalMs: 100 };

describe('sqlPipelineWorkflow', () => {
  let env: TemporalTestEnv;
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 100, holdStatements: gate.hold });
  });
  after(async () => {
    await env?.close();
  });

  const step = (status: { steps: PipelineStepStatus[] }, name: string): PipelineStepStatus => {
    const found = status.steps.find((s) => s.name === name);
    assert.ok(found, `step ${name} is listed`);
    return found;
  };
  const waitForSteps = (workflowId: string, predicate: (s: SqlPipelineStatus) => boolean): Promise<SqlPipelineStatus> => {
    let last: SqlPipelineStatus | undefined;
    return waitFor('pipeline steps', async () => {
      last = await getSqlPipelineStatus(env.client, workflowId);
      return predicate(last) && last;
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last?.steps.map((s) => [s.name, s.state]))}`);
    });
  };
  /** With RECORD_PIPELINE_HISTORY set, keeps the pipeline's history for replay.test.ts. */
  const record = async (name: string, workflowId: string): Promise<void> => {
    if (!process.env.RECORD_PIPELINE_HISTORY) return;
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    await writeFile(`${HISTORIES}${name}.json`, `${JSON.stringify(history, null, 1)}\n`);
  };
  const stateOf = (s: SqlPipelineStatus, name: string): string => step(s, name).state;
  const warehouseRecord = (queryId: string | undefined) => env.warehouse.history().find((r) => r.queryId === queryId);

  it('runs 4 steps in dependency order: a parallel pair, and step 3 takes a parameter from step 1', async () => {
    const worker = await env.newWorker();
    const tag = `stage-${randomUUID()}`;
    const input: SqlPipelineInput = {
      steps: [
        {
          name: 'watermark',
          statement: "SELECT CAST(41 AS BIGINT) + 1 AS max_id, TIMESTAMP '2026-11-28 10:00:00' AS max_ts",
          ...FAST,
        },
        { name: 'stage', dependsOn: ['watermark'], statement: heldSql(tag), ...FAST },
        {
          name: 'transform',
          dependsOn: ['watermark'],
          statement: 'SELECT :since + 1 AS next_id, :ts AS ts',
          params: { since: { fromStep: 'watermark', column: 'max_id' }, ts: { fromStep: 'watermark', column: 'max_ts' } },
          returnRows: true,
          ...FAST,
        },
        {
          name: 'publish',
          dependsOn: ['stage', 'transform'],
          statement: "SELECT 'published' AS done",
          returnRows: true,
          ...FAST,
        },
      ],
    };
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(env.client, input, { taskQueue: worker.taskQueue, workflowId });
      // transform ran to its end while stage was still running: the pair runs in parallel.
      const midway = await waitForSteps(
        workflowId,
        (s) => stateOf(s, 'transform') === 'FINISHED' && stateOf(s, 'stage') === 'RUNNING',
      );
      assert.equal(stateOf(midway, 'publish'), 'PENDING', 'publish waits for both');
      await gate.release(tag);
      return getSqlPipelineResult(env.client, workflowId);
    });
    assert.equal(result.state, 'FINISHED');
    assert.deepEqual(
      result.steps.map((s) => [s.name, s.state]),
      [
        ['watermark', 'FINISHED'],
        ['stage', 'FINISHED'],
        ['transform', 'FINISHED'],
        ['publish', 'FINISHED'],
      ],
    );
    assert.deepEqual(step(result, 'transform').rows, [{ next_id: '43', ts: '2026-11-28T10:00:00.000Z' }]);
    assert.deepEqual(step(result, 'publish').rows, [{ done: 'published' }]);
    assert.equal(step(result, 'stage').rows, undefined, 'rows of unreferenced steps stay out of the result');
    for (const s of result.steps) {
      assert.equal(s.workflowId, `${workflowId}.${s.name}`);
      assert.equal(s.rowCount, 1);
      assert.ok(warehouseRecord(s.queryId), `the warehouse ran ${s.name}'s statement`);
      assert.ok(s.startedAt && s.endedAt && s.durationMs !== undefined && s.durationMs >= 0, `${s.name} has timings`);
    }
    // publish started only once both of its dependencies had ended.
    const endOf = (name: string) => Date.parse(step(result, name).endedAt!);
    assert.ok(Date.parse(step(result, 'publish').startedAt!) >= Math.max(endOf('stage'), endOf('transform')));
    // Each step is a workflow of its own, visible by its id.
    const child = await env.client.workflow.getHandle(`${workflowId}.transform`).describe();
    assert.equal(child.type, 'sqlQueryWorkflow');
    await record('four-steps', workflowId);
  });

  it('fail-fast: a failing step cancels its running sibling (statement CANCELED on the warehouse) and skips the rest', async () => {
    const worker = await env.newWorker();
    const tag = `sibling-${randomUUID()}`;
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(
        env.client,
        {
          steps: [
            { name: 'slow', statement: heldSql(tag), ...FAST },
            { name: 'broken', statement: 'SELECT missing_column FROM RANGE(1)', ...FAST },
            { name: 'after-slow', dependsOn: ['slow'], statement: 'SELECT 1 AS one', ...FAST },
          ],
        },
        { taskQueue: worker.taskQueue, workflowId },
      );
      return getSqlPipelineResult(env.client, workflowId);
    });
    assert.equal(result.state, 'FAILED');
    const broken = step(result, 'broken');
    assert.equal(broken.state, 'FAILED');
    assert.equal(broken.error?.type, 'SqlStatementFailed');
    assert.match(broken.error?.message ?? '', /missing_column/);
    assert.ok(broken.error?.sqlState, 'the warehouse SQLSTATE is kept');
    assert.equal(
      warehouseRecord(broken.queryId)?.statement,
      'SELECT missing_column FROM RANGE(1)',
      "the failed step's query id names its statement in the warehouse history",
    );
    const slow = step(result, 'slow');
    assert.equal(slow.state, 'CANCELED');
    assert.equal(slow.reason, "step 'broken' failed");
    assert.equal(warehouseRecord(slow.queryId)?.state, 'CANCELED', 'the running statement was cancelled on the warehouse');
    assert.equal(step(result, 'after-slow').state, 'SKIPPED');
    await record('fail-fast', workflowId);
    // The workflow itself failed, naming the step.
    await assert.rejects(env.client.workflow.getHandle(workflowId).result(), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure);
      assert.equal(error.cause.type, 'SqlPipelineFailed');
      assert.match(error.cause.message, /step 'broken' failed/);
      return true;
    });
  });

  it('continue: the independent branch finishes, dependents of the failed step are skipped', async () => {
    const worker = await env.newWorker();
    const tag = `branch-${randomUUID()}`;
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(
        env.client,
        {
          failurePolicy: 'continue',
          steps: [
            { name: 'broken', statement: 'SELECT * FROM no_such_table', ...FAST },
            { name: 'needs-broken', dependsOn: ['broken'], statement: 'SELECT 1 AS one', ...FAST },
            { name: 'then-that', dependsOn: ['needs-broken'], statement: 'SELECT 1 AS one', ...FAST },
            { name: 'branch', statement: heldSql(tag), ...FAST },
            { name: 'after-branch', dependsOn: ['branch'], statement: 'SELECT 2 AS two', returnRows: true, ...FAST },
          ],
        },
        { taskQueue: worker.taskQueue, workflowId },
      );
      // The branch is still running after the failure, and is let go on only then.
      await waitForSteps(workflowId, (s) => stateOf(s, 'broken') === 'FAILED' && stateOf(s, 'branch') === 'RUNNING');
      await gate.release(tag);
      return getSqlPipelineResult(env.client, workflowId);
    });
    assert.equal(result.state, 'FAILED');
    assert.deepEqual(
      result.steps.map((s) => [s.name, s.state]),
      [
        ['broken', 'FAILED'],
        ['needs-broken', 'SKIPPED'],
        ['then-that', 'SKIPPED'],
        ['branch', 'FINISHED'],
        ['after-branch', 'FINISHED'],
      ],
    );
    assert.equal(step(result, 'needs-broken').reason, "step 'broken' failed");
    assert.equal(step(result, 'then-that').reason, "step 'needs-broken' skipped");
    assert.deepEqual(step(result, 'after-branch').rows, [{ two: 2 }]);
    await record('continue-on-failure', workflowId);
    assert.equal(warehouseRecord(step(result, 'branch').queryId)?.state, 'CLOSED');
  });

  it('the cancel signal cancels every running step on the warehouse and skips the rest', async () => {
    const worker = await env.newWorker();
    const tags = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(
        env.client,
        {
          steps: [
            { name: 'a', statement: heldSql(tags[0]!), ...FAST },
            { name: 'b', statement: heldSql(tags[1]!), ...FAST },
            { name: 'c', dependsOn: ['a', 'b'], statement: 'SELECT 1 AS one', ...FAST },
          ],
        },
        { taskQueue: worker.taskQueue, workflowId },
      );
      await waitFor('both statements running on the warehouse', () =>
        tags.every((tag) => env.warehouse.history().some((r) => r.statement === heldSql(tag) && r.state === 'RUNNING')),
      );
      await cancelSqlPipeline(env.client, workflowId, 'test');
      const outcome = await getSqlPipelineResult(env.client, workflowId);
      assert.equal((await getSqlPipelineStatus(env.client, workflowId)).state, 'CANCELED');
      return outcome;
    });
    assert.equal(result.state, 'CANCELED');
    for (const name of ['a', 'b']) {
      const s = step(result, name);
      assert.equal(s.state, 'CANCELED');
      assert.equal(warehouseRecord(s.queryId)?.state, 'CANCELED', `${name}'s statement was cancelled on the warehouse`);
    }
    assert.equal(step(result, 'c').state, 'SKIPPED');
    assert.equal(step(result, 'c').reason, 'the pipeline was canceled: test');
    await record('canceled-by-signal', workflowId);
  });

  it('a step cancelled from outside (its own workflow) keeps its query id; its running query id shows in status', async () => {
    const worker = await env.newWorker();
    const tag = `outside-${randomUUID()}`;
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(
        env.client,
        {
          steps: [
            { name: 'slow', statement: heldSql(tag), ...FAST },
            { name: 'after', dependsOn: ['slow'], statement: 'SELECT 1 AS one', ...FAST },
          ],
        },
        { taskQueue: worker.taskQueue, workflowId },
      );
      const running = await waitForSteps(workflowId, (s) => stateOf(s, 'slow') === 'RUNNING' && Boolean(step(s, 'slow').queryId));
      assert.equal(warehouseRecord(step(running, 'slow').queryId)?.statement, heldSql(tag));
      // Cancelled through Temporal (Web UI, `temporal workflow cancel`), not by the pipeline.
      await env.client.workflow.getHandle(`${workflowId}.slow`).cancel();
      return getSqlPipelineResult(env.client, workflowId);
    });
    const slow = step(result, 'slow');
    assert.equal(slow.state, 'CANCELED');
    assert.equal(slow.reason, 'the step workflow was cancelled from outside the pipeline');
    assert.equal(warehouseRecord(slow.queryId)?.statement, heldSql(tag));
    assert.equal(warehouseRecord(slow.queryId)?.state, 'CANCELED', 'its statement was cancelled on the warehouse');
    assert.equal(step(result, 'after').state, 'SKIPPED');
  });

  it('continues as new between steps, keeping every step state and referenced rows', async () => {
    const worker = await env.newWorker();
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(
        env.client,
        {
          maxStepsPerRun: 1,
          steps: [
            { name: 'first', statement: 'SELECT 7 AS seven', ...FAST },
            { name: 'second', dependsOn: ['first'], statement: 'SELECT 1 AS one', ...FAST },
            {
              name: 'third',
              dependsOn: ['second'],
              statement: 'SELECT :n * 6 AS answer',
              params: { n: { fromStep: 'first', column: 'seven' } },
              returnRows: true,
              ...FAST,
            },
          ],
        },
        { taskQueue: worker.taskQueue, workflowId },
      );
      return getSqlPipelineResult(env.client, workflowId);
    });
    assert.equal(result.state, 'FINISHED');
    assert.equal(result.runs, 3, 'one run per step');
    assert.deepEqual(step(result, 'third').rows, [{ answer: 42 }]);
    assert.ok(result.steps.every((s) => s.state === 'FINISHED' && s.queryId));
  });

  it('a reference to a column the earlier step does not return fails that step, naming it', async () => {
    const worker = await env.newWorker();
    const workflowId = `pipeline-${randomUUID()}`;
    const result = await worker.runUntil(async () => {
      await startSqlPipeline(
        env.client,
        {
          steps: [
            { name: 'first', statement: 'SELECT 1 AS one', ...FAST },
            {
              name: 'second',
              dependsOn: ['first'],
              statement: 'SELECT :x AS x',
              params: { x: { fromStep: 'first', column: 'two' } },
            },
          ],
        },
        { taskQueue: worker.taskQueue, workflowId },
      );
      return getSqlPipelineResult(env.client, workflowId);
    });
    const second = step(result, 'second');
    assert.equal(second.state, 'FAILED');
    assert.equal(second.error?.type, 'SqlPipelineReferenceInvalid');
    assert.equal(
      second.error?.message,
      "step 'second': params.x refers to step 'first', column 'two', which its result does not have (columns: one)",
    );
    assert.equal(second.queryId, undefined, 'nothing was submitted for it');
  });

  it('an invalid pipeline fails before any step runs, naming the step and field; the helper starts nothing', async () => {
    const worker = await env.newWorker();
    const cyclic: SqlPipelineInput = {
      steps: [
        { name: 'a', dependsOn: ['c'], statement: `SELECT 'never-${randomUUID()}' AS x` },
        { name: 'b', dependsOn: ['a'], statement: 'SELECT 1' },
        { name: 'c', dependsOn: ['b'], statement: 'SELECT 1' },
      ],
    };
    await assert.rejects(
      startSqlPipeline(env.client, cyclic, { taskQueue: worker.taskQueue }),
      (error: unknown) =>
        error instanceof SqlPipelineInputError &&
        error.step === 'a' &&
        error.field === 'steps[0].dependsOn' &&
        error.message === 'steps depend on each other in a cycle: a -> c -> b -> a',
    );
    // Started by another client, bypassing the helper: the workflow refuses it itself.
    const handle = await env.client.workflow.start(sqlPipelineWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `pipeline-${randomUUID()}`,
      args: [cyclic],
    });
    await worker.runUntil(
      assert.rejects(handle.result(), (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure);
        assert.equal(error.cause.type, 'SqlPipelineInvalidInput');
        assert.deepEqual(error.cause.details?.[0], {
          step: 'a',
          field: 'steps[0].dependsOn',
          message: 'steps depend on each other in a cycle: a -> c -> b -> a',
        });
        return true;
      }),
    );
    assert.ok(!env.warehouse.history().some((r) => r.statement === cyclic.steps[0]!.statement), 'no step ran');
    const history = await handle.fetchHistory();
    assert.ok(!history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes), 'no child was started');
  });
});
