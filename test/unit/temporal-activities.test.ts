/**
 * Activity logic that needs no warehouse: the submit guard against running a statement
 * twice (heartbeat checkpoints) and the JSON row encoding (the part writer: sinks-part-writer.test.ts).
 * Activities run in MockActivityEnvironment, the SDK's real activity context.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createSqlActivities, toJsonValue } from '../../activities/index.js';
import { isConnectionBroken, provablyNotSubmitted, toActivityFailure } from '../../activities/failures.js';
import { SessionLostError } from '../../src/index.js';
import { findFreePort } from '../../src/temporal/dev-server.js';
import type { SubmitQueryInput, SubmitQueryOutput } from '../../workflows/messages.js';

const INPUT: SubmitQueryInput = {
  statement: 'SELECT 1',
  onAmbiguousSubmit: 'fail',
  inlineResultLimitBytes: 1024,
};

/** Activities pointed at a port nobody listens on: connecting is refused. */
async function activitiesOnClosedPort() {
  const port = await findFreePort();
  return createSqlActivities({
    connect: {
      serverHostname: `http://127.0.0.1:${port}`,
      httpPath: '/sql',
      accessToken: 'dapi-secret-token',
      retry: { maxAttempts: 1 },
    },
  });
}

describe('submitQuery guard', () => {
  it('returns the handle heartbeated by an earlier attempt instead of submitting again', async () => {
    const recorded: SubmitQueryOutput = { kind: 'handle', handle: 'a:b', queryId: 'a' };
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'submitted', output: recorded } });
    const activities = await activitiesOnClosedPort(); // any network call would fail
    assert.deepEqual(await env.run(activities.submitQuery, INPUT), recorded);
  });

  it('fails non-retryably when an earlier attempt may have reached the warehouse', async () => {
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'submitting' } });
    const activities = await activitiesOnClosedPort();
    await assert.rejects(env.run(activities.submitQuery, INPUT), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'SqlSubmitAmbiguous');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /onAmbiguousSubmit: 'resubmit'/);
      return true;
    });
  });

  it('lets Temporal retry when the warehouse refuses the connection (nothing was sent)', async () => {
    const env = new MockActivityEnvironment({ attempt: 1 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const activities = await activitiesOnClosedPort();
    await assert.rejects(env.run(activities.submitQuery, INPUT), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.nonRetryable, false);
      assert.doesNotMatch(error.message, /dapi-secret-token/);
      return true;
    });
    assert.deepEqual(beats, [], 'no submit checkpoint: a retry may submit');
  });

  it('submits again after an ambiguous attempt when the statement is declared idempotent', async () => {
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'submitting' } });
    const activities = await activitiesOnClosedPort();
    // It goes on to connect (refused here) instead of failing as ambiguous.
    await assert.rejects(
      env.run(activities.submitQuery, { ...INPUT, onAmbiguousSubmit: 'resubmit' as const }),
      (error: unknown) => error instanceof ApplicationFailure && error.type !== 'SqlSubmitAmbiguous' && !error.nonRetryable,
    );
  });
});

describe('JSON row encoding', () => {
  it('encodes every driver value type by one documented rule', () => {
    const encoded = toJsonValue({
      big: 9007199254740993n,
      small: 1n,
      buf: Buffer.from('hi'),
      ts: new Date('2024-01-02T03:04:05.123Z'),
      map: new Map<unknown, unknown>([
        [1, 'a'],
        ['k', [1n]],
      ]),
      nan: Number.NaN,
      inf: -Infinity,
      nested: { list: [true, null, 2.5] },
    });
    assert.deepEqual(encoded, {
      big: '9007199254740993',
      small: '1',
      buf: 'aGk=',
      ts: '2024-01-02T03:04:05.123Z',
      map: [
        { key: 1, value: 'a' },
        { key: 'k', value: ['1'] },
      ],
      nan: 'NaN',
      inf: '-Infinity',
      nested: { list: [true, null, 2.5] },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(encoded)), encoded, 'survives a JSON round trip');
  });
});

describe('failure classification of a lost session', () => {
  it('is the retryable SqlSessionLost, never SqlStatementFailed; a refused submit counts as not submitted', () => {
    const refusedSubmit = new SessionLostError('ExecuteStatement: the server no longer knows this session', {
      call: 'ExecuteStatement',
    });
    const failure = toActivityFailure(refusedSubmit);
    assert.equal(failure.type, 'SqlSessionLost');
    assert.equal(failure.nonRetryable, false);
    assert.equal(provablyNotSubmitted(refusedSubmit), true);
    assert.equal(isConnectionBroken(refusedSubmit), true);

    const lostPoll = new SessionLostError('GetOperationStatus: gone', { call: 'GetOperationStatus', queryId: 'q' });
    assert.equal(toActivityFailure(lostPoll).type, 'SqlSessionLost');
    assert.equal(provablyNotSubmitted(lostPoll), false);
  });
});
