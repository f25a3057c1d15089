/**
 * submitQuery's guard against running a statement twice, against the local warehouse: its
 * history shows whether each case reached ExecuteStatement. Activities run in
 * MockActivityEnvironment, the SDK's real activity context.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createSqlActivities, WarehouseConnection } from '../../activities/index.js';
import { findFreePort } from '../../src/temporal/dev-server.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import type { SubmitQueryInput, SubmitQueryOutput } from '../../workflows/messages.js';
import { runActivity } from '../support/run-activity.js';

describe('submitQuery guard', () => {
  let warehouse: LocalWarehouse;
  let connection: WarehouseConnection;
  let statementNumber = 0;

  before(async () => {
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 0 });
    connection = new WarehouseConnection({
      serverHostname: warehouse.serverHostname,
      httpPath: warehouse.httpPath,
      accessToken: warehouse.accessToken,
    });
  });

  after(async () => {
    await connection?.close();
    await warehouse?.close();
  });

  /** A statement no other case runs, so the history shows this case's submits alone. */
  function input(extra: Partial<SubmitQueryInput> = {}): SubmitQueryInput {
    statementNumber += 1;
    return {
      statement: `SELECT ${statementNumber} AS case_number`,
      onAmbiguousSubmit: 'fail',
      inlineResultLimitBytes: 1024,
      ...extra,
    };
  }

  function submits(statement: string): number {
    return warehouse.history().filter((record) => record.statement === statement).length;
  }

  it('returns the handle heartbeated by an earlier attempt, without submitting again', async () => {
    const recorded: SubmitQueryOutput = { kind: 'handle', handle: 'a:b', queryId: 'a' };
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'submitted', output: recorded } });
    const request = input();
    const activities = createSqlActivities({ warehouse: connection });
    assert.deepEqual(await runActivity(env, activities.submitQuery, request), recorded);
    assert.equal(submits(request.statement), 0);
  });

  it('fails non-retryably, without submitting, when an earlier attempt may have reached the warehouse', async () => {
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'submitting' } });
    const request = input();
    const activities = createSqlActivities({ warehouse: connection });
    await assert.rejects(runActivity(env, activities.submitQuery, request), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'SqlSubmitAmbiguous');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /onAmbiguousSubmit: 'resubmit'/);
      return true;
    });
    assert.equal(submits(request.statement), 0);
  });

  it('submits again after an ambiguous attempt when the statement is declared idempotent', async () => {
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'submitting' } });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const request = input({ onAmbiguousSubmit: 'resubmit' });
    const activities = createSqlActivities({ warehouse: connection });
    const output = await runActivity(env, activities.submitQuery, request);
    assert.equal(output.kind, 'handle');
    assert.equal(submits(request.statement), 1, 'the statement ran once, on this attempt');
    assert.deepEqual(beats, [{ phase: 'submitting' }, { phase: 'submitted', output }]);
  });

  it('lets Temporal retry when the warehouse refuses the connection: nothing was sent', async () => {
    const env = new MockActivityEnvironment({ attempt: 1 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const activities = createSqlActivities({
      connect: {
        serverHostname: `http://127.0.0.1:${await findFreePort()}`,
        httpPath: warehouse.httpPath,
        accessToken: 'dapi-secret-token',
        retry: { maxAttempts: 1 },
      },
    });
    await assert.rejects(runActivity(env, activities.submitQuery, input()), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'RequestError');
      assert.equal(error.nonRetryable, false);
      assert.match(error.message, /ECONNREFUSED|refused/i);
      assert.doesNotMatch(error.message, /dapi-secret-token/);
      return true;
    });
    assert.deepEqual(beats, [], 'no submit checkpoint: a retry may submit');
  });
});
