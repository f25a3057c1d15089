/**
 * Bad workflow input fails at once with a failure naming the field: in `startSqlQuery` before
 * anything is started, and in the workflow before any activity for inputs from other clients.
 * And `temporal-dbsql result` on a failed or cancelled workflow prints one line, exit non-zero.
 * Real Temporal dev server, real local warehouse, the real CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startSqlQuery } from '../../src/temporal/client.js';
import { SqlQueryInputError } from '../../src/temporal/index.js';
import { sqlQueryWorkflow } from '../../workflows/sql-query.js';
import type { SqlQueryInput } from '../../workflows/messages.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { fetchAllRunHistories, startTemporalTestEnv, waitForStatus, type TemporalTestEnv } from '../support/temporal-env.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Inputs the types allow or a JS caller can pass, each with the field its error must name. */
const BAD_INPUTS: Array<{ what: string; input: unknown; field: string }> = [
  { what: 'pollIntervalMs -5', input: { statement: 'SELECT 1', pollIntervalMs: -5 }, field: 'pollIntervalMs' },
  { what: 'pollIntervalMs 0', input: { statement: 'SELECT 1', pollIntervalMs: 0 }, field: 'pollIntervalMs' },
  { what: 'pollBackoffFactor 0', input: { statement: 'SELECT 1', pollBackoffFactor: 0 }, field: 'pollBackoffFactor' },
  { what: 'maxPollsPerRun 0.5', input: { statement: 'SELECT 1', maxPollsPerRun: 0.5 }, field: 'maxPollsPerRun' },
  { what: 'maxActivityAttempts 0', input: { statement: 'SELECT 1', maxActivityAttempts: 0 }, field: 'maxActivityAttempts' },
  { what: 'statement 42', input: { statement: 42 }, field: 'statement' },
  { what: 'empty statement', input: { statement: '  ' }, field: 'statement' },
  { what: 'a bigint parameter', input: { statement: 'SELECT :n', params: { n: 5n } }, field: 'params.n' },
  { what: 'a function parameter', input: { statement: 'SELECT :f', params: { f: () => 1 } }, field: 'params.f' },
  { what: 'an undefined parameter', input: { statement: 'SELECT :u', params: { u: undefined } }, field: 'params.u' },
  { what: 'an undefined positional', input: { statement: 'SELECT ?, ?', params: [1, undefined] }, field: 'params[1]' },
  {
    what: 'an object as a typed value',
    input: { statement: 'SELECT :n', params: { n: { type: 'INT', value: { x: 1 } } } },
    field: 'params.n.value',
  },
  { what: 'a Date parameter', input: { statement: 'SELECT :d', params: { d: new Date(0) } }, field: 'params.d' },
  { what: 'a NaN parameter', input: { statement: 'SELECT :x', params: { x: NaN } }, field: 'params.x' },
  {
    what: 'a bad type name',
    input: { statement: 'SELECT :x', params: { x: { type: 'INT); DROP', value: 1 } } },
    field: 'params.x.type',
  },
  { what: 'an unknown policy', input: { statement: 'SELECT 1', onAmbiguousSubmit: 'maybe' }, field: 'onAmbiguousSubmit' },
];

/** Of those, the ones JSON carries unchanged, so another client can start the workflow with them. */
const JSON_BAD_INPUTS = BAD_INPUTS.filter((c) => !/bigint|function|undefined|Date|NaN/.test(c.what));

describe('input validation', () => {
  let env: TemporalTestEnv;
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 200, holdStatements: new StatementGate().hold });
  });
  after(async () => {
    await env?.close();
  });

  for (const { what, input, field } of BAD_INPUTS) {
    it(`startSqlQuery refuses ${what}, naming ${field}, and starts nothing`, async () => {
      const workflowId = `bad-${field}-${Date.now()}`;
      await assert.rejects(startSqlQuery(env.client, input as SqlQueryInput, { workflowId }), (error: unknown) => {
        assert.ok(error instanceof SqlQueryInputError, String(error));
        assert.equal(error.field, field);
        assert.ok(error.message.includes(field.split('.')[0]!), error.message);
        return true;
      });
      await assert.rejects(env.client.workflow.getHandle(workflowId).describe(), /not found/i);
    });
  }

  it('runs typed BIGINT and TIMESTAMP parameters exactly', async () => {
    const worker = await env.newWorker();
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        {
          statement: 'SELECT :n + 1 AS n, :t AS t',
          params: { n: { type: 'BIGINT', value: '9007199254740993' }, t: { type: 'TIMESTAMP', value: '2024-01-01T00:00:00Z' } },
          pollIntervalMs: 100,
        },
        { taskQueue: worker.taskQueue },
      );
      return handle.result();
    });
    assert.deepEqual(result.rows, [{ n: '9007199254740994', t: '2024-01-01T00:00:00.000Z' }]);
  });

  for (const { what, input, field } of JSON_BAD_INPUTS) {
    it(`the workflow itself fails on ${what} before any activity, non-retryable, naming ${field}`, async () => {
      const worker = await env.newWorker();
      const workflowId = `raw-bad-${field}-${Date.now()}`;
      const failure = await worker.runUntil(async () => {
        // Another client: Temporal's own start call, no helper-side check.
        const handle = await env.client.workflow.start(sqlQueryWorkflow, {
          taskQueue: worker.taskQueue,
          workflowId,
          args: [input as SqlQueryInput],
        });
        return handle.result().then(
          () => assert.fail('the workflow should have failed'),
          (error: unknown) => error,
        );
      });
      assert.ok(failure instanceof WorkflowFailedError, String(failure));
      const cause = failure.cause;
      assert.ok(cause instanceof ApplicationFailure, String(cause));
      assert.equal(cause.type, 'SqlInvalidInput');
      assert.equal(cause.nonRetryable, true);
      assert.equal((cause.details?.[0] as { field: string }).field, field);
      assert.ok(cause.message.includes(field.split('.')[0]!), cause.message);
      const [history] = await fetchAllRunHistories(env.client, workflowId);
      const scheduled = history!.events!.filter((e) => e.activityTaskScheduledEventAttributes);
      assert.equal(scheduled.length, 0, 'no activity was scheduled');
    });
  }

  it('temporal-dbsql result prints one line and exits 1 for a failed workflow', async () => {
    const worker = await env.newWorker();
    const workflowId = `cli-failed-${Date.now()}`;
    await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        { statement: 'SELECT * FROM no_such_table' },
        {
          taskQueue: worker.taskQueue,
          workflowId,
        },
      );
      await handle.result().catch(() => undefined);
    });
    const { code, stdout, stderr } = await cli(['result', workflowId]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('['));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, new RegExp(`workflow ${workflowId} failed: .*no_such_table`));
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('temporal-dbsql result prints one line and exits 3 for a workflow cancelled through Temporal', async () => {
    const worker = await env.newWorker();
    const workflowId = `cli-cancelled-${Date.now()}`;
    await worker.runUntil(async () => {
      const sql = heldSql('cli-cancelled'); // RUNNING until cancelled: never released
      const handle = await startSqlQuery(
        env.client,
        { statement: sql, pollIntervalMs: 200 },
        {
          taskQueue: worker.taskQueue,
          workflowId,
        },
      );
      await waitForStatus(handle, (s) => s.state === 'RUNNING');
      await handle.cancel();
      await handle.result().catch(() => undefined);
    });
    const { code, stdout, stderr } = await cli(['result', workflowId]);
    assert.equal(code, 3);
    assert.equal(stdout, '');
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('['));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, new RegExp(`workflow ${workflowId} was cancelled`));
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('temporal-dbsql run refuses a bad --poll-interval before starting anything', async () => {
    const { code, stderr } = await cli(['run', 'SELECT 1', '--poll-interval', '0']);
    assert.equal(code, 2);
    assert.match(stderr, /--poll-interval/);
  });

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', MAIN, ...args],
        { env: { ...process.env, TEMPORAL_ADDRESS: env.address }, timeout: 120_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }
});
