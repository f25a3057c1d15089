/**
 * The name patterns of catalog calls, as JDBC and ODBC clients send them: `%` matches any
 * run of characters, `_` any one character, and a backslash makes the next character literal
 * (`\_`, `\%`, `\\`). Matching ignores case, as Databricks identifiers do. Spark's catalog
 * also reads `*` as "anything"; so do we, since the Python connector's users write it.
 *
 * An absent pattern matches every name; so does an empty schema pattern (HiveServer2 reads an
 * empty schema as "all schemas"). An empty table or column pattern matches nothing.
 */

export type NameMatcher = (name: string) => boolean;

/** A matcher for `pattern`; `emptyMatchesAll` for schema and catalog patterns. */
export function nameMatcher(pattern: string | null | undefined, emptyMatchesAll = false): NameMatcher {
  if (pattern === null || pattern === undefined || (pattern === '' && emptyMatchesAll)) return () => true;
  const regex = new RegExp(`^${patternToRegexSource(pattern)}$`, 'is');
  return (name) => regex.test(name);
}

/** Whether `pattern` restricts anything (is given and is not a lone wildcard). */
export function restricts(pattern: string | null | undefined): boolean {
  return pattern !== null && pattern !== undefined && pattern !== '' && pattern !== '%' && pattern !== '*';
}

function patternToRegexSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      out += escapeRegex(pattern[++i]!);
    } else if (ch === '%' || ch === '*') {
      out += '.*';
    } else if (ch === '_') {
      out += '.';
    } else {
      out += escapeRegex(ch);
    }
  }
  return out;
}

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}
