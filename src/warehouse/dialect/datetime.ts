/**
 * Spark datetime functions whose transpiled DuckDB form gives another answer:
 * - `date_add`, `date_sub`, `add_months` become `DATE + INTERVAL`, a TIMESTAMP in DuckDB; Spark
 *   returns a DATE.
 * - `dayofweek` becomes DuckDB's ISODOW (Monday = 1); Spark counts from Sunday = 1.
 * Before transpiling they are renamed to functions of the library (spark-functions.ts), which
 * the transpiler passes through. The functions that take a date or timestamp and are given a
 * string (`hour('2009-07-30 12:58:59')`) are library functions under their own names, casting
 * their argument as Spark does.
 */
import { applyEdits, tokensOf, type Edit } from './tokens.js';

/** Spark function -> library function it is renamed to. */
const RENAMED: Record<string, string> = {
  date_add: '__dbsql_date_add',
  date_sub: '__dbsql_date_sub',
  add_months: '__dbsql_add_months',
  dayofweek: '__dbsql_dayofweek',
};

/** The statement with the functions above renamed (on Databricks' tokens: literals stay). */
export function renameDatetimeFunctions(sql: string): string {
  if (!/\b(date_add|date_sub|add_months|dayofweek)\s*\(/i.test(sql)) return sql;
  const tokens = tokensOf(sql, 'databricks');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    const target = RENAMED[token.text.toLowerCase()];
    if (target && tokens[i + 1]?.type === 'L_PAREN' && tokens[i - 1]?.type !== 'DOT' && token.type !== 'QUOTED_IDENTIFIER') {
      edits.push({ start: token.start, end: token.end, text: target });
    }
  });
  return applyEdits(sql, edits);
}
