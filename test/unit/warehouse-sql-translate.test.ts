import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SqlStatementError } from '../../src/warehouse/errors.js';
import { loadDialect } from '../../src/warehouse/dialect/polyglot.js';
import { translateSql, translateStatement } from '../../src/warehouse/sql-translate.js';

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

  it('reads :name after THEN, ELSE, BETWEEN and INTERVAL as a marker', () => {
    assert.match(translateSql('SELECT CASE WHEN x THEN :a ELSE :b END AS c FROM t'), /THEN \$a ELSE \$b END/);
    assert.match(translateSql('SELECT x FROM t WHERE x BETWEEN :lo AND :hi'), /BETWEEN \$lo AND \$hi/);
  });

  it('numbers positional markers, in order', () => {
    assert.equal(translateSql('SELECT ? + ? AS s'), 'SELECT $1 + $2 AS s');
  });

  it('casts the marker of a NULL given with a type, named or positional', () => {
    const nullTypes = new Map([
      ['d', 'DATE'],
      ['2', 'VARCHAR[]'],
    ]);
    assert.equal(
      translateStatement('SELECT :d AS d, :e AS e', undefined, { nullTypes }).sql,
      'SELECT CAST($d AS DATE) AS d, $e AS e',
    );
    assert.equal(
      translateStatement('SELECT ? AS a, ? AS b', undefined, { nullTypes }).sql,
      'SELECT $1 AS a, CAST($2 AS VARCHAR[]) AS b',
    );
  });

  it('puts a non-literal INTERVAL amount in parentheses (timestampadd with a column)', () => {
    const out = translateSql("SELECT timestampadd(SECOND, n, TIMESTAMP'2024-01-01 00:00:00') AS t FROM x");
    assert.match(out, /INTERVAL \(n \) SECOND/);
    assert.match(translateSql('SELECT dateadd(HOUR, -t.n, ts) AS t FROM x'), /INTERVAL \(-t\.n \) HOUR/);
    assert.match(translateSql('SELECT timestampadd(MINUTE, :m, ts) AS t FROM x'), /INTERVAL \(\$m \) MINUTE/);
    assert.match(translateSql("SELECT INTERVAL '1' DAY AS i"), /INTERVAL '1' DAY/);
  });

  it('makes concat NULL when an argument is, flattening || chains', () => {
    assert.equal(
      translateSql("SELECT a || '-' || b AS s FROM t"),
      "SELECT (CASE WHEN (a) IS NULL OR ('-') IS NULL OR (b) IS NULL THEN NULL ELSE concat(a, '-', b) END) AS s FROM t",
    );
    // A repeated argument repeats its marker, which is why markers are numbered.
    assert.match(translateSql("SELECT concat(?, 'x') AS s"), /\(\$1\) IS NULL .* concat\(\$1, 'x'\)/);
  });

  it('names struct() fields as Spark does, and reads a field of a call', () => {
    assert.equal(translateSql('SELECT struct(a, b + 1) AS s FROM t'), "SELECT {'a': a, 'col2': b + 1} AS s FROM t");
    assert.match(translateSql("SELECT named_struct('a', 1).a AS v"), /__spark\.__DBSQL_FIELD\(\{'a': 1\}, 'a'\)/);
  });

  it('keeps ORDER BY ALL and GROUP BY ALL, and regexp_replace replacing every match', () => {
    assert.match(translateSql('SELECT a FROM t ORDER BY ALL'), /ORDER BY ALL/);
    assert.match(translateSql('SELECT a FROM t GROUP BY ALL'), /GROUP BY ALL/);
    assert.match(translateSql('SELECT `ALL` FROM t ORDER BY `all`'), /ORDER BY "all"/);
    assert.match(translateSql("SELECT regexp_replace(s, '(a)', '$1b') AS r FROM t"), /REGEXP_REPLACE\(s, '\(a\)', '\\1b', 'g'\)/);
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
