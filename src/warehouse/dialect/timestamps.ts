/**
 * TIMESTAMP literals. The warehouse keeps a Databricks TIMESTAMP as DuckDB's zone-less
 * TIMESTAMP holding the wall-clock time in the session's time zone (so its parts, text form
 * and date_format read as Databricks shows them); the transpiler makes `TIMESTAMP '...'` a
 * plain cast, which drops a zone written in the text (`Z`, `+02:00`, a region). The literal is
 * the library's `__dbsql_timestamp('...')` instead: read as TIMESTAMPTZ (a text without a zone
 * is in the session's time zone, the connection's TimeZone) and shown in the session's zone.
 * docs/sql-dialect.md ("TIMESTAMP and the session time zone") says what this does not cover.
 */
import { applyEdits, tokensOf, type Edit } from './tokens.js';

export function rewriteTimestampLiterals(sql: string): string {
  if (!/timestamp(_ltz)?\s*'/i.test(sql)) return sql;
  const tokens = tokensOf(sql, 'databricks');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    const next = tokens[i + 1];
    const word = token.text.toUpperCase();
    if (token.type !== 'VAR' || (word !== 'TIMESTAMP' && word !== 'TIMESTAMP_LTZ') || next?.type !== 'STRING') return;
    if (tokens[i - 1]?.type === 'DOT' || sql[next.start] !== "'") return;
    edits.push({ start: token.start, end: next.end, text: `__dbsql_timestamp(${sql.slice(next.start, next.end)})` });
  });
  return applyEdits(sql, edits);
}
