import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SqlStatementError } from '../../src/warehouse/errors.js';
import { loadDialect } from '../../src/warehouse/dialect/polyglot.js';
import { translateSql } from '../../src/warehouse/sql-translate.js';

describe('warehouse SQL translation (Databricks to DuckDB)', () => {
  before(async () => {
    await loadDialect();
  });

  it("turns the README's asynchronous-execution statement into DuckDB SQL", () => {
    assert.equal(
      translateSql('SELECT :param `p`, * FROM RANGE(10)'),
      'SELECT $param AS "p", * FROM (SELECT range AS id FROM RANGE(0, 10))',
    );
  });

  it('leaves markers inside literals, quoted identifiers and comments alone', () => {
    const out = translateSql(`SELECT ':a' AS s, \`x:b\`, a::INT AS i, :c AS c -- :d\n/* :e */ FROM t`);
    assert.match(out, /':a' AS s/);
    assert.match(out, /"x:b"/);
    assert.match(out, /\$c AS c/);
    assert.doesNotMatch(out, /\$[de]/);
    assert.match(translateSql("SELECT 'it''s :x' || :y AS v"), /'it''s :x'.*\$y/);
  });

  it('keeps positional markers', () => {
    assert.equal(translateSql('SELECT ? + ? AS s'), 'SELECT ? + ? AS s');
  });

  it('keeps CAST strict (ANSI mode) and only the user-written try_cast lenient', () => {
    assert.equal(translateSql("SELECT CAST('a' AS INT) AS a"), "SELECT CAST('a' AS INT) AS a");
    assert.equal(translateSql("SELECT try_cast('a' AS INT) AS a"), "SELECT TRY_CAST('a' AS INT) AS a");
    assert.equal(
      translateSql("SELECT CAST(try_cast('1' AS INT) AS STRING) AS a, 'x'::DATE AS d"),
      "SELECT CAST(TRY_CAST('1' AS INT) AS TEXT) AS a, CAST('x' AS DATE) AS d",
    );
  });

  it('names unaliased items as Spark does', () => {
    assert.equal(translateSql('SELECT count(*), SUM(id) FROM t'), 'SELECT COUNT(*) AS "count(1)", SUM(id) AS "sum(id)" FROM t');
    assert.equal(translateSql("SELECT 1 + 2, 'abc', id FROM t"), `SELECT 1 + 2 AS "(1 + 2)", 'abc' AS "abc", id FROM t`);
  });

  it("gives RANGE in FROM and JOIN Spark's id column, keeping aliases", () => {
    assert.equal(
      translateSql('SELECT * FROM range(2, 10, 2) a JOIN RANGE(3) b ON a.id = b.id'),
      'SELECT * FROM (SELECT range AS id FROM RANGE(2, 10, 2)) AS a JOIN (SELECT range AS id FROM RANGE(0, 3)) AS b ON a.id = b.id',
    );
  });

  it('maps catalog main and schema default onto the primary DuckDB database', () => {
    assert.equal(
      translateSql('SELECT * FROM main.default.t JOIN default.u ON 1 = 1', { primary: 'wh' }),
      'SELECT * FROM wh.main.t JOIN main.u ON 1 = 1',
    );
  });

  it('calls Spark functions DuckDB lacks from the function library', () => {
    assert.equal(translateSql('SELECT pmod(-7, 3) AS p'), 'SELECT __spark.PMOD(-7, 3) AS p');
  });

  it('refuses what does not parse, or more than one statement, with SQLSTATE 42601', () => {
    assert.throws(
      () => translateSql('SELECT a FROM t WHERE'),
      (e: unknown) => e instanceof SqlStatementError && e.sqlState === '42601' && /PARSE_SYNTAX_ERROR/.test(e.message),
    );
    assert.throws(
      () => translateSql('SELECT 1; SELECT 2'),
      (e: unknown) => e instanceof SqlStatementError && e.sqlState === '42601',
    );
  });
});
