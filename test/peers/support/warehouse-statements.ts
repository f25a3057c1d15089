/**
 * Statements the peer clients and our driver both run against the local warehouse, written in
 * Databricks SQL as a user would write them (the warehouse translates them to DuckDB). Values are chosen to be exact in
 * every client: floats that binary represents exactly, timestamps to the millisecond (a JS
 * Date holds no more), a BIGINT above 2^53 to catch clients that go through doubles.
 */

/** Every scalar type of the contract, one row. */
export const ALL_SCALARS = `SELECT
  CAST(1 AS TINYINT) AS t,
  CAST(-2 AS SMALLINT) AS s,
  CAST(3 AS INTEGER) AS i,
  CAST(9007199254740993 AS BIGINT) AS b,
  CAST(1.5 AS FLOAT) AS f,
  CAST(2.25 AS DOUBLE) AS d,
  CAST('12.30' AS DECIMAL(10,2)) AS dec,
  CAST('-123456789012345678.000001' AS DECIMAL(38,6)) AS dec_wide,
  'héllo, wörld' AS str,
  TRUE AS bool,
  CAST('2024-01-02' AS DATE) AS dt,
  CAST('2024-01-02 03:04:05.123' AS TIMESTAMP) AS ts,
  CAST('ab' AS BINARY) AS bin,
  NULL AS n`;

/** The same types, all NULL, over two rows (one typed NULL row, one with values). */
export const TYPED_NULLS = `SELECT * FROM (VALUES
  (CAST(NULL AS INT), CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE), CAST(NULL AS DECIMAL(10,2)),
   CAST(NULL AS STRING), CAST(NULL AS BOOLEAN), CAST(NULL AS DATE), CAST(NULL AS TIMESTAMP),
   CAST(NULL AS BINARY), CAST(NULL AS ARRAY<INT>)),
  (7, 8, 0.5, 1.25, 'x', FALSE, DATE '1999-12-31', TIMESTAMP '1999-12-31 23:59:59', CAST('z' AS BINARY), array(1))
) AS v(i, b, d, dec, str, bool, dt, ts, bin, arr) ORDER BY i NULLS FIRST`;

/** ARRAY, MAP, STRUCT and their nestings. */
export const COMPLEX = `SELECT
  array(1, 2, 3) AS arr,
  map('a', 1, 'b', 2) AS m,
  named_struct('x', 1, 'y', 'z') AS st,
  array(array(1), array(2, 3)) AS nested,
  array(named_struct('k', CAST('1.50' AS DECIMAL(4,2)), 'when', DATE '2020-02-29')) AS arr_of_struct,
  map(1, array(10, 20)) AS map_int_to_arr,
  array(CAST(NULL AS INT), 5) AS arr_with_null`;

/** The seed's first example, with its named parameter. */
export const SEED_RANGE = 'SELECT :param AS p, * FROM RANGE(10)';

/** Named parameters of several types in one row. */
export const NAMED_PARAMS = "SELECT :s AS s, :i AS i, :f AS f, :flag AS flag, :nothing AS nothing, :s || '!' AS s_again";
export const NAMED_PARAM_VALUES = { s: "it's", i: 42, f: 0.5, flag: true, nothing: null } as const;

/** Enough rows for several fetchMany calls. */
export const TWENTY_FIVE = 'SELECT * FROM RANGE(25) ORDER BY id';

/** Runs until cancelled (1e12 rows), and CPU-bound so cancel must interrupt it. */
export const LONG_RUNNING = 'SELECT sum(id * 2) FROM range(1000000000000)';

/** Fails in the engine: a missing table. */
export const MISSING_TABLE = 'SELECT * FROM table_that_does_not_exist';
