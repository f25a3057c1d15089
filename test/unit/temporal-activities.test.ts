/**
 * Activity logic that needs no warehouse: the JSON row encoding and the classification of
 * failures (the submit guard: test/temporal/submit-guard.test.ts; the part writer:
 * sinks-part-writer.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toJsonValue } from '../../activities/index.js';
import { isConnectionBroken, provablyNotSubmitted, toActivityFailure } from '../../activities/failures.js';
import { SessionLostError } from '../../src/index.js';

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
