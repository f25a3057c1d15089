/**
 * Prepares a Databricks statement on a DuckDB connection: translated, and with its result
 * columns typed as Databricks types them where DuckDB differs.
 */
import { DuckDBTypeId, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { databricksErrorOf } from './error-classes.js';
import { applySessionStatement, enterSession, sessionStatementOf, type SessionState } from './session-state.js';
import type { Overwrite } from './statements.js';
import { translateStatement, type CatalogNames } from '../sql-translate.js';
import { typedNullTypes, type StatementParameter } from '../statements/parameter-binding.js';

/**
 * DuckDB result types that Databricks types otherwise, and the type to cast to: an integer
 * `sum` is HUGEINT in DuckDB, BIGINT in Databricks (which fails with an overflow error past
 * BIGINT's range, as the cast does).
 */
const SPARK_RESULT_CASTS: Partial<Record<DuckDBTypeId, string>> = {
  [DuckDBTypeId.HUGEINT]: 'BIGINT',
};

/**
 * Translates and prepares `sql`, on a connection put in the session's state first (a USE, SET
 * or temporary-view statement changes that state); throws SqlStatementError when it does not
 * translate or parse. `parameters` are read only for the types of their NULLs.
 */
export async function prepareDatabricksSql(
  connection: DuckDBConnection,
  sql: string,
  names: CatalogNames,
  session?: SessionState,
  parameters: readonly StatementParameter[] = [],
): Promise<DuckDBPreparedStatement> {
  if (session !== undefined) {
    await enterSession(connection, session, names).catch(rethrowAsSqlError);
    const statement = sessionStatementOf(sql);
    const ownView = statement?.kind !== 'drop-view' || session.tempViews.has(statement.name.toLowerCase());
    if (statement !== undefined && ownView) {
      const result = await applySessionStatement(connection, statement, session, names).catch(rethrowAsSqlError);
      return connection.prepare(result).catch(rethrowAsSqlError);
    }
  }
  const translated = translateStatement(sql, names, {
    ansi: session?.settings.ansi,
    nullTypes: typedNullTypes(parameters),
  });
  const duckSql = translated.overwrite ? await overwriteSql(connection, translated.overwrite) : translated.sql;
  const prepared = await connection.prepare(duckSql).catch(rethrowAsSqlError);
  const retyped = retypedQuery(duckSql, prepared);
  if (retyped === undefined) return prepared;
  prepared.destroySync();
  return connection.prepare(retyped).catch(rethrowAsSqlError);
}

/**
 * INSERT OVERWRITE as one atomic CREATE OR REPLACE of the table from the query's rows, each
 * column cast to the table's type (as an INSERT casts), keeping the table's column names.
 */
async function overwriteSql(connection: DuckDBConnection, overwrite: Overwrite): Promise<string> {
  const described = await connection.runAndReadAll(`DESCRIBE ${overwrite.table}`).catch(rethrowAsSqlError);
  // DESCRIBE's first two columns: column_name, column_type (both VARCHAR).
  const columns = described.getRows().map(([name, type]) => ({ name: name as string, type: type as string }));
  const inner = columns.map((_, i) => `c${i}`).join(', ');
  const outer = columns.map((c, i) => `CAST(c${i} AS ${c.type}) AS "${c.name.replaceAll('"', '""')}"`).join(', ');
  return `CREATE OR REPLACE TABLE ${overwrite.table} AS SELECT ${outer} FROM (${overwrite.query}) AS __rows(${inner})`;
}

/** The query wrapped to cast the columns whose DuckDB type Databricks types otherwise. */
function retypedQuery(duckSql: string, prepared: DuckDBPreparedStatement): string | undefined {
  if (!/^\s*(WITH|SELECT|VALUES|FROM|TABLE|\()/i.test(duckSql)) return undefined;
  const count = prepared.columnCount;
  const casts = Array.from({ length: count }, (_, i) => SPARK_RESULT_CASTS[prepared.columnTypeId(i)]);
  if (casts.every((cast) => cast === undefined)) return undefined;
  const inner = Array.from({ length: count }, (_, i) => `c${i}`);
  const outer = casts.map((cast, i) => {
    const name = `"${prepared.columnName(i).replaceAll('"', '""')}"`;
    return cast === undefined ? `c${i} AS ${name}` : `CAST(c${i} AS ${cast}) AS ${name}`;
  });
  return `SELECT ${outer.join(', ')} FROM (${duckSql}) AS __result(${inner.join(', ')})`;
}

function rethrowAsSqlError(error: unknown): never {
  throw databricksErrorOf(error);
}
