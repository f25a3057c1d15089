/**
 * Spark SQL functions that DuckDB lacks (and that the transpiler passes through unchanged),
 * written as DuckDB macros in an in-memory database of their own: they never reach a user's
 * database file and never show in its catalogs. Translated statements call them qualified
 * (`__spark.pmod(...)`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The DuckDB database that holds the macros. */
export const SPARK_FUNCTION_CATALOG = '__spark';

/** Macro bodies by lower-case Spark function name: `(parameters) AS expression`. */
const MACROS: Record<string, string> = {
  // Every divisor passes through it (division.ts): ANSI division by zero is an error.
  __divisor:
    "(x) AS CASE WHEN x = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.') ELSE x END",
  pmod: "(a, b) AS CASE WHEN b = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero.') ELSE ((a % b) + b) % b END",
  bround: '(x, d := 0) AS round_even(x, d)',
  shiftleft: '(a, n) AS a << n',
  shiftright: '(a, n) AS a >> n',
  get_json_object: '(j, path) AS json_extract_string(j, path)',
  sequence: '(a, b, step := 1) AS generate_series(a, b, step)',
  array_join:
    '(a, sep, null_text := NULL) AS array_to_string(CASE WHEN null_text IS NULL THEN a ELSE list_transform(a, x -> coalesce(CAST(x AS VARCHAR), null_text)) END, sep)',
  str_to_map:
    "(s, pair_sep := ',', kv_sep := ':') AS map_from_entries(list_transform(string_split(s, pair_sep), p -> struct_pack(k := split_part(p, kv_sep, 1), v := CASE WHEN strpos(p, kv_sep) > 0 THEN substr(p, strpos(p, kv_sep) + length(kv_sep)) END)))",
  conv: "(s, from_base, to_base) AS CASE WHEN from_base = 10 AND to_base = 2 THEN bin(CAST(s AS BIGINT)) WHEN from_base = 10 AND to_base = 16 THEN upper(hex(CAST(s AS BIGINT))) WHEN from_base = 2 AND to_base = 10 THEN CAST(CAST('0b' || s AS BIGINT) AS VARCHAR) WHEN from_base = 16 AND to_base = 10 THEN CAST(CAST('0x' || s AS BIGINT) AS VARCHAR) ELSE error('[UNSUPPORTED_FEATURE] conv supports bases 2, 10 and 16.') END",
  initcap: "(s) AS array_to_string(list_transform(string_split(lower(s), ' '), w -> upper(w[1]) || w[2:]), ' ')",
  sign: '(x) AS CAST(sign(x) AS DOUBLE)',
  signum: '(x) AS CAST(sign(x) AS DOUBLE)',
  isnull: '(x) AS x IS NULL',
  isnotnull: '(x) AS x IS NOT NULL',
  sha2: "(s, bits) AS CASE WHEN bits IN (0, 256) THEN sha256(s) ELSE error('[UNSUPPORTED_FEATURE] sha2 supports 256 bits here.') END",
  array_repeat: '(x, n) AS list_transform(generate_series(1, n), i -> x)',
  slice: '(a, start, n) AS CASE WHEN start > 0 THEN a[start:start + n - 1] ELSE a[len(a) + start + 1:len(a) + start + n] END',
  arrays_overlap: '(a, b) AS len(list_intersect(a, b)) > 0',
  map_contains_key: '(m, k) AS map_contains(m, k)',
  timestamp_seconds: '(s) AS make_timestamp(CAST(s AS BIGINT) * 1000000)',
  octet_length: '(s) AS strlen(s)',
  // Datetime functions given a string cast it, as Spark does (datetime.ts renames the first four).
  __dbsql_date_add: '(d, n) AS CAST(d AS DATE) + CAST(n AS INTEGER)',
  __dbsql_date_sub: '(d, n) AS CAST(d AS DATE) - CAST(n AS INTEGER)',
  __dbsql_add_months: '(d, n) AS CAST(CAST(d AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE)',
  __dbsql_dayofweek: '(x) AS dayofweek(CAST(x AS TIMESTAMP)) + 1',
  hour: '(x) AS hour(CAST(x AS TIMESTAMP))',
  minute: '(x) AS minute(CAST(x AS TIMESTAMP))',
  second: '(x) AS second(CAST(x AS TIMESTAMP))',
  dayofmonth: '(x) AS dayofmonth(CAST(x AS TIMESTAMP))',
  dayofyear: '(x) AS dayofyear(CAST(x AS TIMESTAMP))',
  weekofyear: '(x) AS weekofyear(CAST(x AS TIMESTAMP))',
  quarter: '(x) AS quarter(CAST(x AS TIMESTAMP))',
  last_day: '(x) AS last_day(CAST(x AS TIMESTAMP))',
  date_trunc:
    "(u, x) AS date_trunc(CASE upper(u) WHEN 'YY' THEN 'year' WHEN 'YYYY' THEN 'year' WHEN 'MM' THEN 'month' WHEN 'MON' THEN 'month' WHEN 'DD' THEN 'day' ELSE lower(u) END, CAST(x AS TIMESTAMP))",
  trunc:
    "(x, u) AS CAST(date_trunc(CASE upper(u) WHEN 'YY' THEN 'year' WHEN 'YYYY' THEN 'year' WHEN 'MM' THEN 'month' WHEN 'MON' THEN 'month' WHEN 'DD' THEN 'day' ELSE lower(u) END, CAST(x AS TIMESTAMP)) AS DATE)",
  // The session's time zone (SET TIME ZONE) is the connection's TimeZone setting.
  current_timezone: "() AS current_setting('TimeZone')",
  // DuckDB spells it without parentheses only.
  current_timestamp: '() AS get_current_timestamp()',
  typeof:
    "(x) AS CASE typeof(x) WHEN 'INTEGER' THEN 'int' WHEN 'VARCHAR' THEN 'string' WHEN 'BLOB' THEN 'binary' WHEN 'HUGEINT' THEN 'bigint' ELSE lower(regexp_replace(typeof(x), '\\[\\]$', '')) END",
};

/** Whether `name` is a function of the library (any case). */
export function isSparkFunction(name: string): boolean {
  return Object.hasOwn(MACROS, name.toLowerCase());
}

/** Attaches the library's database and creates its macros; run once per DuckDB instance. */
export async function installSparkFunctions(connection: DuckDBConnection): Promise<void> {
  await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS ${SPARK_FUNCTION_CATALOG}`);
  for (const [name, body] of Object.entries(MACROS)) {
    await connection.run(`CREATE OR REPLACE MACRO ${SPARK_FUNCTION_CATALOG}.main.${name}${body}`);
  }
}
