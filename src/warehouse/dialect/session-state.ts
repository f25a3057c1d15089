/**
 * What a Databricks session remembers between its statements: the current catalog and schema
 * (USE CATALOG / USE SCHEMA), SET parameters and temporary views. Each statement still runs
 * on a DuckDB connection of its own (so that a cancel interrupts only it); that connection
 * starts from the session's state: `USE` its database and schema, and its temporary views
 * created again as DuckDB temporary views, which no other connection sees.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlStatementError } from '../errors.js';
import { quoteIdentifier, translateSql, type CatalogNames } from '../sql-translate.js';
import { SessionTransaction } from '../transactions/session-transaction.js';
import {
  applySetting,
  DEFAULT_SETTINGS,
  enterTimeZone,
  listedSettings,
  settingValue,
  type AppliedSettings,
} from './session-settings.js';

export class SessionState {
  /** The current catalog and schema, as Databricks names them. */
  catalog = 'main';
  schema = 'default';
  /** SET key = value parameters the warehouse only keeps, by key. */
  readonly parameters = new Map<string, string>();
  /** The SET parameters it applies: ANSI mode and time zone (session-settings.ts). */
  readonly settings: AppliedSettings = { ...DEFAULT_SETTINGS };
  /** Temporary views: DuckDB's view query by lower-case name, in creation order. */
  readonly tempViews = new Map<string, string>();
  /** BEGIN / COMMIT / ROLLBACK and autocommit. */
  readonly transaction = new SessionTransaction();
}

/** What a session statement does instead of running as SQL, or undefined for ordinary SQL. */
export type SessionStatement =
  | { readonly kind: 'use'; readonly catalog?: string; readonly schema?: string }
  | { readonly kind: 'set'; readonly key?: string; readonly value?: string }
  | {
      readonly kind: 'temp-view';
      readonly name: string;
      readonly query: string;
      readonly replace: boolean;
      readonly ifNotExists: boolean;
    }
  | { readonly kind: 'drop-view'; readonly name: string; readonly ifExists: boolean };

const NAME = String.raw`(\`[^\`]+\`|[A-Za-z_][\w]*)`;

/** Recognizes USE, SET and temporary-view statements. */
export function sessionStatementOf(sql: string): SessionStatement | undefined {
  const text = sql.trim().replace(/;\s*$/, '');
  let m = new RegExp(String.raw`^USE\s+CATALOG\s+${NAME}$`, 'i').exec(text);
  if (m) return { kind: 'use', catalog: unquote(m[1]!) };
  m = new RegExp(String.raw`^USE\s+(?:SCHEMA\s+|DATABASE\s+)?(?:${NAME}\.)?${NAME}$`, 'i').exec(text);
  if (m && !/^USE\s+CATALOG\b/i.test(text))
    return { kind: 'use', catalog: m[1] ? unquote(m[1]) : undefined, schema: unquote(m[2]!) };
  m = /^SET\s+TIME\s+ZONE\s+(LOCAL|'[^']*')$/i.exec(text);
  if (m) return { kind: 'set', key: 'spark.sql.session.timeZone', value: m[1]!.replace(/^'(.*)'$/s, '$1') };
  m = /^SET(?:\s+([\w.]+)(?:\s*=\s*(.*))?)?$/is.exec(text);
  if (m && !/^SET\s+VAR(IABLE)?\b/i.test(text)) return { kind: 'set', key: m[1], value: m[2]?.trim().replace(/^'(.*)'$/s, '$1') };
  m = new RegExp(
    String.raw`^CREATE\s+(OR\s+REPLACE\s+)?(?:GLOBAL\s+)?TEMP(?:ORARY)?\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?${NAME}\s+AS\s+([\s\S]+)$`,
    'i',
  ).exec(text);
  if (m)
    return {
      kind: 'temp-view',
      replace: m[1] !== undefined,
      ifNotExists: m[2] !== undefined,
      name: unquote(m[3]!),
      query: m[4]!,
    };
  m = new RegExp(String.raw`^DROP\s+VIEW\s+(IF\s+EXISTS\s+)?${NAME}$`, 'i').exec(text);
  if (m) return { kind: 'drop-view', ifExists: m[1] !== undefined, name: unquote(m[2]!) };
  return undefined;
}

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1) : name;
}

/** The DuckDB database and schema of a Databricks catalog and schema. */
function duckNames(catalog: string, schema: string, names: CatalogNames): { database: string; schema: string } {
  return {
    database: catalog.toLowerCase() === 'main' ? names.primary : catalog,
    schema: schema.toLowerCase() === 'default' ? 'main' : schema,
  };
}

/** Puts a fresh statement connection in the session's state. */
export async function enterSession(connection: DuckDBConnection, state: SessionState, names: CatalogNames): Promise<void> {
  await enterTimeZone(connection, state.settings);
  const { database, schema } = duckNames(state.catalog, state.schema, names);
  if (state.catalog !== 'main' || state.schema !== 'default')
    await connection.run(`USE ${quoteIdentifier(database)}.${quoteIdentifier(schema)}`);
  for (const [name, query] of state.tempViews)
    await connection.run(`CREATE OR REPLACE TEMPORARY VIEW ${quoteIdentifier(name)} AS ${query}`);
}

/**
 * Carries out a session statement on the session's state (checked on `connection` first) and
 * returns the DuckDB query whose rows are its result.
 */
export async function applySessionStatement(
  connection: DuckDBConnection,
  statement: SessionStatement,
  state: SessionState,
  names: CatalogNames,
): Promise<string> {
  switch (statement.kind) {
    case 'use': {
      const catalog = statement.catalog ?? state.catalog;
      const schema = statement.schema ?? (statement.catalog !== undefined ? 'default' : state.schema);
      const target = duckNames(catalog, schema, names);
      const found = await connection.runAndReadAll(
        'SELECT 1 FROM duckdb_schemas() WHERE database_name = $1 AND schema_name = $2',
        [target.database, target.schema],
      );
      if (found.currentRowCount === 0) {
        throw new SqlStatementError(`[SCHEMA_NOT_FOUND] The schema \`${catalog}\`.\`${schema}\` cannot be found.`, '3F000');
      }
      state.catalog = catalog;
      state.schema = schema;
      return 'SELECT 1 WHERE false';
    }
    case 'set': {
      const { key, value } = statement;
      if (key !== undefined && value !== undefined && !(await applySetting(connection, state.settings, key, value))) {
        state.parameters.set(key, value);
      }
      const rows =
        key === undefined
          ? [...listedSettings(state.settings), ...state.parameters]
          : [[key, settingValue(state.settings, key) ?? state.parameters.get(key) ?? '<undefined>']];
      if (rows.length === 0) return 'SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS value WHERE false';
      return rows.map(([k, v]) => `SELECT ${literal(k!)} AS key, ${literal(v!)} AS value`).join(' UNION ALL ');
    }
    case 'temp-view': {
      const key = statement.name.toLowerCase();
      if (state.tempViews.has(key) && !statement.replace) {
        if (statement.ifNotExists) return 'SELECT 1 WHERE false';
        throw new SqlStatementError(
          `[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view \`${statement.name}\` because it already exists.`,
          '42P07',
        );
      }
      const query = translateSql(statement.query, names, { ansi: state.settings.ansi });
      // Checked on this connection: a view that does not bind fails here, not in later statements.
      await connection.run(`CREATE OR REPLACE TEMPORARY VIEW ${quoteIdentifier(statement.name)} AS ${query}`);
      state.tempViews.set(key, query);
      return 'SELECT 1 WHERE false';
    }
    case 'drop-view': {
      const key = statement.name.toLowerCase();
      if (!state.tempViews.delete(key) && !statement.ifExists) {
        throw new SqlStatementError(`[TABLE_OR_VIEW_NOT_FOUND] The view \`${statement.name}\` cannot be found.`, '42P01');
      }
      return 'SELECT 1 WHERE false';
    }
  }
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
