import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { bindParametersClientSide } from '../../src/params/client-side-binder.js';
import { toSparkParameters } from '../../src/params/native.js';
import { normalizeParam } from '../../src/params/values.js';

describe('parameter typing', () => {
  it('types JS values as Spark SQL types with their text', () => {
    assert.deepEqual(normalizeParam('foo', ':p'), { type: 'STRING', text: 'foo' });
    assert.deepEqual(normalizeParam(42, ':p'), { type: 'INT', text: '42' });
    assert.deepEqual(normalizeParam(5_000_000_000, ':p'), { type: 'BIGINT', text: '5000000000' });
    assert.deepEqual(normalizeParam(1.5, ':p'), { type: 'DOUBLE', text: '1.5' });
    assert.deepEqual(normalizeParam(2n ** 63n - 1n, ':p'), { type: 'BIGINT', text: '9223372036854775807' });
    assert.deepEqual(normalizeParam(true, ':p'), { type: 'BOOLEAN', text: 'true' });
    assert.deepEqual(normalizeParam(new Date(Date.UTC(2024, 1, 29, 12, 30, 0, 123)), ':p'), {
      type: 'TIMESTAMP',
      text: '2024-02-29T12:30:00.123Z',
    });
    assert.deepEqual(normalizeParam(Buffer.from('hé'), ':p'), { type: 'BINARY', text: 'hé', bytes: Buffer.from('hé') });
    assert.deepEqual(normalizeParam(null, ':p'), { type: 'VOID', text: undefined });
    assert.deepEqual(normalizeParam({ type: 'decimal(10,2)', value: '12.30' }, ':p'), { type: 'DECIMAL(10,2)', text: '12.30' });
    assert.deepEqual(normalizeParam({ type: 'DATE', value: null }, ':p'), { type: 'DATE', text: undefined });
  });

  it('rejects unsupported values and type names that could inject SQL, naming the parameter', () => {
    assert.throws(
      () => normalizeParam({ foo: 1 } as never, ':weird'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, ':weird');
        return true;
      },
    );
    assert.throws(() => normalizeParam({ type: 'INT) ; DROP TABLE t; --', value: 1 }, ':t'), /invalid SQL type name/);
    assert.throws(() => normalizeParam(new Date(Number.NaN), '?1'), /\?1 is an invalid Date/);
  });

  it('builds native Spark parameters: named by name, positional by 1-based ordinal, NULL without value', () => {
    const named = toSparkParameters({ param: 'foo', n: null });
    assert.equal(named[0]?.name, 'param');
    assert.equal(named[0]?.type, 'STRING');
    assert.equal(named[0]?.value?.stringValue, 'foo');
    assert.equal(named[1]?.type, 'VOID');
    assert.equal(named[1]?.value ?? undefined, undefined);
    assert.throws(() => toSparkParameters({ raw: Buffer.from([0xff, 0x00]) }), /:raw is a Buffer that is not valid UTF-8/);
    const positional = toSparkParameters([1, 'x']);
    assert.deepEqual(
      positional.map((p) => [p.ordinal, p.type, p.value?.stringValue]),
      [
        [1, 'INT', '1'],
        [2, 'STRING', 'x'],
      ],
    );
  });
});

describe('client-side binding', () => {
  it('replaces named parameters with escaped literals', () => {
    const sql = bindParametersClientSide('SELECT :param `p`, :n AS n, :b, :d', {
      param: "it's a \\ test",
      n: 5_000_000_000,
      b: Buffer.from([0x68, 0xff]),
      d: { type: 'DATE', value: '2024-01-02' },
    });
    assert.equal(sql, "SELECT 'it\\'s a \\\\ test' `p`, CAST(5000000000 AS BIGINT) AS n, X'68ff', CAST('2024-01-02' AS DATE)");
  });

  it('writes ARRAY, MAP and STRUCT parameters as typed literals', () => {
    const sql = bindParametersClientSide('SELECT :a, :m, :s', {
      a: ['x', null],
      m: { type: 'MAP<STRING, INT>', value: { k: 1 } },
      s: { type: 'STRUCT<id: BIGINT, tags: ARRAY<STRING>>', value: { id: 7n, tags: [] } },
    });
    assert.equal(
      sql,
      "SELECT CAST(array('x', CAST(NULL AS STRING)) AS ARRAY<STRING>), CAST(map('k', 1) AS MAP<STRING,INT>), " +
        "CAST(named_struct('id', CAST(7 AS BIGINT), 'tags', CAST(array() AS ARRAY<STRING>)) AS STRUCT<id:BIGINT,tags:ARRAY<STRING>>)",
    );
  });

  it('sends ARRAY and MAP parameters as the Python connector does: typed arguments', () => {
    const [a, m] = toSparkParameters({ a: [1, null], m: { type: 'MAP<STRING, ARRAY<INT>>', value: new Map([['k', [2]]]) } });
    assert.equal(a?.type, 'ARRAY');
    assert.equal(a?.value ?? undefined, undefined);
    assert.deepEqual(
      a?.arguments?.map((x) => [x.type, x.value ?? undefined]),
      [
        ['INT', '1'],
        ['INT', undefined],
      ],
    );
    assert.equal(m?.type, 'MAP');
    assert.deepEqual(
      m?.arguments?.map((x) => [x.type, x.value ?? undefined, x.arguments?.map((y) => y.value)]),
      [
        ['STRING', 'k', undefined],
        ['ARRAY', undefined, ['2']],
      ],
    );
  });

  it('leaves strings, quoted identifiers, comments and :: casts alone', () => {
    const sql = bindParametersClientSide(
      "SELECT ':no', \"a:no\", `b:no`, x::INT, -- :no\n /* :no ? */ :yes, 'it''s :no', map('a', 1)['a'], struct_col.a:b",
      { yes: 1 },
    );
    assert.equal(
      sql,
      "SELECT ':no', \"a:no\", `b:no`, x::INT, -- :no\n /* :no ? */ 1, 'it''s :no', map('a', 1)['a'], struct_col.a:b",
    );
  });

  it('binds positional parameters in order and checks their count', () => {
    assert.equal(bindParametersClientSide("SELECT ?, '?', ?", [true, null]), "SELECT TRUE, '?', NULL");
    assert.throws(() => bindParametersClientSide('SELECT ?, ?', [1]), /more '\?' placeholders than the 1 parameters/);
    assert.throws(() => bindParametersClientSide('SELECT ?', [1, 2]), /2 parameters were given but the statement has 1/);
  });

  it('names a missing named parameter', () => {
    assert.throws(
      () => bindParametersClientSide('SELECT :missing', { other: 1 }),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'missing' && /:missing/.test(error.message),
    );
  });

  it('escapes so that a hostile string stays one literal', () => {
    const sql = bindParametersClientSide('SELECT :s', { s: "\\'; DROP TABLE t; --" });
    assert.equal(sql, "SELECT '\\\\\\'; DROP TABLE t; --'");
  });
});
