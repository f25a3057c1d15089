/**
 * Spark's `x[i]`: an ARRAY's index counts from 0, a MAP's is its key. DuckDB's counts from 1
 * for a list, so `x[i]` becomes the library's `__dbsql_subscript(x, i)`, which adds 1 only
 * when x is a list (its type is known when DuckDB binds the call, not here). A subscript that
 * is a string literal can only be a MAP key and stays as it is.
 * A struct field of a call or a parenthesised expression (`named_struct('a', 1).a`), which the
 * transpiler cannot parse, becomes the library's `__dbsql_field(call, 'a')`.
 */
import { applyEdits, openingBracket, rewriteEach, tokensOf, type Token } from './tokens.js';

const ENDS_EXPRESSION = new Set(['VAR', 'QUOTED_IDENTIFIER', 'R_PAREN', 'R_BRACKET']);

/** The statement with each array-or-map subscript as a library call (on Databricks' tokens). */
export function rewriteSubscripts(sql: string): string {
  // One subscript per pass, leftmost first, so `a[0][1]` becomes a call and then a call's subscript.
  return rewriteEach(sql, rewriteFirst, (out) => out.includes('['), 100);
}

/** The statement with each field of a call or of a parenthesised expression as a library call. */
export function rewriteCallFields(sql: string): string {
  return rewriteEach(sql, rewriteFirstField, (out) => /\)\s*\./.test(out), 100);
}

function rewriteFirstField(sql: string): string {
  const tokens = tokensOf(sql, 'databricks');
  for (let k = 1; k + 1 < tokens.length; k++) {
    const field = tokens[k + 1]!;
    if (tokens[k]!.type !== 'DOT' || tokens[k - 1]!.type !== 'R_PAREN') continue;
    if (field.type !== 'VAR' && field.type !== 'QUOTED_IDENTIFIER') continue;
    const base = baseStart(tokens, k - 1);
    if (base < 0) continue;
    const start = tokens[base]!.start;
    const call = `__dbsql_field(${sql.slice(start, tokens[k]!.start)}, '${field.text.replaceAll("'", "\\'")}')`;
    return applyEdits(sql, [{ start, end: field.end, text: call }]);
  }
  return sql;
}

function rewriteFirst(sql: string): string {
  const tokens = tokensOf(sql, 'databricks');
  for (let k = 1; k < tokens.length; k++) {
    if (tokens[k]!.type !== 'L_BRACKET' || !ENDS_EXPRESSION.has(tokens[k - 1]!.type)) continue;
    const close = closingBracket(tokens, k);
    if (close < 0) return sql;
    const inner = tokens.slice(k + 1, close);
    if (inner.length === 1 && inner[0]!.type === 'STRING') continue;
    const base = baseStart(tokens, k - 1);
    if (base < 0) continue;
    const start = tokens[base]!.start;
    const call = `__dbsql_subscript(${sql.slice(start, tokens[k]!.start)}, ${sql.slice(tokens[k]!.end, tokens[close]!.start)})`;
    return applyEdits(sql, [{ start, end: tokens[close]!.end, text: call }]);
  }
  return sql;
}

/** The first token of the postfix expression ending at `end`: a name, a.b.c, f(...) or (...). */
function baseStart(tokens: readonly Token[], end: number): number {
  let j = end;
  if (tokens[j]!.type === 'R_PAREN' || tokens[j]!.type === 'R_BRACKET') {
    j = openingBracket(tokens, j);
    if (j < 0) return -1;
    if (tokens[j - 1]?.type === 'VAR' || tokens[j - 1]?.type === 'QUOTED_IDENTIFIER') j--;
  }
  while (tokens[j - 1]?.type === 'DOT' && ['VAR', 'QUOTED_IDENTIFIER'].includes(tokens[j - 2]?.type ?? '')) j -= 2;
  return j;
}

function closingBracket(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const type = tokens[j]!.type;
    if (type === 'L_BRACKET' || type === 'L_PAREN') depth++;
    else if (type === 'R_BRACKET' || type === 'R_PAREN') depth--;
    if (depth === 0) return type === 'R_BRACKET' ? j : -1;
  }
  return -1;
}
