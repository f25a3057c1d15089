/** findPipelineProblem: every bad pipeline is refused up front, naming the step and the field. Pure logic. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SqlPipelineInput } from '../../workflows/pipeline-messages.js';
import { findPipelineProblem } from '../../workflows/pipeline-validation.js';

const problem = (input: unknown) => findPipelineProblem(input, true);

describe('pipeline validation', () => {
  it('accepts a valid pipeline with a reference to an indirect dependency', () => {
    const input: SqlPipelineInput = {
      maxParallel: 2,
      failurePolicy: 'continue',
      steps: [
        { name: 'w', statement: 'SELECT 1 AS v' },
        { name: 'x', dependsOn: ['w'], statement: 'SELECT 1', resultSink: { url: 's3://bucket-a/x' } },
        {
          name: 'y',
          dependsOn: ['x'],
          statement: 'SELECT :v',
          params: { v: { fromStep: 'w', column: 'v', row: 0, type: 'INT' } },
        },
      ],
    };
    assert.equal(problem(input), undefined);
  });

  const cases: Array<[string, unknown, { step?: string; field: string; message: string }]> = [
    ['no steps', { steps: [] }, { field: 'steps', message: 'steps must be a non-empty array of steps' }],
    [
      'a duplicate name',
      {
        steps: [
          { name: 'a', statement: 'SELECT 1' },
          { name: 'a', statement: 'SELECT 2' },
        ],
      },
      { step: 'a', field: 'steps[1].name', message: "step name 'a' is used twice (steps 0 and 1)" },
    ],
    [
      'an unknown dependency',
      { steps: [{ name: 'a', statement: 'SELECT 1', dependsOn: ['nope'] }] },
      { step: 'a', field: 'steps[0].dependsOn[0]', message: "step 'a' depends on unknown step 'nope'" },
    ],
    [
      'a step depending on itself',
      { steps: [{ name: 'a', statement: 'SELECT 1', dependsOn: ['a'] }] },
      { step: 'a', field: 'steps[0].dependsOn[0]', message: "step 'a' depends on itself" },
    ],
    [
      'a cycle',
      {
        steps: [
          { name: 'root', statement: 'SELECT 1' },
          { name: 'a', statement: 'SELECT 1', dependsOn: ['root', 'b'] },
          { name: 'b', statement: 'SELECT 1', dependsOn: ['a'] },
        ],
      },
      { step: 'a', field: 'steps[1].dependsOn', message: 'steps depend on each other in a cycle: a -> b -> a' },
    ],
    [
      'a bad step setting',
      { steps: [{ name: 'a', statement: 'SELECT 1', pollIntervalMs: 5 }] },
      {
        step: 'a',
        field: 'steps[0].pollIntervalMs',
        message: "step 'a': pollIntervalMs must be a number of milliseconds >= 100, got 5",
      },
    ],
    [
      'a misspelt step setting',
      { steps: [{ name: 'a', statement: 'SELECT 1', dependOn: [] }] },
      {
        step: 'a',
        field: 'steps[0].dependOn',
        message:
          "step 'a': dependOn is not a step setting (known: name, statement, params, dependsOn, returnRows, pollIntervalMs, pollBackoffFactor, maxPollIntervalMs, maxPollsPerRun, inlineResultLimitBytes, onAmbiguousSubmit, resultSink, maxActivityAttempts)",
      },
    ],
    [
      'an empty statement',
      { steps: [{ name: 'a', statement: ' ' }] },
      { step: 'a', field: 'steps[0].statement', message: `step 'a': statement must be a non-empty string of SQL, got " "` },
    ],
    [
      'a bad step name',
      { steps: [{ name: 'a b', statement: 'SELECT 1' }] },
      {
        field: 'steps[0].name',
        message: `steps[0].name must be 1-100 letters, digits, '_', '-' or '.' (not starting with '-' or '.'), got "a b"`,
      },
    ],
    [
      'a bad sink',
      { steps: [{ name: 'a', statement: 'SELECT 1', resultSink: { url: 's3://A/x' } }] },
      {
        step: 'a',
        field: 'steps[0].resultSink.url',
        message: `step 'a': resultSink.url names bucket "A", which is not a valid S3 bucket name`,
      },
    ],
    [
      'a reference to a step it does not depend on',
      {
        steps: [
          { name: 'a', statement: 'SELECT 1 AS v' },
          { name: 'b', statement: 'SELECT :v', params: { v: { fromStep: 'a', column: 'v' } } },
        ],
      },
      {
        step: 'b',
        field: 'steps[1].params.v.fromStep',
        message: "step 'b': params.v refers to step 'a', which it does not depend on (add it to dependsOn)",
      },
    ],
    [
      'a reference to an unknown step',
      { steps: [{ name: 'b', statement: 'SELECT ?', params: [{ fromStep: 'zz', column: 'v' }] }] },
      { step: 'b', field: 'steps[0].params[0].fromStep', message: "step 'b': params[0] refers to unknown step 'zz'" },
    ],
    [
      'a reference to a step writing to a sink',
      {
        steps: [
          { name: 'a', statement: 'SELECT 1 AS v', resultSink: { url: '/tmp/out' } },
          { name: 'b', dependsOn: ['a'], statement: 'SELECT :v', params: { v: { fromStep: 'a', column: 'v' } } },
        ],
      },
      {
        step: 'b',
        field: 'steps[1].params.v.fromStep',
        message:
          "step 'b': params.v refers to step 'a', which writes its result to a sink; a referenced step must return its rows inline",
      },
    ],
    [
      'a reference without a column',
      {
        steps: [
          { name: 'a', statement: 'SELECT 1' },
          { name: 'b', dependsOn: ['a'], statement: 'SELECT :v', params: { v: { fromStep: 'a' } } },
        ],
      },
      { step: 'b', field: 'steps[1].params.v.column', message: "step 'b': params.v.column must be a column name, got undefined" },
    ],
    [
      'maxParallel 0',
      { maxParallel: 0, steps: [{ name: 'a', statement: 'SELECT 1' }] },
      { field: 'maxParallel', message: 'maxParallel must be an integer from 1 to 100, got 0' },
    ],
    [
      'an unknown failure policy',
      { failurePolicy: 'retry', steps: [{ name: 'a', statement: 'SELECT 1' }] },
      { field: 'failurePolicy', message: `failurePolicy must be 'failFast' or 'continue', got "retry"` },
    ],
    [
      'a continuation from a caller',
      { continuation: { steps: [], runs: 1, startedAt: '' }, steps: [{ name: 'a', statement: 'SELECT 1' }] },
      { field: 'continuation', message: 'continuation is set by the workflow when it continues as new, not by callers' },
    ],
  ];
  for (const [what, input, expected] of cases) {
    it(`refuses ${what}`, () => {
      assert.deepEqual(problem(input), expected);
    });
  }
});
