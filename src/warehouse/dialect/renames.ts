/**
 * Spark functions whose transpiled DuckDB form gives another answer (or none), renamed before
 * transpiling to functions of the library (spark-functions.ts), which the transpiler passes
 * through:
 * - `date_add`, `date_sub`, `add_months` become `DATE + INTERVAL`, a TIMESTAMP in DuckDB; Spark
 *   returns a DATE. `dayofweek` becomes ISODOW (Monday = 1); Spark counts from Sunday = 1.
 * - `datediff` is an INT (two arguments; with a unit first it is `timestampdiff`), and
 *   `date_add` with a unit first is `timestampadd`.
 * - `next_day`, `months_between`, `timestampdiff` need Spark's own rules (a day-of-week name,
 *   the 31-day month fraction rounded to 8 digits, whole elapsed units rather than crossed
 *   boundaries); `unix_timestamp` is a BIGINT, not a DOUBLE.
 * - `date_format` and `unix_timestamp` take Spark's datetime pattern; a literal one is
 *   converted here to strftime's (pattern.ts), every letter included.
 * - `percentile` becomes DuckDB's `quantile` (a row of the input, not interpolated); the
 *   pass after transpiling makes it an interpolating `quantile_cont` on DOUBLEs.
 * - `flatten` becomes UNNEST, `sort_array` drops its order and NULL placement, `array_remove`
 *   drops NULLs, `cardinality` of a MAP has no DuckDB match.
 * The functions that take a date or timestamp and are given a string (`hour('2009-07-30
 * 12:58:59')`) are library functions under their own names, casting their argument as Spark does.
 */
import { sparkPatternToStrftime } from './pattern.js';
import { applyEdits, closingParen, sparkStringLiteral, tokensOf, type Edit, type Token } from './tokens.js';

/** Stands for Spark's percentile across the transpiler (see sql-translate.ts). */
export const PERCENTILE_MARK = '__dbsql_percentile';

/** Spark function -> library function it is renamed to. */
const RENAMED: Record<string, string> = {
  date_add: '__dbsql_date_add',
  date_sub: '__dbsql_date_sub',
  add_months: '__dbsql_add_months',
  dayofweek: '__dbsql_dayofweek',
  next_day: '__dbsql_next_day',
  months_between: '__dbsql_months_between',
  timestampdiff: '__dbsql_timestampdiff',
  timediff: '__dbsql_timestampdiff',
  datediff: '__dbsql_datediff',
  date_format: '__dbsql_date_format',
  unix_timestamp: '__dbsql_unix_timestamp',
  to_unix_timestamp: '__dbsql_unix_timestamp',
  flatten: '__dbsql_flatten',
  sort_array: '__dbsql_sort_array',
  array_remove: '__dbsql_array_remove',
  cardinality: '__dbsql_size',
  size: '__dbsql_size',
  percentile: PERCENTILE_MARK,
};

const MENTIONS = new RegExp(`\\b(${Object.keys(RENAMED).join('|')})\\s*\\(`, 'i');

/** Spark's default pattern for unix_timestamp with no pattern given. */
const DEFAULT_PATTERN = 'yyyy-MM-dd HH:mm:ss';

/** The statement with the functions above renamed (on Databricks' tokens: literals stay). */
export function renameSparkFunctions(sql: string): string {
  if (!MENTIONS.test(sql)) return sql;
  const tokens = tokensOf(sql, 'databricks');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    const name = token.text.toLowerCase();
    const target = RENAMED[name];
    if (!target || tokens[i + 1]?.type !== 'L_PAREN' || tokens[i - 1]?.type === 'DOT' || token.type === 'QUOTED_IDENTIFIER')
      return;
    const close = closingParen(tokens, i + 1);
    if (close < 0) return;
    const args = topLevelArguments(tokens, i + 1, close);
    let renamed = target;
    if (name === 'datediff' && args.length !== 2) renamed = RENAMED.timestampdiff!; // datediff(unit, start, end)
    if (name === 'date_add' && args.length === 3) renamed = 'timestampadd'; // date_add(unit, amount, ts)
    if (renamed === RENAMED.timestampdiff) {
      const unit = args[0];
      if (args.length !== 3 || unit?.length !== 1) return;
      edits.push({ start: unit[0]!.start, end: unit[0]!.end, text: `'${unit[0]!.text.toUpperCase()}'` });
    } else if (name === 'date_format' || name === 'unix_timestamp' || name === 'to_unix_timestamp') {
      if (args.length === 0) return; // unix_timestamp(): the transpiler's current epoch
      const pattern = args[1];
      if (args.length > 2 || (pattern !== undefined && (pattern.length !== 1 || pattern[0]!.type !== 'STRING'))) return;
      const strftime = sparkPatternToStrftime(pattern?.[0]!.text ?? DEFAULT_PATTERN);
      if (pattern) edits.push({ start: pattern[0]!.start, end: pattern[0]!.end, text: sparkStringLiteral(strftime) });
      else edits.push({ start: tokens[close]!.start, end: tokens[close]!.start, text: `, ${sparkStringLiteral(strftime)}` });
    }
    edits.push({ start: token.start, end: token.end, text: renamed });
  });
  return applyEdits(sql, edits);
}

/** The tokens of each top-level argument between the parentheses at `open` and `close`. */
function topLevelArguments(tokens: readonly Token[], open: number, close: number): Token[][] {
  if (close === open + 1) return [];
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j]!;
    if (t.type === 'L_PAREN' || t.type === 'L_BRACKET') depth++;
    else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET') depth--;
    if (t.type === 'COMMA' && depth === 0) args.push([]);
    else args[args.length - 1]!.push(t);
  }
  return args;
}
