/**
 * What a statement that changes data or schema answers, as Databricks answers it: DuckDB gives
 * one `Count` row (or a `Success` flag), Databricks (Delta) gives
 *
 *   INSERT          num_affected_rows, num_inserted_rows
 *   UPDATE, DELETE  num_affected_rows
 *   MERGE           num_affected_rows, num_updated_rows, num_deleted_rows, num_inserted_rows
 *
 * with `numModifiedRows` in the operation status set to num_affected_rows; DDL (CREATE, DROP,
 * ALTER, ... and CREATE TABLE ... AS SELECT) answers an empty result with no columns. A MERGE is
 * run with `RETURNING merge_action` so the rows it updated, deleted and inserted can be told apart.
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResult } from '@duckdb/node-api';
import { tokensOf } from '../dialect/tokens.js';
import { translateStatement, type CatalogNames } from '../sql-translate.js';

export type Modification = 'insert' | 'update' | 'delete' | 'merge';

/** How a statement's result is shaped: its own rows, DML counts, or nothing (DDL). */
export type ResultShape =
  { readonly kind: 'rows' } | { readonly kind: 'dml'; readonly dml: Modification } | { readonly kind: 'ddl' };

const DDL = new Set(['CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'COMMENT', 'GRANT', 'REVOKE']);
const DML: Record<string, Modification> = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete', MERGE: 'merge' };

/** The shape of a Databricks statement's result, from its leading keyword (past a WITH clause). */
export function resultShapeOf(sql: string): ResultShape {
  let depth = 0;
  let first = true;
  for (const token of tokensOf(sql, 'databricks')) {
    if (token.type === 'L_PAREN') depth++;
    else if (token.type === 'R_PAREN') depth--;
    if (depth !== 0 || token.type === 'L_PAREN' || token.type === 'R_PAREN') continue;
    const word = token.text.toUpperCase();
    if (first && DDL.has(word)) return { kind: 'ddl' };
    first = false;
    if (word in DML) return { kind: 'dml', dml: DML[word]! };
    if (word === 'SELECT' || word === 'VALUES' || word === 'FROM' || word === 'TABLE') return { kind: 'rows' };
  }
  return { kind: 'rows' };
}

/** Row counts of a finished DML statement. */
export interface Modified {
  readonly affected: number;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
}

/**
 * Reads DuckDB's answer to a DML statement to its end: a `Count` row, or for a MERGE one
 * `merge_action` row per row changed. `stopped` is checked between chunks (a cancel).
 */
export async function countModified(result: DuckDBResult, dml: Modification, stopped: () => boolean): Promise<Modified> {
  const counts = { affected: 0, inserted: 0, updated: 0, deleted: 0 };
  const merge = dml === 'merge' && result.columnNames()[0] === 'merge_action';
  for (;;) {
    if (stopped()) break;
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    for (const [value] of chunk.getRows()) {
      if (merge) {
        counts.affected++;
        if (value === 'INSERT') counts.inserted++;
        else if (value === 'UPDATE') counts.updated++;
        else if (value === 'DELETE') counts.deleted++;
      } else {
        counts.affected += Number(value);
      }
    }
  }
  if (dml === 'insert') counts.inserted = counts.affected;
  return counts;
}

/** A one-row query answering Databricks' columns for the counts. */
export function summaryQuery(dml: Modification, counts: Modified): string {
  const column = (name: string, n: number): string => `CAST(${n} AS BIGINT) AS ${name}`;
  const columns = [column('num_affected_rows', counts.affected)];
  if (dml === 'insert') columns.push(column('num_inserted_rows', counts.inserted));
  if (dml === 'merge') {
    columns.push(
      column('num_updated_rows', counts.updated),
      column('num_deleted_rows', counts.deleted),
      column('num_inserted_rows', counts.inserted),
    );
  }
  return `SELECT ${columns.join(', ')}`;
}

/** A translated MERGE that also returns what it did to each row (DuckDB 1.4 and later). */
function mergeWithActions(duckSql: string): string {
  const trimmed = duckSql.trimEnd().replace(/;$/, '');
  return /\bRETURNING\b/i.test(trimmed) ? trimmed : `${trimmed} RETURNING merge_action`;
}

/**
 * A MERGE prepared again with `RETURNING merge_action` on the same connection (the session's
 * state is already entered there); the plain one is kept if DuckDB refuses the variant.
 */
export async function withMergeActions(
  connection: DuckDBConnection,
  prepared: DuckDBPreparedStatement,
  sql: string,
  names: CatalogNames,
): Promise<DuckDBPreparedStatement> {
  try {
    const variant = await connection.prepare(mergeWithActions(translateStatement(sql, names).sql));
    prepared.destroySync();
    return variant;
  } catch {
    return prepared;
  }
}
