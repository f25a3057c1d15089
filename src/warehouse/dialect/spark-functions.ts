/**
 * Spark SQL functions that DuckDB lacks (and that the transpiler passes through unchanged),
 * written as DuckDB macros in an in-memory database of their own: they never reach a user's
 * database file and never show in its catalogs. Translated statements call them qualified
 * (`__spark.pmod(...)`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The DuckDB database that holds the macros. */
export const SPARK_FUNCTION_CATALOG = '__spark';

/** `x` as an exact decimal, from its text (a DOUBLE's shortest form); NULL when it does not fit. */
const EXACT = 'TRY_CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 18))';

/** Whether `x` lies exactly half-way between its two roundings to `d` digits. */
const TIE = `round(${EXACT}, d) <> trunc(${EXACT}, d) AND abs(${EXACT} - trunc(${EXACT}, d)) * 2 = abs(round(${EXACT}, d) - trunc(${EXACT}, d))`;

/** Spark's ceil or floor without a scale: BIGINT, or a DECIMAL of scale 0 for a DECIMAL. */
function roundingToWhole(fn: 'ceil' | 'floor'): string {
  const integral = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'].map((type) => `(x ${type}) AS CAST(x AS BIGINT)`);
  const inexact = ['FLOAT', 'DOUBLE', 'VARCHAR'].map((type) => `(x ${type}) AS CAST(${fn}(CAST(x AS DOUBLE)) AS BIGINT)`);
  return [...integral, ...inexact, `(x DECIMAL(38, 10)) AS ${fn}(x)`].join(', ');
}

/** Soundex's code of one upper-case character: a digit, 7 for H and W, 0 for vowels and non-letters. */
function soundexCode(c: string): string {
  return `CASE WHEN ${c} BETWEEN 'A' AND 'Z' THEN substr('01230127022455012623017202', ascii(${c}) - 64, 1) ELSE '0' END`;
}

/** Macro bodies by lower-case Spark function name: `(parameters) AS expression`. */
const MACROS: Record<string, string> = {
  // Every divisor passes through it (division.ts): ANSI division by zero is an error.
  __divisor:
    "(x) AS CASE WHEN x = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.') ELSE x END",
  pmod: "(a, b) AS CASE WHEN b = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero.') ELSE ((a % b) + b) % b END",
  // Half to even, in the argument's own type (round and trunc keep it; DuckDB's round_even
  // gives a DOUBLE). A tie is found on the value's decimal text, as Spark rounds a DOUBLE.
  bround: `(x, d := 0) AS CASE WHEN ${TIE} AND CAST(trunc(${EXACT}, d) / abs(round(${EXACT}, d) - trunc(${EXACT}, d)) AS HUGEINT) % 2 = 0 THEN trunc(x, d) ELSE round(x, d) END`,
  // BIGINT, a DECIMAL for a DECIMAL (DuckDB: DOUBLE). Typed overloads, as a macro cannot pick
  // its result type otherwise; a DECIMAL goes through DECIMAL(38, 10).
  ceil: roundingToWhole('ceil'),
  ceiling: roundingToWhole('ceil'),
  floor: roundingToWhole('floor'),
  // Spark's soundex: the first letter, then the codes of the letters after it, a code not
  // repeated unless a vowel (or a character that is no letter) stands between, H and W
  // skipped; padded with 0 to four characters. A string not starting with a letter is kept.
  soundex: `(s) AS CASE WHEN s = '' OR NOT regexp_matches(s, '^[A-Za-z]') THEN s ELSE (SELECT upper(s[1]) || rpad(left(array_to_string(list_filter(codes, (c, i) -> i > 1 AND c <> '0' AND c <> codes[i - 1]), ''), 3), 3, '0') FROM (SELECT list_concat([replace(${soundexCode('upper(s[1])')}, '7', '0')], list_filter(list_transform(string_split(upper(s[2:]), ''), c -> ${soundexCode('c')}), c -> c <> '7')) AS codes)) END`,
  // A JSON path's value as text (json.ts), under a name the transpiler leaves alone.
  __dbsql_json_path: '(j, path) AS json_extract_string(j, path)',
  // A DDL schema turned into a DuckDB type's JSON structure (json.ts); NULL for malformed JSON.
  __dbsql_from_json: '(j, structure) AS CASE WHEN json_valid(j) THEN json_transform(j, structure) END',
  shiftleft: '(a, n) AS a << n',
  shiftright: '(a, n) AS a >> n',
  get_json_object: '(j, path) AS json_extract_string(j, path)',
  // Spark counts down when start > stop.
  sequence: '(a, b, step := NULL) AS generate_series(a, b, coalesce(step, CASE WHEN a <= b THEN 1 ELSE -1 END))',
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
  // Arrays: Spark keeps the first occurrence's order and one NULL (DuckDB's list_distinct neither).
  array_distinct: '(a) AS list_filter(a, (x, i) -> list_position(a, x) = i)',
  array_union: '(a, b) AS list_filter(list_concat(a, b), (x, i) -> list_position(list_concat(a, b), x) = i)',
  // x[i] (subscripts.ts): from 0 for an ARRAY, the key for a MAP.
  __dbsql_subscript: "(c, i) AS c[i + CASE WHEN typeof(c) LIKE '%[]' THEN 1 ELSE 0 END]",
  // 1-based with negative from the end for an array, the key's value for a map: both DuckDB's [].
  element_at: '(c, k) AS c[k]',
  // A struct's field by name (subscripts.ts), of a value that is not a column.
  __dbsql_field: '(s, f) AS struct_extract(s, f)',
  // Grouped thousands and d decimals, NULL for negative d (fmt takes precision on floats only).
  format_number: "(x, d) AS CASE WHEN d >= 0 THEN format('{:,.' || CAST(d AS VARCHAR) || 'f}', CAST(x AS DOUBLE)) END",
  // A string's characters or an array's elements (DuckDB's reverse takes only strings).
  reverse: '(x VARCHAR) AS reverse(x), (x) AS list_reverse(x)',
  shuffle: "(a) AS list_transform(list_sort(list_transform(a, x -> {'r': random(), 'v': x})), s -> s.v)",
  // BIGINT, 0 when absent (DuckDB: INTEGER, NULL).
  array_position: '(a, x) AS CASE WHEN a IS NOT NULL AND x IS NOT NULL THEN CAST(coalesce(list_position(a, x), 0) AS BIGINT) END',
  __dbsql_flatten: '(a) AS flatten(a)',
  // Ascending puts NULLs first, descending last.
  __dbsql_sort_array:
    "(a, ascending := true) AS CASE WHEN ascending THEN list_sort(a, 'ASC', 'NULLS FIRST') ELSE list_sort(a, 'DESC', 'NULLS LAST') END",
  __dbsql_array_remove: '(a, v) AS CASE WHEN v IS NOT NULL THEN list_filter(a, x -> x IS NULL OR x <> v) END',
  // An ARRAY's or a MAP's size (DuckDB has no function taking both; its JSON form tells them apart).
  __dbsql_size:
    "(c) AS CAST(CASE json_type(to_json(c)) WHEN 'ARRAY' THEN json_array_length(to_json(c)) ELSE len(json_keys(to_json(c))) END AS INTEGER)",
  // Datetime functions given a string cast it, as Spark does (renames.ts renames some of them).
  __dbsql_date_add: '(d, n) AS CAST(d AS DATE) + CAST(n AS INTEGER)',
  __dbsql_date_sub: '(d, n) AS CAST(d AS DATE) - CAST(n AS INTEGER)',
  __dbsql_add_months: '(d, n) AS CAST(CAST(d AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE)',
  __dbsql_dayofweek: '(x) AS CAST(dayofweek(CAST(x AS TIMESTAMP)) + 1 AS INTEGER)',
  // A TIMESTAMP literal (timestamps.ts): its zone honoured, shown in the session's.
  __dbsql_timestamp: '(s) AS CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)',
  __dbsql_date_format: '(x, f) AS strftime(CAST(x AS TIMESTAMP), f)',
  __dbsql_unix_timestamp:
    '(x, f) AS CAST(floor(epoch(coalesce(try_strptime(CAST(x AS VARCHAR), f), CAST(x AS TIMESTAMP)))) AS BIGINT)',
  __dbsql_next_day:
    "(d, dow) AS CAST(d AS DATE) + CAST((CASE upper(left(dow, 2)) WHEN 'MO' THEN 1 WHEN 'TU' THEN 2 WHEN 'WE' THEN 3 WHEN 'TH' THEN 4 WHEN 'FR' THEN 5 WHEN 'SA' THEN 6 WHEN 'SU' THEN 7 ELSE error('[ILLEGAL_DAY_OF_WEEK] Illegal input for day of week: ' || dow) END - isodow(CAST(d AS DATE)) + 6) % 7 + 1 AS INTEGER)",
  // Whole months when the days of month match or both are month ends, else the difference in
  // seconds over a 31-day month; rounded to 8 digits unless told not to.
  __dbsql_months_between:
    "(a, b, round_off := true) AS (SELECT CASE WHEN round_off THEN round(m, 8) ELSE m END FROM (SELECT CASE WHEN day(t1) = day(t2) OR (day(t1) = day(last_day(t1)) AND day(t2) = day(last_day(t2))) THEN CAST(n AS DOUBLE) ELSE n + (epoch(t1 - date_trunc('month', t1)) - epoch(t2 - date_trunc('month', t2))) / 2678400.0 END AS m FROM (SELECT t1, t2, date_diff('month', date_trunc('month', t2), date_trunc('month', t1)) AS n FROM (SELECT CAST(a AS TIMESTAMP) AS t1, CAST(b AS TIMESTAMP) AS t2))))",
  // Whole elapsed units: a month when the day and time of month reach the start's.
  __dbsql_months_elapsed:
    "(a, b) AS (SELECT n - CASE WHEN n > 0 AND t1 + to_months(CAST(n AS INTEGER)) > t2 THEN 1 WHEN n < 0 AND t1 + to_months(CAST(n AS INTEGER)) < t2 THEN -1 ELSE 0 END FROM (SELECT t1, t2, date_diff('month', t1, t2) AS n FROM (SELECT CAST(a AS TIMESTAMP) AS t1, CAST(b AS TIMESTAMP) AS t2)))",
  __dbsql_timestampdiff:
    "(u, a, b) AS (SELECT CASE u WHEN 'MICROSECOND' THEN us WHEN 'MILLISECOND' THEN us // 1000 WHEN 'SECOND' THEN us // 1000000 WHEN 'MINUTE' THEN us // 60000000 WHEN 'HOUR' THEN us // 3600000000 WHEN 'DAY' THEN us // 86400000000 WHEN 'WEEK' THEN us // 604800000000 WHEN 'MONTH' THEN __spark.main.__dbsql_months_elapsed(a, b) WHEN 'QUARTER' THEN __spark.main.__dbsql_months_elapsed(a, b) // 3 WHEN 'YEAR' THEN __spark.main.__dbsql_months_elapsed(a, b) // 12 ELSE error('[INVALID_PARAMETER_VALUE.DATETIME_UNIT] Unknown unit ' || u) END FROM (SELECT epoch_us(CAST(b AS TIMESTAMP)) - epoch_us(CAST(a AS TIMESTAMP)) AS us))",
  // Spark's parts are INT (DuckDB's BIGINT).
  year: '(x) AS CAST(year(CAST(x AS TIMESTAMP)) AS INTEGER)',
  month: '(x) AS CAST(month(CAST(x AS TIMESTAMP)) AS INTEGER)',
  day: '(x) AS CAST(day(CAST(x AS TIMESTAMP)) AS INTEGER)',
  __dbsql_datediff: '(e, b) AS CAST(CAST(e AS DATE) - CAST(b AS DATE) AS INTEGER)',
  hour: '(x) AS CAST(hour(CAST(x AS TIMESTAMP)) AS INTEGER)',
  minute: '(x) AS CAST(minute(CAST(x AS TIMESTAMP)) AS INTEGER)',
  second: '(x) AS CAST(second(CAST(x AS TIMESTAMP)) AS INTEGER)',
  dayofmonth: '(x) AS CAST(dayofmonth(CAST(x AS TIMESTAMP)) AS INTEGER)',
  dayofyear: '(x) AS CAST(dayofyear(CAST(x AS TIMESTAMP)) AS INTEGER)',
  weekofyear: '(x) AS CAST(weekofyear(CAST(x AS TIMESTAMP)) AS INTEGER)',
  quarter: '(x) AS CAST(quarter(CAST(x AS TIMESTAMP)) AS INTEGER)',
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
