/**
 * ARRAY, MAP and STRUCT parameters through our driver against the local warehouse: inferred
 * from JS arrays, given with an explicit type, nested, NULL, and bad shapes named.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, type Connection } from '../../src/index.js';
import { useLocalWarehouse } from '../support/driver-fixtures.js';

describe('complex native parameters', () => {
  const local = useLocalWarehouse();

  async function row(sql: string, params: Parameters<Connection['execute']>[1]) {
    const result = await local.connection.execute(sql, params);
    const rows = await result.fetchAll();
    assert.equal(rows.length, 1);
    return { row: rows[0]!, types: result.columns.map((c) => c.typeName) };
  }

  test('a JS array of one scalar kind binds as an ARRAY of that type', async () => {
    const { row: r, types } = await row('SELECT :ints AS ints, :big AS big, :words AS words, :ratios AS ratios', {
      ints: [1, 2, null, 3],
      big: [1, 2 ** 40],
      words: ['a', "o'clock"],
      ratios: [0.5, 2],
    });
    assert.deepEqual(types, ['ARRAY<INT>', 'ARRAY<BIGINT>', 'ARRAY<STRING>', 'ARRAY<DOUBLE>']);
    assert.deepEqual(r, { ints: [1, 2, null, 3], big: [1n, 2n ** 40n], words: ['a', "o'clock"], ratios: [0.5, 2] });
  });

  test('an ARRAY parameter is usable in SQL, positional too', async () => {
    const { row: r } = await row('SELECT array_contains(?, ?) AS found, ? AS flags', [['x', 'y'], 'y', [true, false, true]]);
    assert.deepEqual(r, { found: true, flags: [true, false, true] });
  });

  test('MAP, STRUCT and nested values with an explicit type', async () => {
    const { row: r, types } = await row('SELECT :m AS m, :s AS s, :nested AS nested, :empty AS empty', {
      m: {
        type: 'MAP<STRING, DECIMAL(10,2)>',
        value: new Map([
          ['a', '1.50'],
          ['b', null],
        ]),
      },
      s: { type: 'STRUCT<id: BIGINT, tags: ARRAY<STRING>, at: DATE>', value: { id: 7n, tags: ['x'], at: '2024-02-29' } },
      nested: { type: 'ARRAY<ARRAY<INT>>', value: [[1], [], null] },
      empty: { type: 'ARRAY<INT>', value: [] },
    });
    assert.deepEqual(types, [
      'MAP<STRING,DECIMAL(10,2)>',
      'STRUCT<id:BIGINT,tags:ARRAY<STRING>,at:DATE>',
      'ARRAY<ARRAY<INT>>',
      'ARRAY<INT>',
    ]);
    assert.deepEqual(
      r.m,
      new Map([
        ['a', '1.50'],
        ['b', null],
      ]),
    );
    assert.deepEqual(r.s, { id: 7n, tags: ['x'], at: '2024-02-29' });
    assert.deepEqual(r.nested, [[1], [], null]);
    assert.deepEqual(r.empty, []);
  });

  test('a MAP from a plain object, a STRUCT field left out is NULL, a typed NULL is NULL', async () => {
    const { row: r } = await row('SELECT :m AS m, :s AS s, :none IS NULL AS none', {
      m: { type: 'MAP<STRING, INT>', value: { k: 42 } },
      s: { type: 'STRUCT<a: INT, b: STRING>', value: { a: 1 } },
      none: { type: 'ARRAY<INT>', value: null },
    });
    assert.deepEqual(r, { m: new Map([['k', 42]]), s: { a: 1, b: null }, none: true });
  });

  test('a NULL given with a type comes back as a NULL of that type, named or positional', async () => {
    const typed = (type: string) => ({ type, value: null });
    const named = await row('SELECT :s AS s, :d AS d, :dec AS dec, :a AS a, :m AS m, :st AS st, :ts AS ts, :v AS v', {
      s: typed('STRING'),
      d: typed('DATE'),
      dec: typed('DECIMAL(10,2)'),
      a: typed('ARRAY<STRING>'),
      m: typed('MAP<STRING, BIGINT>'),
      st: typed('STRUCT<id: INT, tag: STRING>'),
      ts: typed('TIMESTAMP'),
      v: null,
    });
    assert.deepEqual(named.types, [
      'STRING',
      'DATE',
      'DECIMAL(10,2)',
      'ARRAY<STRING>',
      'MAP<STRING,BIGINT>',
      'STRUCT<id:INT,tag:STRING>',
      'TIMESTAMP',
      named.types[7],
    ]);
    assert.deepEqual(Object.values(named.row), [null, null, null, null, null, null, null, null]);
    // Typed as given also where the type matters to the statement: concatenation, array
    // functions, COALESCE's result type, and markers counted by position.
    const positional = await row(
      "SELECT concat(?, 'x') AS c, size(coalesce(?, array(1, 2))) AS n, coalesce(?, DATE'2024-02-29') AS d, typeof(?) AS t",
      [typed('STRING'), typed('ARRAY<INT>'), typed('DATE'), typed('BIGINT')],
    );
    assert.deepEqual(positional.types, ['STRING', 'INT', 'DATE', 'STRING']);
    assert.deepEqual(positional.row, { c: null, n: 2, d: '2024-02-29', t: 'bigint' });
  });

  test('a typed NULL whose type is not a type name is refused, naming the parameter', async () => {
    await assert.rejects(
      local.connection.execute('SELECT :p AS p', { p: { type: 'VARCHARISH', value: null } }),
      /Parameter p has an unsupported type 'VARCHARISH'/,
    );
  });

  test('bad shapes get an error naming the parameter, before anything is sent', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ a: [1, 'x'] }, /parameter :a is an array of mixed kinds \(number, string\)/],
      [{ a: [] }, /parameter :a is an array with no non-null element/],
      [{ a: [[1]] }, /parameter :a is an array of array values/],
      [{ a: { type: 'STRUCT<x: INT>', value: { y: 1 } } }, /parameter :a has field 'y' that STRUCT<x:INT> does not declare/],
      [
        { a: { type: 'MAP<STRING, INT>', value: [1] } },
        /parameter :a is a MAP<STRING,INT>, which takes a Map or a plain object, but got array/,
      ],
      [{ a: { type: 'ARRAY<INT', value: [1] } }, /parameter :a has an invalid SQL type name/],
      [{ a: { type: 'MAP<STRING, INT>', value: new Map([[null, 1]]) } }, /parameter :a has a null MAP key/],
    ];
    for (const [params, message] of cases) {
      await assert.rejects(local.connection.execute('SELECT :a AS a', params as never), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError, String(error));
        assert.equal(error.argument, ':a');
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test('an element the warehouse cannot cast fails the statement, naming the parameter', async () => {
    await assert.rejects(
      local.connection.execute('SELECT :a AS a', { a: { type: 'ARRAY<INT>', value: ['1', 'x'] } }),
      /Parameter a \(ARRAY\) has an element that is not valid: .*'x'/,
    );
  });
});
