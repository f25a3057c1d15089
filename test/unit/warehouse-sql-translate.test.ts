import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translateSql } from '../../src/warehouse/sql-translate.js';

describe('warehouse SQL translation (Spark to DuckDB)', () => {
  it("turns the seed's statement into DuckDB SQL", () => {
    assert.equal(
      translateSql('SELECT :param `p`, * FROM RANGE(10)'),
      'SELECT $param "p", * FROM (SELECT range AS id FROM range(10))',
    );
  });

  it('leaves markers inside literals, quoted identifiers and comments alone, and keeps :: casts', () => {
    assert.equal(
      translateSql(`SELECT ':a', "x:b", a::INT, :c -- :d\n/* :e */ FROM t`),
      `SELECT ':a', "x:b", a::INT, $c -- :d\n/* :e */ FROM t`,
    );
    assert.equal(translateSql("SELECT 'it''s :x' || :y"), "SELECT 'it''s :x' || $y");
    assert.equal(translateSql('SELECT CAST(x AS STRUCT<a:INT>)'), 'SELECT CAST(x AS STRUCT<a:INT>)');
  });

  it('keeps positional markers', () => {
    assert.equal(translateSql('SELECT ? + ?'), 'SELECT ? + ?');
  });

  it('escapes backtick identifiers as double-quoted ones', () => {
    assert.equal(translateSql('SELECT 1 AS `we"ird``s`'), 'SELECT 1 AS "we""ird`s"');
  });

  it("gives RANGE in FROM and JOIN Spark's id column, with start, end and step, keeping aliases", () => {
    assert.equal(
      translateSql('SELECT * FROM range(2, 10, 2) a JOIN RANGE(3) b ON a.id = b.id'),
      'SELECT * FROM (SELECT range AS id FROM range(2, 10, 2)) a JOIN (SELECT range AS id FROM range(3)) b ON a.id = b.id',
    );
    assert.equal(translateSql('SELECT range(3)'), 'SELECT range(3)', "the list function outside FROM is DuckDB's");
  });
});
