/**
 * Spark's `concat` (and `||`, which the transpiler turns into CONCAT) is NULL when any argument
 * is; DuckDB's CONCAT skips NULL arguments. DuckDB's `||` propagates NULL but types a constant
 * NULL operand's result as NULL rather than as a string, so each call becomes
 * `(CASE WHEN (a) IS NULL OR (b) IS NULL THEN NULL ELSE concat(a, b) END)`, which keeps
 * CONCAT's type. The arguments' text is repeated (evaluated for the test and for the value);
 * nested calls (`a || '-' || b` is CONCAT(CONCAT(a, '-'), b)) are flattened first, so the text
 * grows linearly, not with the nesting.
 */
import { applyEdits, closingParen, rewriteEach, tokensOf, topLevelParts, type Token } from './tokens.js';

/** The statement with every transpiled CONCAT call NULL-propagating (on DuckDB's tokens). */
export function propagateConcatNulls(sql: string): string {
  // Outermost first, one per pass: a rewritten call is spelt lower-case and not matched again;
  // a call inside another function's argument is repeated with it, and rewritten on a later pass.
  return rewriteEach(sql, rewriteFirst, (out) => out.includes('CONCAT('), 1000);
}

function rewriteFirst(sql: string): string {
  const tokens = tokensOf(sql, 'duckdb');
  const at = tokens.findIndex((_, i) => isConcatCall(tokens, i));
  if (at < 0) return sql;
  const close = closingParen(tokens, at + 1);
  if (close < 0) return sql;
  const parts = leaves(sql, tokens, at + 1, close);
  const text =
    parts.length < 2
      ? `concat(${parts.join(', ')})`
      : `(CASE WHEN ${parts.map((a) => `(${a}) IS NULL`).join(' OR ')} THEN NULL ELSE concat(${parts.join(', ')}) END)`;
  return applyEdits(sql, [{ start: tokens[at]!.start, end: tokens[close]!.end, text }]);
}

function isConcatCall(tokens: readonly Token[], i: number): boolean {
  return tokens[i]!.text === 'CONCAT' && tokens[i + 1]?.type === 'L_PAREN' && tokens[i - 1]?.type !== 'DOT';
}

/** The arguments between the parentheses at `open` and `close`, a nested CONCAT's spread out. */
function leaves(sql: string, tokens: readonly Token[], open: number, close: number): string[] {
  return topLevelParts(tokens, open, close).flatMap(([first, last]) =>
    isConcatCall(tokens, first) && closingParen(tokens, first + 1) === last
      ? leaves(sql, tokens, first + 1, last)
      : [sql.slice(tokens[first]!.start, tokens[last]!.end)],
  );
}
