/** ANSI division: the right operand of /, // and % is checked, and only it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardDivisors } from '../../src/warehouse/dialect/division.js';

const d = (x: string) => `__spark.__divisor(${x})`;

test('the divisor of /, // and % is wrapped: literal, name, call, parentheses, sign, subscript, cast', () => {
  assert.equal(guardDivisors('SELECT 1 / 0'), `SELECT 1 / ${d('0')}`);
  // DIV (DuckDB's //) divides by a BIGINT: its quotient is BIGINT, as Spark types it.
  assert.equal(guardDivisors('SELECT a // t.b'), `SELECT a // ${d('CAST(t.b AS BIGINT)')}`);
  assert.equal(guardDivisors('SELECT a % count(*)'), `SELECT a % ${d('count(*)')}`);
  assert.equal(guardDivisors('SELECT x / (y - 1) * 2'), `SELECT x / ${d('(y - 1)')} * 2`);
  assert.equal(guardDivisors('SELECT -a / -b::INT'), `SELECT -a / ${d('-b::INT')}`);
  assert.equal(guardDivisors('SELECT a / b[1] + 1'), `SELECT a / ${d('b[1]')} + 1`);
});

test('without ANSI mode a zero divisor gives NULL', () => {
  assert.equal(guardDivisors('SELECT 1 / x', false), 'SELECT 1 / nullif(x, 0)');
  assert.equal(guardDivisors('SELECT 7 // 0', false), 'SELECT 7 // nullif(CAST(0 AS BIGINT), 0)');
});

test('slashes and percents in literals, identifiers and comments are left alone', () => {
  const sql = `SELECT '1/0' AS "a % b", x -- 1 / 0\nFROM t`;
  assert.equal(guardDivisors(sql), sql);
});

test('an operand the pass cannot delimit (CASE) is left as it is', () => {
  const sql = 'SELECT 1 / CASE WHEN x THEN 0 ELSE 1 END';
  assert.equal(guardDivisors(sql), sql);
});
