/**
 * A metadata result as a DuckDB query over literal rows, so that it runs through the
 * warehouse's ordinary result path (result store, Arrow or column-based, direct results) like
 * any statement. Every column is cast to its declared type, so an empty result is typed too.
 */
import type { MetadataColumn, MetadataRow } from './result-columns.js';

export function rowsQuery(columns: readonly MetadataColumn[], rows: readonly MetadataRow[]): string {
  const named = columns.map((c, i) => `CAST(c${i} AS ${c.type}) AS "${c.name}"`).join(', ');
  if (rows.length === 0) {
    const nulls = columns.map((_, i) => `NULL AS c${i}`).join(', ');
    return `SELECT ${named} FROM (SELECT ${nulls}) WHERE false`;
  }
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`a metadata row has ${row.length} values for ${columns.length} columns`);
  }
  const values = rows.map((row) => `(${row.map(literal).join(', ')})`).join(',\n');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  return `SELECT ${named} FROM (VALUES ${values}) AS __rows(${aliases})`;
}

function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${value.replaceAll("'", "''")}'`;
}
