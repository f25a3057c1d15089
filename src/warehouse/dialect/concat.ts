/**
 * Spark's `concat` (and `||`, which the transpiler turns into CONCAT) is NULL when any argument
 * is; DuckDB's CONCAT skips NULL arguments. DuckDB's `||` propagates NULL but types a constant
 * NULL operand's result as NULL rather than as a string, so each call becomes
 * `(CASE WHEN (a) IS NULL OR (b) IS NULL THEN NULL ELSE concat(a, b) END)`, which keeps
 * CONCAT's type. The arguments' text is repeated (evaluated for the test and for the value);
 * nested calls (`a || '-' || b` is CONCAT(CONCAT(a, '-'), b)) are flattened first, so the text
 * grows linearly, not with the nesting.
 */
import { applyEdits, closingParen, rewriteEach, tokensOf, type Token } from './tokens.js';

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
  const out: string[] = [];
  let first = open + 1;
  let depth = 0;
  for (let j = open + 1; j <= close; j++) {
    const t = tokens[j]!;
    if (j < close && (t.type === 'L_PAREN' || t.type === 'L_BRACKET')) depth++;
    else if (j < close && (t.type === 'R_PAREN' || t.type === 'R_BRACKET')) depth--;
    else if (j === close || (t.type === 'COMMA' && depth === 0)) {
      if (j > first) {
        const whole = isConcatCall(tokens, first) && closingParen(tokens, first + 1) === j - 1;
        if (whole) out.push(...leaves(sql, tokens, first + 1, j - 1));
        else out.push(sql.slice(tokens[first]!.start, tokens[j - 1]!.end));
      }
      first = j + 1;
    }
  }
  return out;
}
