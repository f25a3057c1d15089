/**
 * ANSI division: on a SQL warehouse `x / 0`, `x DIV 0` and `x % 0` fail with
 * [DIVIDE_BY_ZERO] (22012); DuckDB gives Infinity, NaN or NULL. On DuckDB's text after
 * transpiling, the right operand of each `/`, `//` and `%` is wrapped in the function
 * library's `__divisor(x)`, which is `x` unless it is 0. The operand is the next primary (a
 * literal, a name, a call, a parenthesized expression, with any sign, `[...]` or `::type`
 * after it): the operators bind tighter than anything else that could follow. An operand the
 * pass cannot delimit (a CASE expression) is left as it is.
 */
import { SPARK_FUNCTION_CATALOG } from './spark-functions.js';
import { applyEdits, closingParen, isWord, tokensOf, type Edit, type Token } from './tokens.js';

/** The macro (in the function library) that passes a non-zero divisor through. */
const DIVISOR_MACRO = '__divisor';

/**
 * Wraps each divisor: in ANSI mode in `__divisor` (an error on 0), otherwise in `nullif(x, 0)`
 * (NULL, as Spark without ANSI). `DIV`'s divisor (DuckDB's `//`) is also cast to BIGINT,
 * so that the quotient is BIGINT as Spark types it.
 */
export function guardDivisors(duckSql: string, ansi = true): string {
  if (!/[/%]/.test(duckSql)) return duckSql;
  const tokens = tokensOf(duckSql, 'duckdb');
  const edits: Edit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== 'OP' || (token.text !== '/' && token.text !== '%')) continue;
    let operator = i;
    const next = tokens[i + 1];
    if (token.text === '/' && next?.type === 'OP' && next.text === '/' && next.start === token.end) operator = i + 1;
    const end = operandEnd(tokens, operator + 1);
    if (end < 0) continue;
    const integral = operator > i;
    const open = ansi ? `${SPARK_FUNCTION_CATALOG}.${DIVISOR_MACRO}(` : 'nullif(';
    const close = ansi ? ')' : ', 0)';
    const from = tokens[operator + 1]!.start;
    const to = tokens[end]!.end;
    edits.push({ start: from, end: from, text: integral ? `${open}CAST(` : open });
    edits.push({ start: to, end: to, text: integral ? ` AS BIGINT)${close}` : close });
    i = operator;
  }
  return applyEdits(duckSql, edits);
}

/** The index of the last token of the primary starting at `from`, or -1. */
function operandEnd(tokens: readonly Token[], from: number): number {
  let i = from;
  while (tokens[i]?.type === 'OP' && (tokens[i]!.text === '-' || tokens[i]!.text === '+')) i++;
  const first = tokens[i];
  if (first === undefined) return -1;
  let end: number;
  if (first.type === 'L_PAREN') {
    end = closingParen(tokens, i);
  } else if (first.type === 'NUMBER' || first.type === 'STRING' || first.type === 'PARAMETER') {
    end = i;
  } else if (first.type === 'OP' && first.text === '$' && tokens[i + 1]?.start === first.end) {
    end = i + 1; // a parameter marker, $name or $1
  } else if (isWord(first) && first.type !== 'CASE' && first.type !== 'SELECT') {
    end = i;
    while (tokens[end + 1]?.type === 'DOT' && isWord(tokens[end + 2])) end += 2;
    if (tokens[end + 1]?.type === 'L_PAREN') end = closingParen(tokens, end + 1);
  } else {
    return -1;
  }
  if (end < 0) return -1;
  // Postfix: subscripts and `::type` casts.
  for (;;) {
    const after = tokens[end + 1];
    if (after?.type === 'L_BRACKET') {
      end = closingBracket(tokens, end + 1);
      if (end < 0) return -1;
    } else if (after?.type === 'D_COLON' && isWord(tokens[end + 2])) {
      end += 2;
      if (tokens[end + 1]?.type === 'L_PAREN') end = closingParen(tokens, end + 1);
      if (end < 0) return -1;
    } else {
      return end;
    }
  }
}

function closingBracket(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.type === 'L_BRACKET') depth++;
    else if (tokens[i]!.type === 'R_BRACKET' && --depth === 0) return i;
  }
  return -1;
}
