/**
 * Spark's higher-order functions that the transpiler leaves under Spark's names (or maps to a
 * DuckDB function with other semantics), spelled as DuckDB's list and map functions on
 * DuckDB's text:
 * - `transform(a, f)` and `filter(a, f)` are `list_transform` / `list_filter`; with an index
 *   parameter `(x, i) -> ...` the index counts from 0 as in Spark (DuckDB's from 1);
 * - `exists(a, f)` / `forall(a, f)` are `list_bool_or` / `list_bool_and` of `list_transform(a, f)`;
 * - `aggregate(a, zero, f[, finish])` (the transpiler's REDUCE) is `list_reduce(a, f, zero)`,
 *   the finishing lambda applied to its result;
 * - `zip_with(a, b, f)` pairs elements by position (NULL past the shorter array);
 * - `transform_values`, `transform_keys` and `map_filter` go through `map_entries`.
 * A lambda's parameters are substituted into its body as expressions, so no DuckDB lambda
 * needs more parameters than DuckDB gives.
 */
import { applyEdits, closingParen, tokensOf, topLevelParts, type Edit } from './tokens.js';

export function rewriteLambdaCalls(duckSql: string): string {
  if (!/->/.test(duckSql)) return duckSql;
  const tokens = tokensOf(duckSql, 'duckdb');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    const name = token.text.toUpperCase();
    if (tokens[i + 1]?.type !== 'L_PAREN' || tokens[i - 1]?.type === 'DOT') return;
    const close = closingParen(tokens, i + 1);
    if (close < 0) return;
    const args = topLevelParts(tokens, i + 1, close).map(([first, last]) => [tokens[first]!.start, tokens[last]!.end] as const);
    const text = (k: number): string => duckSql.slice(args[k]![0], args[k]![1]);
    const lambda = (k: number): Lambda | undefined => (k < args.length ? lambdaOf(text(k)) : undefined);
    const replacement = rewrite(name, args.length, text, lambda);
    if (replacement !== undefined) edits.push({ start: token.start, end: tokens[close]!.end, text: replacement });
  });
  // Only the outermost call of nested ones is rewritten per pass; the next pass takes the rest.
  const outer = edits.filter((e) => !edits.some((o) => o !== e && o.start <= e.start && o.end >= e.end));
  const out = applyEdits(duckSql, outer);
  return out === duckSql ? out : rewriteLambdaCalls(out);
}

/** The index parameter of a rewritten lambda, which counts from 1 (DuckDB's). */
const INDEX = '__dbsql_index';

function rewrite(
  name: string,
  count: number,
  text: (k: number) => string,
  lambda: (k: number) => Lambda | undefined,
): string | undefined {
  const f = lambda(count - 1);
  if (f === undefined) return undefined;
  const [p, q] = f.params;
  if ((name === 'TRANSFORM' || name === 'LIST_TRANSFORM' || name === 'LIST_FILTER') && count === 2) {
    const target = name === 'LIST_FILTER' ? 'list_filter' : 'list_transform';
    if (f.params.length === 1) return name === 'TRANSFORM' ? `list_transform(${text(0)}, ${text(1)})` : undefined;
    if (q === INDEX) return undefined; // rewritten already
    return `${target}(${text(0)}, (${p}, ${INDEX}) -> ${f.apply({ [q!]: `(CAST(${INDEX} AS INTEGER) - 1)` })})`;
  }
  if ((name === 'EXISTS' || name === 'FORALL') && count === 2) {
    return `${name === 'EXISTS' ? 'list_bool_or' : 'list_bool_and'}(list_transform(${text(0)}, ${text(1)}))`;
  }
  if (name === 'REDUCE' && count === 3) return `list_reduce(${text(0)}, ${text(2)}, ${text(1)})`;
  if (name === 'REDUCE' && count === 4 && lambda(2) !== undefined && f.params.length === 1) {
    return f.apply({ [p!]: `(list_reduce(${text(0)}, ${text(2)}, ${text(1)}))` });
  }
  if (name === 'ZIP_WITH' && count === 3 && f.params.length === 2) {
    const [a, b] = [text(0), text(1)];
    const at = (list: string): string => `(${list})[__dbsql_i]`;
    return `list_transform(range(1, greatest(len(${a}), len(${b})) + 1), __dbsql_i -> ${f.apply({ [p!]: at(a), [q!]: at(b) })})`;
  }
  if (count === 2 && f.params.length === 2) {
    const entry = { [p!]: '__dbsql_e.key', [q!]: '__dbsql_e.value' };
    const entries = `map_entries(${text(0)})`;
    if (name === 'TRANSFORM_VALUES') {
      return `map_from_entries(list_transform(${entries}, __dbsql_e -> {'key': __dbsql_e.key, 'value': ${f.apply(entry)}}))`;
    }
    if (name === 'TRANSFORM_KEYS') {
      return `map_from_entries(list_transform(${entries}, __dbsql_e -> {'key': ${f.apply(entry)}, 'value': __dbsql_e.value}))`;
    }
    if (name === 'MAP_FILTER') return `map_from_entries(list_filter(${entries}, __dbsql_e -> ${f.apply(entry)}))`;
  }
  return undefined;
}

/** A lambda `x -> body` or `(x, y) -> body`, and its body with parameters replaced by expressions. */
interface Lambda {
  readonly params: readonly string[];
  apply(values: Record<string, string>): string;
}

function lambdaOf(text: string): Lambda | undefined {
  const tokens = tokensOf(text, 'duckdb');
  const arrow = tokens.findIndex((t) => t.type === 'OP' && t.text === '->');
  if (arrow < 1) return undefined;
  const head = tokens.slice(0, arrow).filter((t) => t.type !== 'L_PAREN' && t.type !== 'R_PAREN' && t.type !== 'COMMA');
  if (head.some((t) => t.type !== 'VAR')) return undefined;
  const params = head.map((t) => t.text);
  const bodyStart = tokens[arrow]!.end;
  const body = tokens.slice(arrow + 1);
  return {
    params,
    apply(values) {
      const edits: Edit[] = [];
      body.forEach((t, k) => {
        const value = values[t.text];
        if (t.type === 'VAR' && value !== undefined && body[k - 1]?.type !== 'DOT') {
          edits.push({ start: t.start - bodyStart, end: t.end - bodyStart, text: value });
        }
      });
      return `(${applyEdits(text.slice(bodyStart), edits)})`;
    },
  };
}
