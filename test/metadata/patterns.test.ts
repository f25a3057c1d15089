/** The JDBC name patterns of catalog calls, as clients send them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameMatcher } from '../../src/warehouse/metadata/patterns.js';

test('% matches any run of characters and _ one character, ignoring case', () => {
  const m = nameMatcher('SAL%_x');
  assert.equal(m('sales_x'), true);
  assert.equal(m('salYx'), true);
  assert.equal(m('salx'), false);
  assert.equal(m('other'), false);
});

test('a backslash makes %, _ and itself literal', () => {
  assert.equal(nameMatcher('t\\_1')('t_1'), true);
  assert.equal(nameMatcher('t\\_1')('tx1'), false);
  assert.equal(nameMatcher('t_1')('tx1'), true);
  assert.equal(nameMatcher('100\\%')('100%'), true);
  assert.equal(nameMatcher('100\\%')('1000'), false);
  assert.equal(nameMatcher('a\\\\b')('a\\b'), true);
});

test('regular-expression characters in names are plain characters', () => {
  assert.equal(nameMatcher('a.b')('a.b'), true);
  assert.equal(nameMatcher('a.b')('axb'), false);
  assert.equal(nameMatcher('(x)+')('(x)+'), true);
});

test('an absent pattern matches all; an empty one matches all only where HiveServer2 says so (schemas)', () => {
  assert.equal(nameMatcher(undefined)('anything'), true);
  assert.equal(nameMatcher(null)('anything'), true);
  assert.equal(nameMatcher('', true)('anything'), true);
  assert.equal(nameMatcher('')('anything'), false);
  assert.equal(nameMatcher('*')('anything'), true);
});
