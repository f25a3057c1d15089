/**
 * The statements that drive a session's transaction, as Databricks spells them:
 * `BEGIN {TRANSACTION | WORK}`, `COMMIT [TRANSACTION | WORK]`, `ROLLBACK [TRANSACTION | WORK]`,
 * and `SET AUTOCOMMIT [= TRUE | FALSE]` (what the Python connector sends for
 * `connection.autocommit`).
 */

export type TransactionStatement =
  | { readonly kind: 'begin' | 'commit' | 'rollback' }
  /** `value` undefined: the query form; `invalid`: a value other than TRUE or FALSE. */
  | { readonly kind: 'autocommit'; readonly value?: boolean; readonly invalid?: string };

/** The transaction statement `sql` is, or undefined for any other statement. */
export function transactionStatementOf(sql: string): TransactionStatement | undefined {
  const text = sql
    .replace(/--[^\n]*/g, '')
    .trim()
    .replace(/;\s*$/, '')
    .trim();
  // Plain BEGIN too: DuckDB's and PostgreSQL's spelling, which users type by habit.
  if (/^(?:BEGIN|START)(?:\s+(?:TRANSACTION|WORK))?$/i.test(text)) return { kind: 'begin' };
  if (/^COMMIT(?:\s+(?:TRANSACTION|WORK))?$/i.test(text)) return { kind: 'commit' };
  if (/^ROLLBACK(?:\s+(?:TRANSACTION|WORK))?$/i.test(text)) return { kind: 'rollback' };
  const set = /^SET\s+AUTOCOMMIT(?:\s*=\s*(\S+))?$/i.exec(text);
  if (!set) return undefined;
  if (set[1] === undefined) return { kind: 'autocommit' };
  const value = set[1].replace(/^'(.*)'$/, '$1').toUpperCase();
  if (value === 'TRUE' || value === 'FALSE') return { kind: 'autocommit', value: value === 'TRUE' };
  return { kind: 'autocommit', invalid: set[1] };
}
