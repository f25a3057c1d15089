/**
 * Databricks' JSON syntax the transpiler does not read, rewritten before it into calls it
 * passes through:
 * - `expr:path` (`raw:owner`, `raw:store.bicycle.color`, `raw:items[0].id`, `raw:['zip code']`)
 *   extracts a value as a STRING (an object or array as its JSON text): it becomes a library
 *   call on DuckDB's JSONPath, `__dbsql_json_path(expr, '$.path')`. Keys match
 *   case-sensitively here, bracketed or not (Databricks matches unbracketed keys in any
 *   case); the `[*]` wildcard is refused.
 * - `from_json(json, 'a INT, b DOUBLE')`, the schema as a DDL string, becomes a JSON transform
 *   to the DuckDB type the transpiler gives that schema; malformed JSON gives NULL.
 */
import { SqlStatementError } from '../errors.js';
import { polyglot } from './polyglot.js';
import {
  applyEdits,
  closingParen,
  isWord,
  openingBracket,
  sparkStringLiteral,
  tokensOf,
  topLevelParts,
  type Edit,
  type Token,
} from './tokens.js';

/** Library functions (spark-functions.ts): JSON text to a DuckDB type, and a path's value. */
const FROM_JSON = '__dbsql_from_json';
const JSON_PATH = '__dbsql_json_path';

/** Words after which `:name` is a parameter marker, not a JSON path (`THEN :a`). */
const KEYWORDS_BEFORE_VALUE = new Set(
  'THEN ELSE WHEN BETWEEN INTERVAL OFFSET ESCAPE ILIKE GLOB RLIKE REGEXP BY TO DEFAULT RETURN'.split(' '),
);

/** One `expr:path` at a colon: token indexes of the expression's start and the path's end. */
interface JsonPath {
  readonly start: number;
  readonly colon: number;
  readonly end: number;
  /** The path in DuckDB's JSONPath form, `$.a.b[0]`. */
  readonly path: string;
  /** The last key, which names the result column. */
  readonly lastKey: string | undefined;
}

/** `sql` with its JSON paths and DDL-schema from_json calls rewritten (on Databricks' tokens). */
export function rewriteJson(sql: string): string {
  if (!sql.includes(':') && !/from_json/i.test(sql)) return sql;
  const tokens = tokensOf(sql, 'databricks');
  const edits: Edit[] = [];
  const taken: JsonPath[] = [];
  for (const path of jsonPaths(tokens)) {
    // A path whose expression starts inside another path (`c:a:b`) is left for the
    // transpiler to refuse; one whose expression holds another (`f(c:a):b`) is fine.
    if (taken.some((other) => other.start < path.start && path.start <= other.end)) continue;
    taken.push(path);
    edits.push({ start: tokens[path.start]!.start, end: tokens[path.start]!.start, text: `${JSON_PATH}(` });
    edits.push({ start: tokens[path.colon]!.start, end: tokens[path.end]!.end, text: `, ${sparkStringLiteral(path.path)})` });
  }
  tokens.forEach((token, i) => {
    if (token.text.toLowerCase() !== 'from_json' || tokens[i + 1]?.type !== 'L_PAREN' || tokens[i - 1]?.type === 'DOT') return;
    const close = closingParen(tokens, i + 1);
    const parts = close < 0 ? [] : topLevelParts(tokens, i + 1, close);
    const schema = parts[1];
    if (parts.length !== 2 || schema![0] !== schema![1] || tokens[schema![0]]!.type !== 'STRING') return;
    const literal = tokens[schema![0]]!;
    edits.push({ start: token.start, end: token.end, text: FROM_JSON });
    edits.push({ start: literal.start, end: literal.end, text: sparkStringLiteral(JSON.stringify(duckDbTypeOf(literal.text))) });
  });
  return applyEdits(sql, edits);
}

/** The name Databricks gives an unaliased `expr:path` select item (its last key), if it is one. */
export function jsonPathName(item: readonly Token[]): string | undefined {
  const paths = jsonPaths(item);
  const whole = paths.find((path) => path.start === 0 && path.end === item.length - 1);
  return whole?.lastKey;
}

/** Every `expr:path` in the tokens, in order. */
function jsonPaths(tokens: readonly Token[]): JsonPath[] {
  const paths: JsonPath[] = [];
  // Open brackets and type brackets (`STRUCT<a: INT>`), whose colons are no paths.
  const open: string[] = [];
  tokens.forEach((token, i) => {
    const before = tokens[i - 1];
    if (token.type === 'L_PAREN' || token.type === 'L_BRACKET') open.push(token.type);
    else if (token.type === 'R_PAREN' || token.type === 'R_BRACKET') open.pop();
    else if (token.text === '<' && token.type === 'OP' && /^(STRUCT|ARRAY|MAP)$/i.test(before?.text ?? '')) open.push('<');
    else if (token.text === '>' && token.type === 'OP' && open.at(-1) === '<') open.pop();
    else if (token.type === 'COLON' && open.at(-1) !== 'L_BRACKET' && open.at(-1) !== '<' && endsOperand(before)) {
      const path = pathAfter(tokens, i);
      const start = operandStart(tokens, i - 1);
      if (path && start >= 0) paths.push({ start, colon: i, ...path });
    }
  });
  return paths;
}

function endsOperand(token: Token | undefined): boolean {
  return isCallName(token) || ['STRING', 'R_PAREN', 'R_BRACKET'].includes(token?.type ?? '');
}

/** Index of the first token of the expression that ends at `end`, or -1. */
function operandStart(tokens: readonly Token[], end: number): number {
  const last = tokens[end];
  if (last?.type === 'STRING') return end;
  if (last?.type === 'R_PAREN' || last?.type === 'R_BRACKET') {
    const open = openingBracket(tokens, end);
    const before = tokens[open - 1];
    // A call (`f(x)`, `CAST(x AS STRING)`) starts at its name, a subscript (`c['a']`) at its operand.
    const grows =
      last.type === 'R_PAREN'
        ? isCallName(before)
        : before !== undefined && (isCallName(before) || ['R_PAREN', 'R_BRACKET', 'STRING'].includes(before.type));
    return open < 0 ? -1 : grows ? operandStart(tokens, open - 1) : open;
  }
  if (!isWord(last)) return -1;
  let k = end;
  while (tokens[k - 1]?.type === 'DOT' && isWord(tokens[k - 2])) k -= 2;
  return k;
}

function isCallName(token: Token | undefined): boolean {
  if (token?.type === 'VAR') return !KEYWORDS_BEFORE_VALUE.has(token.text.toUpperCase());
  return token?.type === 'QUOTED_IDENTIFIER' || token?.type === 'CAST' || token?.type === 'TRY_CAST';
}

/** The path after the colon at `colon`: `a.b`, `a[0]`, `['a b']`, `a['b'][1]`. */
function pathAfter(tokens: readonly Token[], colon: number): Omit<JsonPath, 'start' | 'colon'> | undefined {
  let path = '$';
  let lastKey: string | undefined;
  let j = colon + 1;
  const key = (name: string): void => {
    path += /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `."${name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    lastKey = name;
  };
  for (let first = true; ; first = false) {
    const t = tokens[j];
    if (first && isWord(t)) {
      key(t!.text);
      j += 1;
    } else if (!first && t?.type === 'DOT' && isWord(tokens[j + 1])) {
      key(tokens[j + 1]!.text);
      j += 2;
    } else if (t?.type === 'L_BRACKET' && tokens[j + 2]?.type === 'R_BRACKET') {
      const inner = tokens[j + 1]!;
      if (inner.type === 'STAR') {
        throw new SqlStatementError('[UNSUPPORTED_FEATURE] The JSON path wildcard [*] is not supported here.', '0A000');
      }
      if (inner.type === 'STRING') key(inner.text);
      else if (inner.type === 'NUMBER' && /^\d+$/.test(inner.text)) path += `[${inner.text}]`;
      else return first ? undefined : { end: j - 1, path, lastKey };
      j += 3;
    } else {
      return first ? undefined : { end: j - 1, path, lastKey };
    }
  }
}

/**
 * The DuckDB type of a from_json schema: a DDL column list (`a INT, b ARRAY<STRING>`) or a
 * type (`STRUCT<...>`, `ARRAY<...>`, `MAP<...>`), as the transpiler translates it.
 */
function duckDbTypeOf(schema: string): string {
  const type = /^\s*(STRUCT|ARRAY|MAP)\s*</i.test(schema) ? schema : `STRUCT<${structFields(schema)}>`;
  const result = polyglot().transpile(`SELECT CAST(NULL AS ${type})`, 'databricks' as never, 'duckdb' as never, {
    unsupportedLevel: 'raise',
  });
  const duckDbType = result.success ? /CAST\(NULL AS ([\s\S]+)\)\s*$/.exec(result.sql?.[0] ?? '')?.[1] : undefined;
  if (!duckDbType) {
    throw new SqlStatementError(`[INVALID_SCHEMA.PARSE_ERROR] The from_json schema '${schema}' is not a valid schema.`, '42K07');
  }
  return duckDbType;
}

/** `a INT, b DOUBLE` as STRUCT fields, `a: INT, b: DOUBLE` (NOT NULL and COMMENT dropped). */
function structFields(columns: string): string {
  const tokens = tokensOf(columns, 'databricks');
  const fields: string[] = [];
  let depth = 0;
  let from = 0;
  tokens.forEach((t, i) => {
    if (t.type === 'L_PAREN' || (t.type === 'OP' && t.text === '<')) depth++;
    else if (t.type === 'R_PAREN' || (t.type === 'OP' && t.text === '>')) depth--;
    const last = i === tokens.length - 1;
    if ((t.type === 'COMMA' && depth === 0) || last) {
      const field = tokens.slice(from, last && t.type !== 'COMMA' ? i + 1 : i);
      from = i + 1;
      const name = field[0];
      if (!name) return;
      const typeFrom = field[1]?.type === 'COLON' ? 2 : 1;
      const type = columns
        .slice(field[typeFrom]?.start ?? name.end, field.at(-1)!.end)
        .replace(/\s+COMMENT\s+(['"])[\s\S]*$/i, '')
        .replace(/\s+NOT\s+NULL\s*$/i, '');
      fields.push(`${name.type === 'QUOTED_IDENTIFIER' ? `\`${name.text.replaceAll('`', '``')}\`` : name.text}: ${type}`);
    }
  });
  return fields.join(', ');
}
