/**
 * Spark functions and syntax the warehouse answers as Databricks does where DuckDB differs or
 * has none, read through our driver: result types a client reads from the column metadata
 * (date parts and datediff INT, array_position and unix_timestamp BIGINT, months_between
 * DOUBLE, ceil and floor BIGINT, bround in its argument's type), soundex, percentile, inline,
 * JSON paths (`raw:a.b`), from_json with a DDL schema, and the SQLSTATEs of bad date and time
 * strings (the Databricks SQL function and error references).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerOperationError } from '../../src/index.js';
import { translateSql } from '../../src/warehouse/sql-translate.js';
import { rowsOf, sqlStateOf, useLocalWarehouse } from '../support/driver-fixtures.js';

/** The store_data row of Databricks' "Query JSON strings" article, cut down. */
const RAW = `'{"store":{"fruit":[{"weight":8,"type":"apple"},{"weight":9,"type":"pear"}],"bicycle":{"price":19.95,"color":"red"}},"owner":"amy","zip code":"94025"}'`;

describe('Spark functions and syntax on the local warehouse', () => {
  const local = useLocalWarehouse();

  /** Column name -> type name of a statement's result. */
  async function typesOf(sql: string): Promise<Record<string, string>> {
    const result = await local.connection.execute(sql);
    await result.fetchAll();
    return Object.fromEntries(result.columns.map((c) => [c.name, c.typeName]));
  }

  it('types date parts, datediff, array_position and unix_timestamp as Databricks does', async () => {
    assert.deepEqual(
      await typesOf(
        "SELECT year('2016-07-30') y, month('2016-07-30') mo, day('2016-07-30') d, hour('2009-07-30 12:58:59') h, dayofweek('2009-07-30') dow, quarter('2016-08-31') q, datediff('2009-07-31', '2009-07-30') dd, array_position(array(3, 4), 4) pos, unix_timestamp('2016-04-08', 'yyyy-MM-dd') ts, months_between('1997-02-28', '1996-10-30') mb",
      ),
      { y: 'INT', mo: 'INT', d: 'INT', h: 'INT', dow: 'INT', q: 'INT', dd: 'INT', pos: 'BIGINT', ts: 'BIGINT', mb: 'DOUBLE' },
    );
  });

  it('gives ceil and floor as BIGINT (a DECIMAL of scale 0 for a DECIMAL) and bround in its argument type', async () => {
    const sql =
      'SELECT ceil(5) c_int, ceil(2.5D) c_double, ceil(-0.1) c_dec, floor(-2.5D) f_double, ceiling(5.4) c_dec2, ' +
      'bround(2.5, 0) b_dec, bround(25, -1) b_int, bround(2.5D) b_double, bround(2.25, 1) b_dec2, bround(0.125D, 2) b_tie';
    const types = await typesOf(sql);
    assert.equal(types.c_int, 'BIGINT');
    assert.equal(types.c_double, 'BIGINT');
    assert.equal(types.f_double, 'BIGINT');
    assert.match(types.c_dec!, /^DECIMAL\(\d+,0\)$/);
    assert.equal(types.b_int, 'INT');
    assert.equal(types.b_double, 'DOUBLE');
    assert.match(types.b_dec!, /^DECIMAL\(\d+,0\)$/);
    assert.match(types.b_dec2!, /^DECIMAL\(\d+,1\)$/);
    const [row] = await rowsOf(local.connection, sql);
    // Half to even: 2.5 -> 2, 25 -> 20, 2.25 -> 2.2, 0.125 -> 0.12 (the DOUBLE's decimal text).
    assert.deepEqual(Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, String(v)])), {
      c_int: '5',
      c_double: '3',
      c_dec: '0',
      f_double: '-3',
      c_dec2: '6',
      b_dec: '2',
      b_int: '20',
      b_double: '2',
      b_dec2: '2.2',
      b_tie: '0.12',
    });
  });

  it('codes soundex as Spark does: H and W skipped, vowels separating repeats, non-letters kept', async () => {
    const [row] = await rowsOf(
      local.connection,
      "SELECT soundex('Miller') a, soundex('Ashcraft') b, soundex('Pfister') c, soundex('Tymczak') d, soundex('Lee') e, soundex('1abc') f, soundex('') g, soundex(NULL) h",
    );
    assert.deepEqual(row, { a: 'M460', b: 'A261', c: 'P236', d: 'T522', e: 'L000', f: '1abc', g: '', h: null });
  });

  it('interpolates percentile as a DOUBLE, for one percentage or an array of them, also over a window', async () => {
    const values = 'FROM VALUES (0), (10), (20), (30) AS tab(col)';
    assert.deepEqual(await typesOf(`SELECT percentile(col, 0.3) p, percentile(col, array(0.25, 0.5)) ps ${values}`), {
      p: 'DOUBLE',
      ps: 'ARRAY<DOUBLE>',
    });
    assert.deepEqual(
      await rowsOf(local.connection, `SELECT percentile(col, 0.3) p, percentile(col, array(0.25, 0.5)) ps ${values}`),
      [{ p: 9, ps: [7.5, 15] }],
    );
    const windowed = await rowsOf(local.connection, `SELECT col, percentile(col, 0.5) OVER () m ${values} ORDER BY col`);
    assert.deepEqual(
      windowed.map((r) => r.m),
      [15, 15, 15, 15],
    );
  });

  it('explodes inline into a row per struct and a column per field, arrays inside kept', async () => {
    assert.deepEqual(
      await rowsOf(
        local.connection,
        "SELECT inline(array(named_struct('a', 1, 'b', array(1, 2)), named_struct('a', 2, 'b', array(3))))",
      ),
      [
        { a: 1, b: [1, 2] },
        { a: 2, b: [3] },
      ],
    );
  });

  it('extracts JSON paths as strings, named after their last key', async () => {
    const sql = `SELECT raw:owner, raw:store.bicycle.color, raw:store.fruit[1].type AS second, raw:['zip code'], raw:store.bicycle, raw:missing FROM (SELECT ${RAW} AS raw)`;
    assert.deepEqual(await typesOf(sql), {
      owner: 'STRING',
      color: 'STRING',
      second: 'STRING',
      'zip code': 'STRING',
      bicycle: 'STRING',
      missing: 'STRING',
    });
    assert.deepEqual(await rowsOf(local.connection, sql), [
      {
        owner: 'amy',
        color: 'red',
        second: 'pear',
        'zip code': '94025',
        bicycle: '{"price":19.95,"color":"red"}',
        missing: null,
      },
    ]);
    // A path on a path's result, and a path then a cast; markers and struct types keep their colons.
    assert.deepEqual(await rowsOf(local.connection, `SELECT (${RAW}:store):bicycle.color AS c`), [{ c: 'red' }]);
    assert.deepEqual(await rowsOf(local.connection, `SELECT ${RAW}:store.bicycle.price::DOUBLE + 1 AS p`), [{ p: 20.95 }]);
    assert.equal(translateSql('SELECT a FROM t WHERE x = :p'), 'SELECT a FROM t WHERE x = $p');
    assert.equal(translateSql('SELECT CAST(x AS STRUCT<a: INT>) AS s FROM t'), 'SELECT CAST(x AS STRUCT(a INT)) AS s FROM t');
  });

  it('refuses the JSON path wildcard with a clear error', async () => {
    await assert.rejects(local.connection.execute(`SELECT ${RAW}:store.fruit[*].type AS t`), (error: unknown) => {
      assert.ok(error instanceof ServerOperationError);
      assert.equal(error.sqlState, '0A000');
      assert.match(error.message, /\[\*\]/);
      return true;
    });
  });

  it('reads from_json with a DDL schema into a STRUCT, NULL fields for mismatches, NULL for malformed JSON', async () => {
    const sql =
      'SELECT from_json(\'{"a":1, "b":0.8}\', \'a INT, b DOUBLE\') s, from_json(\'{"a":"x","c":[1,2]}\', \'a INT, c ARRAY<INT>\') m, ' +
      "from_json('[1, 2]', 'ARRAY<BIGINT>') l, from_json('{bad', 'a INT') bad";
    assert.deepEqual(await typesOf(sql), {
      s: 'STRUCT<a:INT,b:DOUBLE>',
      m: 'STRUCT<a:INT,c:ARRAY<INT>>',
      l: 'ARRAY<BIGINT>',
      bad: 'STRUCT<a:INT>',
    });
    assert.deepEqual(await rowsOf(local.connection, sql), [
      { s: { a: 1, b: 0.8 }, m: { a: null, c: [1, 2] }, l: [1n, 2n], bad: null },
    ]);
    await assert.rejects(local.connection.execute("SELECT from_json('{}', 'ARRAY<INT')"), (error: unknown) => {
      assert.ok(error instanceof ServerOperationError);
      assert.equal(error.sqlState, '42K07');
      assert.match(error.message, /INVALID_SCHEMA.*'ARRAY<INT'/);
      return true;
    });
  });

  it('fails a bad date or timestamp string as Databricks does: 22018 for a CAST, 22007 against a pattern', async () => {
    assert.equal(await sqlStateOf(local.connection.execute("SELECT CAST('2021-13-45' AS DATE)")), '22018');
    assert.equal(await sqlStateOf(local.connection.execute("SELECT CAST('2021-02-30 10:00' AS TIMESTAMP)")), '22018');
    assert.equal(await sqlStateOf(local.connection.execute("SELECT to_timestamp('2016-12-32', 'yyyy-MM-dd')")), '22007');
  });
});
