/**
 * Statement forms DuckDB spells otherwise, fixed on DuckDB's text after transpiling:
 * - `INSERT OVERWRITE [TABLE] t <query>`: DuckDB has none; it becomes one atomic
 *   `CREATE OR REPLACE TABLE t AS SELECT <the query's columns cast to t's types>`, built where
 *   the table's columns are known (see prepare.ts).
 * - MERGE: `UPDATE SET *` / `INSERT *` are DuckDB's bare `UPDATE` / `INSERT` (by column name),
 *   and `SET t.col = ...` targets lose their qualifier.
 */
import { applyEdits, isWord, tokensOf, type Edit } from './tokens.js';

/** An INSERT OVERWRITE: the target table and the DuckDB query whose rows replace its rows. */
export interface Overwrite {
  readonly table: string;
  readonly query: string;
}

/** `INSERT OVERWRITE [TABLE] t` becomes `INSERT INTO t`, so the transpiler reads it; true if it was one. */
export function markOverwrite(sql: string): { sql: string; overwrite: boolean } {
  const match = /^(\s*INSERT\s+)OVERWRITE(\s+TABLE)?(?=\s)/i.exec(sql);
  if (!match) return { sql, overwrite: false };
  return { sql: `${match[1]}INTO${sql.slice(match[0].length)}`, overwrite: true };
}

/** The table and query of a translated `INSERT INTO t <query>`. */
export function overwriteOf(duckSql: string): Overwrite | { error: string } {
  const tokens = tokensOf(duckSql, 'duckdb');
  let i = 2; // past INSERT INTO
  while (isWord(tokens[i]) && tokens[i + 1]?.type === 'DOT') i += 2;
  const name = tokens[i];
  if (name === undefined || !isWord(name)) return { error: 'INSERT OVERWRITE needs a table name' };
  const next = tokens[i + 1];
  if (next === undefined) return { error: 'INSERT OVERWRITE needs a query' };
  if (next.type === 'L_PAREN' && tokens[i + 2]?.type !== 'SELECT') {
    return { error: 'INSERT OVERWRITE with a column list or PARTITION clause' };
  }
  return { table: duckSql.slice(tokens[2]!.start, name.end), query: duckSql.slice(next.start) };
}

/** A translated MERGE with DuckDB's spelling of `UPDATE SET *`, `INSERT *` and `SET t.col`. */
export function fixMerge(duckSql: string): string {
  if (!/^\s*MERGE\b/i.test(duckSql)) return duckSql;
  const tokens = tokensOf(duckSql, 'duckdb');
  const edits: Edit[] = [];
  let inSet = false;
  let depth = 0;
  tokens.forEach((token, i) => {
    const upper = token.text.toUpperCase();
    if (token.type === 'L_PAREN') depth++;
    else if (token.type === 'R_PAREN') depth--;
    if (upper === 'UPDATE' || upper === 'INSERT') {
      const star =
        tokens[i + 1]?.type === 'STAR' ? i + 1 : tokens[i + 1]?.type === 'SET' && tokens[i + 2]?.type === 'STAR' ? i + 2 : -1;
      if (star > 0) edits.push({ start: token.end, end: tokens[star]!.end, text: '' });
    }
    if (token.type === 'SET') inSet = true;
    else if (upper === 'WHEN') inSet = false;
    const assignmentStart = tokens[i - 1]?.type === 'SET' || tokens[i - 1]?.type === 'COMMA';
    if (
      inSet &&
      depth === 0 &&
      assignmentStart &&
      isWord(token) &&
      tokens[i + 1]?.type === 'DOT' &&
      isWord(tokens[i + 2]) &&
      tokens[i + 3]?.text === '='
    ) {
      edits.push({ start: token.start, end: tokens[i + 1]!.end, text: '' });
    }
  });
  return applyEdits(duckSql, edits);
}
