/**
 * Spark's higher-order functions that the transpiler leaves under Spark's names, spelled as
 * DuckDB's list functions on DuckDB's text:
 * - `transform(a, x -> ...)` is `list_transform` (a two-parameter lambda is not rewritten:
 *   Spark's index counts from 0, DuckDB's from 1, so it stays an error, not a wrong answer);
 * - `exists(a, f)` / `forall(a, f)` are `list_bool_or` / `list_bool_and` of `list_transform(a, f)`;
 * - `aggregate(a, zero, f)` (the transpiler's REDUCE) is `list_reduce(a, f, zero)`; with a
 *   finishing lambda it is left as it is.
 */
import { applyEdits, closingParen, tokensOf, type Edit, type Token } from './tokens.js';

export function rewriteLambdaCalls(duckSql: string): string {
  if (!/->/.test(duckSql)) return duckSql;
  const tokens = tokensOf(duckSql, 'duckdb');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    const name = token.text.toUpperCase();
    if (tokens[i + 1]?.type !== 'L_PAREN' || tokens[i - 1]?.type === 'DOT') return;
    const close = closingParen(tokens, i + 1);
    if (close < 0) return;
    const args = argumentRanges(tokens, i + 1, close);
    const text = (k: number): string => duckSql.slice(args[k]![0], args[k]![1]);
    const replace = (replacement: string): void => {
      edits.push({ start: token.start, end: tokens[close]!.end, text: replacement });
    };
    if (name === 'TRANSFORM' && args.length === 2 && !text(1).trimStart().startsWith('(')) {
      replace(`list_transform(${text(0)}, ${text(1)})`);
    } else if ((name === 'EXISTS' || name === 'FORALL') && args.length === 2 && text(1).includes('->')) {
      replace(`${name === 'EXISTS' ? 'list_bool_or' : 'list_bool_and'}(list_transform(${text(0)}, ${text(1)}))`);
    } else if (name === 'REDUCE' && args.length === 3) {
      replace(`list_reduce(${text(0)}, ${text(2)}, ${text(1)})`);
    }
  });
  // Only the outermost call of nested ones is rewritten per pass; the next pass takes the rest.
  const outer = edits.filter((e) => !edits.some((o) => o !== e && o.start <= e.start && o.end >= e.end));
  const out = applyEdits(duckSql, outer);
  return out === duckSql ? out : rewriteLambdaCalls(out);
}

/** [start, end) of each top-level argument between the parentheses at `open` and `close`. */
function argumentRanges(tokens: readonly Token[], open: number, close: number): [number, number][] {
  const ranges: [number, number][] = [];
  let depth = 0;
  let from = open + 1;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j]!;
    if (t.type === 'L_PAREN' || t.type === 'L_BRACKET') depth++;
    else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET') depth--;
    else if (t.type === 'COMMA' && depth === 0) {
      ranges.push([tokens[from]!.start, tokens[j - 1]!.end]);
      from = j + 1;
    }
  }
  if (close > open + 1) ranges.push([tokens[from]!.start, tokens[close - 1]!.end]);
  return ranges;
}
