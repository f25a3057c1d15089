/**
 * Result column names as Spark gives them. Spark names an unaliased select item after the
 * expression as it prints it (`sum(id)`, `count(1)`, `(a + 1)`, a string literal by its text
 * even inside a call, `upper(abc)`; `true`; `DATE '2020-01-01'`; `'a' || 'b'` as
 * `concat(a, b)`; `1L` as `1`); DuckDB names it after the translated expression. So before
 * translating, each unaliased item of the outermost select list gets an explicit alias with
 * Spark's name.
 */
import { jsonPathName } from './json.js';
import { applyEdits, isWord, tokensOf, type Edit, type Token } from './tokens.js';

/** Tokens that end a select list at its own depth. */
const LIST_END = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'ORDER',
  'LIMIT',
  'WINDOW',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'SEMICOLON',
  'INTO',
  'LATERAL',
  'CLUSTER',
  'DISTRIBUTE',
  'SORT',
]);
const BINARY = new Set([
  '+',
  '-',
  '*',
  '/',
  '%',
  '||',
  '=',
  '==',
  '<>',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '<=>',
  'AND',
  'OR',
  'DIV',
  '&',
  '|',
  '^',
  'LIKE',
  'IS',
  'IN',
]);

/** `sql` with Spark's name as an alias on each unaliased item of its outermost select list. */
export function aliasSelectItems(sql: string): string {
  const tokens = tokensOf(sql, 'databricks');
  const select = outermostSelect(tokens);
  if (select < 0) return sql;
  const edits: Edit[] = [];
  let i = select + 1;
  while (tokens[i]?.type === 'DISTINCT' || tokens[i]?.type === 'ALL') i++;
  let item: Token[] = [];
  let depth = 0;
  for (; i <= tokens.length; i++) {
    const token = tokens[i];
    const ends = token === undefined || (depth === 0 && (token.type === 'COMMA' || LIST_END.has(token.type)));
    if (ends) {
      const name = sparkNameOf(item);
      if (name !== undefined)
        edits.push({ start: item.at(-1)!.end, end: item.at(-1)!.end, text: ` AS \`${name.replaceAll('`', '``')}\`` });
      item = [];
      if (token === undefined || token.type !== 'COMMA') break;
      continue;
    }
    if (token.type === 'L_PAREN' || token.type === 'L_BRACKET') depth++;
    else if (token.type === 'R_PAREN' || token.type === 'R_BRACKET') depth--;
    item.push(token);
  }
  return applyEdits(sql, edits);
}

/** Index of the SELECT at paren depth 0 (past any WITH clause), or -1. */
function outermostSelect(tokens: readonly Token[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.type;
    if (type === 'L_PAREN') depth++;
    else if (type === 'R_PAREN') depth--;
    else if (type === 'SELECT' && depth === 0) return i;
  }
  return -1;
}

/** Spark's name of an unaliased item; undefined when it has an alias or DuckDB names it alike. */
function sparkNameOf(item: readonly Token[]): string | undefined {
  if (item.length === 0) return undefined;
  if (atDepthZero(item).some((t) => t.type === 'AS') || (item.at(-1)!.type === 'STAR' && item.length <= 3)) return undefined;
  if (item.length === 1 && /^(true|false)$/i.test(item[0]!.text) && item[0]!.type === 'VAR') return item[0]!.text.toLowerCase();
  const last = item.at(-1)!;
  const beforeLast = item.at(-2);
  // A column (a, t.a, `a`): DuckDB names it as Spark does.
  if (item.every((t, k) => (k % 2 === 0 ? isWord(t) : t.type === 'DOT'))) return undefined;
  // A JSON path (`raw:store.bicycle`): its last key.
  const jsonName = jsonPathName(item);
  if (jsonName !== undefined) return jsonName;
  // An implicit alias: `expr name`.
  if (
    item.length > 1 &&
    (last.type === 'VAR' || last.type === 'QUOTED_IDENTIFIER') &&
    beforeLast &&
    !BINARY.has(beforeLast.text.toUpperCase()) &&
    beforeLast.type !== 'DOT'
  ) {
    return undefined;
  }
  if (item.length === 1 && last.type === 'STRING') return last.text;
  const concat = concatenation(item);
  if (concat !== undefined) return concat;
  const head = item[0]!.text.toLowerCase();
  if (item[1]?.type === 'L_PAREN' && (head === 'explode' || head === 'explode_outer') && item.at(-1)!.type === 'R_PAREN')
    return 'col';
  if (item[1]?.type === 'L_PAREN' && /^(posexplode|inline|stack|json_tuple)/.test(head)) return undefined;
  const text = printed(item);
  const topLevelBinary = hasTopLevelBinary(item);
  return topLevelBinary ? `(${text})` : text;
}

/** `a || b || c` as Spark prints it, `concat(a, b, c)`; undefined when other operators are at the top. */
function concatenation(item: readonly Token[]): string | undefined {
  const top = atDepthZero(item).filter((t) => t !== item[0] && BINARY.has(t.text.toUpperCase()) && t.type !== 'STRING');
  if (top.length === 0 || top.some((t) => t.text !== '||')) return undefined;
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of item) {
    if (t.type === 'L_PAREN' || t.type === 'L_BRACKET') depth++;
    else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET') depth--;
    if (depth === 0 && t.text === '||' && t.type !== 'STRING') parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return `concat(${parts.map((part) => printed(part)).join(', ')})`;
}

/** Words that make a typed literal of the string after them, which Spark prints quoted. */
const TYPED_LITERALS = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'INTERVAL', 'X']);

/** A number as Spark prints it: without a type suffix (1L, 2S, 3Y, 1.5D, 1.5F, 2.50BD). */
function numberText(text: string): string {
  return /^(\d+(?:\.\d*)?|\.\d+)(?:L|S|Y|D|F|BD)$/i.exec(text)?.[1] ?? text;
}

function hasTopLevelBinary(item: readonly Token[]): boolean {
  return atDepthZero(item).some((t) => t !== item[0] && BINARY.has(t.text.toUpperCase()) && t.type !== 'STRING');
}

/** The tokens outside any parentheses or brackets. */
function atDepthZero(item: readonly Token[]): Token[] {
  let depth = 0;
  return item.filter((t) => {
    if (t.type === 'L_PAREN' || t.type === 'L_BRACKET') depth++;
    else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET') depth--;
    return depth === 0 && t.type !== 'R_PAREN' && t.type !== 'R_BRACKET';
  });
}

/** The item as Spark prints it: function names in lower case, `count(*)` as `count(1)`, spaced operators. */
function printed(item: readonly Token[]): string {
  let out = '';
  item.forEach((t, k) => {
    const next = item[k + 1];
    const prev = item[k - 1];
    const typed = t.type === 'STRING' && prev !== undefined && TYPED_LITERALS.has(prev.text.toUpperCase());
    // Spark prints a string literal by its text, except after DATE, TIMESTAMP, X, ...
    let text = t.type === 'NUMBER' ? numberText(t.text) : typed ? `'${t.text}'` : t.text;
    if (typed && prev.text.toUpperCase() !== 'X') text = ` ${text}`;
    if (typed && prev.text.toUpperCase() === 'X') text = `'${t.text.toUpperCase()}'`;
    if (next?.type === 'L_PAREN' && isWord(t) && t.type !== 'CAST' && t.type !== 'TRY_CAST') text = t.text.toLowerCase();
    if (next?.type === 'STRING' && isWord(t) && TYPED_LITERALS.has(t.text.toUpperCase())) text = t.text.toUpperCase();
    if (t.type === 'STAR' && prev?.type === 'L_PAREN' && next?.type === 'R_PAREN') text = '1';
    const binary =
      BINARY.has(t.text.toUpperCase()) && t.type !== 'STRING' && k > 0 && prev?.type !== 'L_PAREN' && prev?.type !== 'COMMA';
    if (binary) out += ` ${text.toUpperCase() === text || !/^[a-z]/i.test(text) ? text : text.toUpperCase()} `;
    else if (t.type === 'COMMA') out += ', ';
    else if (
      isWord(t) &&
      prev &&
      (isWord(prev) || prev.type === 'NUMBER' || prev.type === 'STRING' || prev.type === 'R_PAREN') &&
      !/^[(.]/.test(text)
    )
      out += ` ${text}`;
    else out += text;
  });
  return out;
}
