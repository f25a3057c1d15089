/**
 * Spark SQL to DuckDB SQL, for the few Spark-isms a Databricks client sends as written:
 * - `:name` parameter markers become DuckDB's `$name` (not inside string literals, quoted
 *   identifiers or comments, and never the `::` cast operator); `?` stays positional.
 * - backtick-quoted identifiers become double-quoted ones.
 * - `RANGE(...)` in a FROM clause yields Spark's single BIGINT column named `id`.
 */

/** The DuckDB text of a Spark statement. */
export function translateSql(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const end = endOfQuoted(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '`') {
      const end = endOfQuoted(sql, i, '`');
      const body = sql.slice(i + 1, end - 1).replace(/``/g, '`');
      out += `"${body.replace(/"/g, '""')}"`;
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && next !== undefined && /[A-Za-z_]/.test(next) && !/[A-Za-z0-9_:]/.test(sql[i - 1] ?? ' ')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      out += `$${name}`;
      i += 1 + name.length;
    } else if (/[A-Za-z_]/.test(c) && (i === 0 || !/[A-Za-z0-9_$.]/.test(sql[i - 1]!))) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      i += word.length;
      if (word.toLowerCase() === 'range' && followedByCall(sql, i) && previousKeyword(out) !== null) {
        out += rangeCall(sql, i);
        i = endOfCall(sql, i);
      } else {
        out += word;
      }
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Index just past the closing quote of the quoted text starting at `start`. */
function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === '\\' && quote === "'") {
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

function followedByCall(sql: string, i: number): boolean {
  return /^\s*\(/.test(sql.slice(i));
}

/** The SQL keyword before the current position if it introduces a table (FROM, JOIN, ','). */
function previousKeyword(out: string): string | null {
  const match = /(from|join|,)\s*$/i.exec(out);
  return match ? match[1]!.toLowerCase() : null;
}

/** Index just past the parenthesised argument list starting at or after `i`. */
function endOfCall(sql: string, i: number): number {
  let depth = 0;
  for (let j = sql.indexOf('(', i); j < sql.length; j++) {
    const c = sql[j]!;
    if (c === "'" || c === '"' || c === '`') {
      j = endOfQuoted(sql, j, c) - 1;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return sql.length;
}

/**
 * Spark's range(end | start, end [, step]) as a DuckDB subquery with column `id`, so that
 * `SELECT * FROM RANGE(10)` shows `id` and an alias after the call still applies.
 */
function rangeCall(sql: string, i: number): string {
  const args = sql.slice(sql.indexOf('(', i) + 1, endOfCall(sql, i) - 1);
  return `(SELECT range AS id FROM range(${translateSql(args)}))`;
}
