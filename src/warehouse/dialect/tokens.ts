/**
 * A small SQL lexer for the passes before and after transpiling: they touch only the tokens
 * they mean, never text inside literals, quoted identifiers or comments. (The transpiler has a
 * tokenizer too, but a call costs about 8 ms, as much as a whole transpile; this one costs
 * microseconds.)
 */

/** One token: its type (SELECT, VAR, L_PAREN, STRING, ...), text and UTF-16 range. */
export interface Token {
  /** Upper-case keyword for the words below, else VAR, QUOTED_IDENTIFIER, STRING, NUMBER, punctuation or OP. */
  readonly type: string;
  /** The text; for STRING and QUOTED_IDENTIFIER, the content without quotes. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Words the passes look for, typed as themselves. */
const KEYWORDS = new Set(
  'SELECT FROM WHERE GROUP HAVING QUALIFY ORDER LIMIT WINDOW ON USING SET VALUES JOIN AS DISTINCT ALL UNION EXCEPT INTERSECT INTO LATERAL CLUSTER DISTRIBUTE SORT CAST TRY_CAST RANGE AND OR DIV LIKE IS IN NOT WITH CASE END'.split(
    ' ',
  ),
);

const PUNCTUATION: Record<string, string> = {
  '(': 'L_PAREN',
  ')': 'R_PAREN',
  '[': 'L_BRACKET',
  ']': 'R_BRACKET',
  ',': 'COMMA',
  '.': 'DOT',
  ';': 'SEMICOLON',
  '*': 'STAR',
  '?': 'PARAMETER',
};

/**
 * The tokens of `sql`. In 'databricks' a double-quoted text is a string and backslash escapes
 * apply; in 'duckdb' it is an identifier. Comments are skipped.
 */
export function tokensOf(sql: string, dialect: 'databricks' | 'duckdb'): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  const push = (type: string, text: string, start: number, end: number): void => {
    tokens.push({ type, text, start, end });
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || (c === '"' && dialect === 'databricks')) {
      const end = endOfQuoted(sql, i, c, dialect === 'databricks');
      push('STRING', sql.slice(i + 1, end - 1), i, end);
      i = end;
    } else if (c === '`' || c === '"') {
      const end = endOfQuoted(sql, i, c, false);
      push('QUOTED_IDENTIFIER', sql.slice(i + 1, end - 1).replaceAll(c + c, c), i, end);
      i = end;
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[A-Za-z]*/.exec(sql.slice(i))![0];
      push('NUMBER', match, i, i + match.length);
      i += match.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))![0];
      const upper = word.toUpperCase();
      push(KEYWORDS.has(upper) ? upper : 'VAR', word, i, i + word.length);
      i += word.length;
    } else if (c === ':' && next === ':') {
      push('D_COLON', '::', i, i + 2);
      i += 2;
    } else if (c === ':') {
      push('COLON', ':', i, i + 1);
      i++;
    } else if (PUNCTUATION[c] !== undefined) {
      push(PUNCTUATION[c], c, i, i + 1);
      i++;
    } else {
      const op = /^(<=>|<>|!=|<=|>=|==|\|\||->>|->|=>|[-+/%=<>!&|^~$@#])/.exec(sql.slice(i))?.[0] ?? c;
      push('OP', op, i, i + op.length);
      i += op.length;
    }
  }
  return tokens;
}

/** Index just past the closing quote of the quoted text starting at `start`. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') {
      i += 2;
    } else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** Index of the R_PAREN that closes the L_PAREN at `open`, or -1. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const type = tokens[i]!.type;
    if (type === 'L_PAREN') depth++;
    else if (type === 'R_PAREN' && --depth === 0) return i;
  }
  return -1;
}

/** Index of the bracket (`(` or `[`) that the closing one at `close` closes, or -1. */
export function openingBracket(tokens: readonly Token[], close: number): number {
  let depth = 0;
  for (let j = close; j >= 0; j--) {
    const type = tokens[j]!.type;
    if (type === 'R_BRACKET' || type === 'R_PAREN') depth++;
    else if (type === 'L_BRACKET' || type === 'L_PAREN') depth--;
    if (depth === 0) return j;
  }
  return -1;
}

/** `text` as a Databricks string literal (backslash escapes apply). */
export function sparkStringLiteral(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A replacement of the text from `start` to `end` (UTF-16 indexes). */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** `sql` with the edits applied; edits at the same point apply in the order given. */
export function applyEdits(sql: string, edits: readonly Edit[]): string {
  const ordered = edits.map((edit, order) => ({ edit, order })).sort((a, b) => a.edit.start - b.edit.start || a.order - b.order);
  let out = '';
  let at = 0;
  for (const { edit } of ordered) {
    out += sql.slice(at, edit.start) + edit.text;
    at = Math.max(at, edit.end);
  }
  return out + sql.slice(at);
}

/**
 * The top-level comma-separated parts between the brackets at `open` and `close` (a call's
 * arguments, a struct literal's fields), as [first, last] token indexes; empty parts are skipped.
 */
export function topLevelParts(tokens: readonly Token[], open: number, close: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let from = open + 1;
  let depth = 0;
  for (let j = open + 1; j <= close; j++) {
    const t = tokens[j]!;
    if (j === close || (t.type === 'COMMA' && depth === 0)) {
      if (j > from) parts.push([from, j - 1]);
      from = j + 1;
    } else if (t.type === 'L_PAREN' || t.type === 'L_BRACKET' || t.text === '{') depth++;
    else if (t.type === 'R_PAREN' || t.type === 'R_BRACKET' || t.text === '}') depth--;
  }
  return parts;
}

/**
 * Applies `rewriteOne` (one rewrite per call) until it changes nothing, `worthTrying` says no
 * rewrite can remain, or `maxPasses` ran: rewrites whose output holds further candidates, such
 * as nested calls, go one at a time on fresh tokens.
 */
export function rewriteEach(
  sql: string,
  rewriteOne: (sql: string) => string,
  worthTrying: (sql: string) => boolean,
  maxPasses: number,
): string {
  let out = sql;
  for (let pass = 0; pass < maxPasses && worthTrying(out); pass++) {
    const next = rewriteOne(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Whether the token names something: an identifier, or a word (keywords double as names). */
export function isWord(token: Token | undefined): boolean {
  return token !== undefined && (token.type === 'VAR' || token.type === 'QUOTED_IDENTIFIER' || KEYWORDS.has(token.type));
}
