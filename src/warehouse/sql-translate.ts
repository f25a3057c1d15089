/**
 * Databricks SQL to DuckDB SQL. The maintained transpiler (@polyglot-sql/sdk, Databricks to
 * DuckDB) does the bulk; a pass on each side of it fixes what it leaves wrong for us:
 * - ANSI casts: it turns every Databricks CAST into DuckDB's TRY_CAST (NULL on bad input, as
 *   Spark without ANSI mode); SQL warehouses run in ANSI mode, so CAST stays CAST and only the
 *   user's own try_cast becomes TRY_CAST (unless the session turned ANSI mode off).
 * - `:name` markers become DuckDB's `$name`; the n-th `?` becomes `$n`.
 * - `RANGE(...)` in a FROM clause yields Spark's single BIGINT column named `id`.
 * - catalog `main` is DuckDB's primary database and schema `default` its `main` schema.
 * - Spark functions DuckDB lacks are called from the warehouse's function library.
 * - Divisors are checked: ANSI division by zero fails with [DIVIDE_BY_ZERO] (division.ts).
 * - JSON paths (`raw:a.b`) and from_json with a DDL schema become library calls (json.ts).
 * - `inline(array)` becomes UNNEST of depth 2: a row per struct, a column per field.
 * Markers inside literals, quoted identifiers and comments are never touched: every pass works
 * on tokens.
 */
import { SqlStatementError } from './errors.js';
import { aliasSelectItems } from './dialect/column-names.js';
import { guardDivisors } from './dialect/division.js';
import { rewriteJson } from './dialect/json.js';
import { propagateConcatNulls } from './dialect/concat.js';
import { PERCENTILE_MARK, renameSparkFunctions } from './dialect/renames.js';
import { rewriteCallFields, rewriteSubscripts } from './dialect/subscripts.js';
import { rewriteTimestampLiterals } from './dialect/timestamps.js';
import { rewriteLambdaCalls } from './dialect/lambdas.js';
import { polyglot } from './dialect/polyglot.js';
import { fixMerge, markOverwrite, overwriteOf, type Overwrite } from './dialect/statements.js';
import { SPARK_FUNCTION_CATALOG, isSparkFunction } from './dialect/spark-functions.js';
import { applyEdits, closingParen, isWord, tokensOf, topLevelParts, type Edit, type Token } from './dialect/tokens.js';

/** How Databricks names map onto this warehouse's DuckDB databases. */
export interface CatalogNames {
  /** The DuckDB database shown as catalog `main` ('memory' for an in-memory warehouse). */
  readonly primary: string;
}

const IN_MEMORY: CatalogNames = { primary: 'memory' };

/** Stands for DuckDB's MAP(keys, values) across the transpiler. */
const MAP_MARK = '__dbsql_map';

/** Marks the user's own try_cast across the transpiler, which makes every cast a TRY_CAST. */
const TRY_MARK = '__dbsql_try';

/**
 * The DuckDB text of one Databricks statement. Throws SqlStatementError (SQLSTATE 42601) for
 * a statement that does not parse, or 0A000 naming a construct DuckDB cannot run.
 */
export function translateSql(sql: string, names: CatalogNames = IN_MEMORY, options: TranslateOptions = {}): string {
  return translateStatement(sql, names, options).sql;
}

/** How the session runs statements (its SET parameters), and what its parameters are. */
export interface TranslateOptions {
  /** ANSI mode (default true): off, an invalid CAST and a division by zero give NULL. */
  readonly ansi?: boolean;
  /**
   * DuckDB types of the parameters that are NULLs of a given type, by marker name (`?` by
   * position: '1', '2', ...). DuckDB binds only an untyped NULL, so these markers are cast.
   */
  readonly nullTypes?: ReadonlyMap<string, string>;
}

/** A translated statement; `overwrite` is set for an INSERT OVERWRITE (see statements.ts). */
export interface TranslatedStatement {
  readonly sql: string;
  readonly overwrite?: Overwrite;
}

/** The DuckDB form of one Databricks statement (see translateSql). */
export function translateStatement(
  sql: string,
  names: CatalogNames = IN_MEMORY,
  options: TranslateOptions = {},
): TranslatedStatement {
  const ansi = options.ansi ?? true;
  const insert = markOverwrite(sql);
  const marked = markTryCasts(
    rewriteMapCalls(
      renameSparkFunctions(
        rewriteTimestampLiterals(rewriteCallFields(rewriteSubscripts(rewriteJson(aliasSelectItems(insert.sql))))),
      ),
    ),
  );
  const result = polyglot().transpile(marked, 'databricks' as never, 'duckdb' as never, { unsupportedLevel: 'raise' });
  if (!result.success || !result.sql) throw translationError(result.error ?? 'unknown error', sql);
  const statements = result.sql.filter((s) => s.trim() !== '');
  if (statements.length !== 1) {
    throw new SqlStatementError(
      `[PARSE_SYNTAX_ERROR] Expected exactly one statement, found ${statements.length}; run them one at a time.`,
      '42601',
    );
  }
  const duckSql = guardDivisors(
    propagateConcatNulls(rewriteLambdaCalls(fixMerge(fixDuckDbText(statements[0]!, names, ansi, options.nullTypes)))),
    ansi,
  );
  if (!insert.overwrite) return { sql: duckSql };
  const overwrite = overwriteOf(duckSql);
  if ('error' in overwrite)
    throw new SqlStatementError(`[UNSUPPORTED_FEATURE] ${overwrite.error} is not supported here.`, '0A000');
  return { sql: duckSql, overwrite };
}

function translationError(message: string, sql: string): SqlStatementError {
  if (/unsupported/i.test(message)) {
    return new SqlStatementError(`[UNSUPPORTED_FEATURE] This warehouse cannot run this statement: ${message}`, '0A000');
  }
  const where = /line (\d+), column (\d+)/i.exec(message);
  const near = where ? nearText(sql, Number(where[1]), Number(where[2])) : '';
  return new SqlStatementError(`[PARSE_SYNTAX_ERROR] Syntax error${near}: ${message}`, '42601');
}

/** " at or near 'word'" for a 1-based line and column, when there is a word there. */
function nearText(sql: string, line: number, column: number): string {
  const text = sql.split('\n')[line - 1] ?? '';
  const word = /^\s*(\S{1,30})/.exec(text.slice(Math.max(0, column - 1)))?.[1];
  return word ? ` at or near '${word}'` : '';
}

/**
 * Spark's `map(k1, v1, k2, v2, ...)` becomes `__dbsql_map(array(k1, k2), array(v1, v2))`, which
 * the transpiler passes through and the pass after it names DuckDB's `MAP`: the transpiler
 * translates only the two-argument form.
 */
function rewriteMapCalls(sql: string): string {
  if (!/\bmap\s*\(/i.test(sql)) return sql;
  const tokens = tokensOf(sql, 'databricks');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    if (
      token.type !== 'VAR' ||
      token.text.toLowerCase() !== 'map' ||
      tokens[i + 1]?.type !== 'L_PAREN' ||
      tokens[i - 1]?.type === 'DOT'
    )
      return;
    const close = closingParen(tokens, i + 1);
    if (close < 0) return;
    const args: string[] = [];
    let depth = 0;
    let from = tokens[i + 2]?.start ?? tokens[close]!.start;
    for (let j = i + 2; j < close; j++) {
      const t = tokens[j]!;
      if (t.type === 'L_PAREN' || t.type === 'L_BRACKET') depth++;
      else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET') depth--;
      else if (t.type === 'COMMA' && depth === 0) {
        args.push(sql.slice(from, t.start));
        from = t.end;
      }
    }
    if (close > i + 2) args.push(sql.slice(from, tokens[close]!.start));
    if (args.length === 2 || args.length % 2 !== 0) return;
    const keys = args.filter((_, k) => k % 2 === 0).join(', ');
    const values = args.filter((_, k) => k % 2 === 1).join(', ');
    edits.push({ start: token.start, end: tokens[close]!.end, text: `${MAP_MARK}(array(${keys}), array(${values}))` });
  });
  // Nested map(...) calls inside a rewritten one are rewritten on the next round.
  const out = applyEdits(sql, outermost(edits));
  return out === sql ? sql : rewriteMapCalls(out);
}

/** The edits not inside another one. */
function outermost(edits: readonly Edit[]): Edit[] {
  return edits.filter((e) => !edits.some((o) => o !== e && o.start <= e.start && o.end >= e.end));
}

/** `try_cast(x AS T)` becomes `__dbsql_try(CAST(x AS T))`, so that it survives transpiling. */
function markTryCasts(sql: string): string {
  if (!/try_cast/i.test(sql)) return sql;
  const tokens = tokensOf(sql, 'databricks');
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    if (token.type !== 'TRY_CAST' || tokens[i + 1]?.type !== 'L_PAREN') return;
    const close = closingParen(tokens, i + 1);
    if (close < 0) return;
    edits.push({ start: token.start, end: token.end, text: `${TRY_MARK}(CAST` });
    edits.push({ start: tokens[close]!.end, end: tokens[close]!.end, text: ')' });
  });
  return applyEdits(sql, edits);
}

/** The passes after transpiling, on DuckDB's tokens. */
function fixDuckDbText(
  sql: string,
  names: CatalogNames,
  ansi: boolean,
  nullTypes: ReadonlyMap<string, string> = new Map(),
): string {
  const tokens = tokensOf(sql, 'duckdb');
  const edits: Edit[] = [];
  const clause: string[] = [''];
  let positional = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (token.type === 'L_PAREN') clause.push('');
    else if (token.type === 'R_PAREN') clause.pop();
    else if (CLAUSE_KEYWORDS.has(token.type)) clause[clause.length - 1] = token.type;

    if (
      token.text.toUpperCase() === 'ARRAY' &&
      after?.type === 'L_PAREN' &&
      tokens[i + 2]?.type !== 'SELECT' &&
      tokens[i + 2]?.type !== 'WITH' &&
      before?.type !== 'DOT'
    ) {
      // Spark's array(...) that the transpiler left untranslated (inside some functions).
      const close = closingParen(tokens, i + 1);
      if (close > 0) {
        edits.push({ start: token.start, end: after.end, text: '[' });
        edits.push({ start: tokens[close]!.start, end: tokens[close]!.end, text: ']' });
      }
    } else if (token.type === 'STRING' && /^\$\d+$/.test(token.text) && after?.type === 'COLON') {
      // arrays_zip's struct fields, which the transpiler names $1, $2, ...; Spark names them
      // 0, 1, ... (or after the argument columns, which is not followed here).
      edits.push(replaceWith(token, `'${Number(token.text.slice(1)) - 1}'`));
    } else if (token.text.toLowerCase() === MAP_MARK) {
      edits.push({ start: token.start, end: token.end, text: 'MAP' });
    } else if (token.type === 'TRY_CAST' && ansi) {
      edits.push({ start: token.start, end: token.end, text: 'CAST' });
    } else if (token.text.toLowerCase() === TRY_MARK && after?.type === 'L_PAREN') {
      const close = closingParen(tokens, i + 1);
      const cast = tokens[i + 2];
      if (close > 0 && (cast?.type === 'CAST' || cast?.type === 'TRY_CAST')) {
        edits.push({ start: token.start, end: cast.end, text: 'TRY_CAST' });
        edits.push({ start: tokens[close]!.start, end: tokens[close]!.end, text: '' });
        i += 2;
      }
    } else if (token.type === 'COLON' && isParameterColon(before, token, after)) {
      const type = nullTypes.get(after!.text);
      edits.push({ start: token.start, end: token.end, text: type ? 'CAST($' : '$' });
      if (type) edits.push({ start: after!.end, end: after!.end, text: ` AS ${type})` });
    } else if (token.type === 'PARAMETER') {
      // Numbered, so that a pass that repeats an argument's text (concat.ts) repeats the marker.
      const marker = `$${++positional}`;
      const type = nullTypes.get(String(positional));
      edits.push(replaceWith(token, type ? `CAST(${marker} AS ${type})` : marker));
    } else if (token.type === 'QUOTED_IDENTIFIER' && token.text === 'ALL' && isOrderOrGroupBy(tokens, i - 1)) {
      // The transpiler quotes ORDER BY ALL / GROUP BY ALL as a column named ALL.
      edits.push(replaceWith(token, 'ALL'));
    } else if (token.type === 'OP' && token.text === '{') {
      edits.push(...structNameEdits(tokens, i));
    } else if (token.text.toUpperCase() === 'REGEXP_REPLACE' && after?.type === 'L_PAREN' && before?.type !== 'DOT') {
      edits.push(...regexpReplaceEdits(tokens, i));
    } else if (token.text.toUpperCase() === 'INLINE' && after?.type === 'L_PAREN' && before?.type !== 'DOT') {
      // Spark's inline: a row per struct of the array, a column per field. DuckDB unpacks a
      // struct only in an UNNEST at the root of a select item, so not from a library macro.
      const close = closingParen(tokens, i + 1);
      if (close > 0) {
        edits.push(replaceWith(token, 'UNNEST'));
        edits.push({ start: tokens[close]!.start, end: tokens[close]!.start, text: ', max_depth := 2' });
      }
    } else if (token.text.toLowerCase() === PERCENTILE_MARK && after?.type === 'L_PAREN') {
      edits.push(...percentileEdits(tokens, i));
    } else if (token.text.toUpperCase() === 'INTERVAL' && before?.type !== 'DOT') {
      edits.push(...intervalAmountEdits(tokens, i));
    } else if (token.type === 'RANGE' && after?.type === 'L_PAREN' && inFromList(before, clause)) {
      const close = closingParen(tokens, i + 1);
      if (close > 0) {
        edits.push({ start: token.start, end: token.start, text: '(SELECT range AS id FROM ' });
        edits.push({ start: tokens[close]!.end, end: tokens[close]!.end, text: ')' });
      }
    } else if (isWord(token) && before?.type !== 'DOT' && after?.type === 'DOT') {
      edits.push(...qualifiedNameEdits(tokens, i, names));
    } else if (
      after?.type === 'L_PAREN' &&
      before?.type !== 'DOT' &&
      token.type !== 'QUOTED_IDENTIFIER' &&
      isSparkFunction(token.text)
    ) {
      edits.push({ start: token.start, end: token.start, text: `${SPARK_FUNCTION_CATALOG}.` });
    }
  }
  return applyEdits(sql, edits);
}

function isOrderOrGroupBy(tokens: readonly Token[], by: number): boolean {
  return tokens[by]?.text.toUpperCase() === 'BY' && (tokens[by - 1]?.type === 'ORDER' || tokens[by - 1]?.type === 'GROUP');
}

function closingBrace(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j]!.text === '{' && tokens[j]!.type === 'OP') depth++;
    else if (tokens[j]!.text === '}' && tokens[j]!.type === 'OP' && --depth === 0) return j;
  }
  return -1;
}

/**
 * Spark's `struct(a, b + 1)` comes out as `{'': a, '': b + 1}`, which DuckDB refuses; Spark
 * names a field after the column it is (`a`), else `col1`, `col2`, ... by position.
 */
function structNameEdits(tokens: readonly Token[], open: number): Edit[] {
  const close = closingBrace(tokens, open);
  if (close < 0) return [];
  const edits: Edit[] = [];
  topLevelParts(tokens, open, close).forEach(([from, to], index) => {
    const key = tokens[from]!;
    if (key.type !== 'STRING' || key.text !== '' || tokens[from + 1]?.type !== 'COLON') return;
    const value = tokens.slice(from + 2, to + 1);
    const column =
      value.length > 0 && value.every((t, k) => (k % 2 === 0 ? isWord(t) : t.type === 'DOT')) && value.length % 2 === 1;
    const name = column ? value[value.length - 1]!.text : `col${index + 1}`;
    edits.push(replaceWith(key, `'${name.replaceAll("'", "''")}'`));
  });
  return edits;
}

/**
 * Spark's regexp_replace replaces every match and writes a group as `$1`; DuckDB's replaces
 * the first unless given 'g' and writes a group as `\1`.
 */
function regexpReplaceEdits(tokens: readonly Token[], at: number): Edit[] {
  const close = closingParen(tokens, at + 1);
  if (close < 0) return [];
  const parts = topLevelParts(tokens, at + 1, close);
  const edits: Edit[] = [];
  const replacement = parts[2];
  if (replacement && replacement[0] === replacement[1] && tokens[replacement[0]]!.type === 'STRING') {
    const literal = tokens[replacement[0]]!;
    const text = literal.text.replaceAll("''", "'").replace(/\$(\d)/g, '\\$1');
    edits.push(replaceWith(literal, `'${text.replaceAll("'", "''")}'`));
  }
  if (parts.length === 3) edits.push({ start: tokens[close]!.start, end: tokens[close]!.start, text: ", 'g'" });
  return edits;
}

/**
 * Spark's percentile is exact and interpolates between the nearest rows, a DOUBLE (an array of
 * them for an array of percentages): DuckDB's quantile_cont on the value as a DOUBLE. Written
 * here rather than as a library macro, which DuckDB would not run as a window function.
 */
function percentileEdits(tokens: readonly Token[], at: number): Edit[] {
  const close = closingParen(tokens, at + 1);
  const parts = close > 0 ? topLevelParts(tokens, at + 1, close) : [];
  if (parts.length !== 2) {
    throw new SqlStatementError(
      '[UNSUPPORTED_FEATURE] percentile takes a value and a percentage (or an array of them) here; a frequency is not supported.',
      '0A000',
    );
  }
  const [first, last] = parts[0]!;
  return [
    replaceWith(tokens[at]!, 'quantile_cont'),
    { start: tokens[first]!.start, end: tokens[first]!.start, text: 'CAST(' },
    { start: tokens[last]!.end, end: tokens[last]!.end, text: ' AS DOUBLE)' },
  ];
}

const INTERVAL_UNITS = new Set(
  'YEAR MONTH WEEK DAY HOUR MINUTE SECOND MILLISECOND MICROSECOND QUARTER DECADE CENTURY MILLENNIUM'
    .split(' ')
    .flatMap((unit) => [unit, `${unit}S`]),
);

/**
 * `INTERVAL amount UNIT` with an amount that is not a literal gets the amount in parentheses,
 * which DuckDB needs and the transpiler leaves out for a column (`timestampadd(SECOND, id, ts)`).
 */
function intervalAmountEdits(tokens: readonly Token[], at: number): Edit[] {
  const first = tokens[at + 1];
  if (first === undefined || first.type === 'STRING' || first.type === 'NUMBER') return [];
  let depth = 0;
  for (let j = at + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.type === 'L_PAREN' || t.type === 'L_BRACKET') depth++;
    else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET') {
      if (--depth < 0) return [];
    } else if (t.type === 'COMMA' && depth === 0) return [];
    else if (
      depth === 0 &&
      j > at + 1 &&
      t.type === 'VAR' &&
      tokens[j - 1]?.type !== 'DOT' &&
      INTERVAL_UNITS.has(t.text.toUpperCase())
    ) {
      // Already one parenthesised amount: nothing to do.
      if (first.type === 'L_PAREN' && closingParen(tokens, at + 1) === j - 1) return [];
      return [
        { start: first.start, end: first.start, text: '(' },
        { start: t.start, end: t.start, text: ') ' },
      ];
    }
  }
  return [];
}

/** Keywords that open a clause; a ',' in a FROM clause separates table references. */
const CLAUSE_KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'ORDER',
  'LIMIT',
  'WINDOW',
  'ON',
  'USING',
  'SET',
  'VALUES',
]);

function inFromList(before: Token | undefined, clause: readonly string[]): boolean {
  if (before?.type === 'FROM' || before?.type === 'JOIN') return true;
  return before?.type === 'COMMA' && clause[clause.length - 1] === 'FROM';
}

/** `:name` right after an operator, keyword, ',' or '(' is a marker; `a[1:n]` is a slice. */
function isParameterColon(before: Token | undefined, colon: Token, after: Token | undefined): boolean {
  if (after === undefined || after.start !== colon.end || !/^[A-Za-z_]\w*$/.test(after.text)) return false;
  if (before?.type === 'VAR' && KEYWORDS_BEFORE_VALUE.has(before.text.toUpperCase())) return true;
  return (
    before === undefined ||
    !['NUMBER', 'VAR', 'QUOTED_IDENTIFIER', 'R_PAREN', 'R_BRACKET', 'STRING', 'L_BRACKET'].includes(before.type)
  );
}

/** Words the lexer reads as names that are followed by a value (`THEN :a`, `INTERVAL :n HOUR`). */
const KEYWORDS_BEFORE_VALUE = new Set(['THEN', 'ELSE', 'WHEN', 'BETWEEN', 'INTERVAL', 'OFFSET', 'ESCAPE', 'ILIKE', 'GLOB']);

/**
 * A dotted name starting at `first`: catalog `main` becomes the primary DuckDB database and
 * schema `default` DuckDB's `main` schema (three parts: catalog.schema.name; two parts:
 * schema.name, when the first is `default`).
 */
function qualifiedNameEdits(tokens: readonly Token[], first: number, names: CatalogNames): Edit[] {
  const parts: Token[] = [tokens[first]!];
  for (let j = first + 1; tokens[j]?.type === 'DOT' && isWord(tokens[j + 1]); j += 2) parts.push(tokens[j + 1]!);
  const edits: Edit[] = [];
  const plain = (t: Token): string => t.text.toLowerCase();
  if (parts.length >= 3 && plain(parts[0]!) === 'main') edits.push(replaceWith(parts[0]!, quoteIdentifier(names.primary)));
  const schema = parts.length >= 3 ? parts[1] : parts.length === 2 ? parts[0] : undefined;
  if (schema && plain(schema) === 'default') edits.push(replaceWith(schema, 'main'));
  return edits;
}

function replaceWith(token: Token, text: string): Edit {
  return { start: token.start, end: token.end, text };
}

/** A DuckDB identifier, double-quoted when it is not a plain lower-case name. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
