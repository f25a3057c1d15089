/**
 * What the catalog calls read from DuckDB's own catalog, named as Databricks names it: a
 * DuckDB database is a catalog (the primary one is `main`), a DuckDB schema a schema (`main`
 * is `default`), and the session's temporary views (DuckDB temporary views on the statement's
 * connection) belong to no catalog or schema. DuckDB's system databases and schemas and the
 * warehouse's own function library are never shown.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SPARK_FUNCTION_CATALOG } from '../dialect/spark-functions.js';
import { quoteIdentifier, type CatalogNames } from '../sql-translate.js';
import { sparkTypeOf } from '../types.js';
import type { SqlTypeDesc } from '../../spark-types/index.js';

/** DuckDB databases that are not catalogs: its own, the temporary one, our function library. */
const HIDDEN_DATABASES = new Set(['system', 'temp', SPARK_FUNCTION_CATALOG]);
const HIDDEN_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

export interface CatalogName {
  /** The Databricks name. */
  readonly catalog: string;
  readonly database: string;
}

export interface SchemaName extends CatalogName {
  readonly schema: string;
  readonly duckSchema: string;
}

export interface Relation {
  /** Null for a temporary view. */
  readonly catalog: string | null;
  readonly schema: string | null;
  readonly name: string;
  readonly type: 'TABLE' | 'VIEW';
  readonly comment: string | null;
  /** Where DuckDB keeps it. */
  readonly database: string;
  readonly duckSchema: string;
}

export interface RelationColumn {
  readonly name: string;
  readonly type: SqlTypeDesc;
  readonly nullable: boolean;
  readonly comment: string | null;
  readonly defaultValue: string | null;
}

export interface KeyColumn {
  readonly relation: SchemaName & { readonly table: string };
  readonly column: string;
  /** 1-based place in the key. */
  readonly sequence: number;
  readonly keyName: string;
}

export interface ForeignKeyColumn extends KeyColumn {
  readonly parentTable: string;
  readonly parentColumn: string;
}

export interface FunctionEntry {
  readonly catalog: string | null;
  readonly schema: string | null;
  readonly name: string;
  readonly description: string | null;
  readonly returnsTable: boolean;
}

function catalogOf(database: string, names: CatalogNames): string {
  return database === names.primary ? 'main' : database;
}

function schemaOf(duckSchema: string): string {
  return duckSchema === 'main' ? 'default' : duckSchema;
}

type Row = Record<string, unknown>;

async function rows(connection: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS();
}

export async function catalogsOf(connection: DuckDBConnection, names: CatalogNames): Promise<CatalogName[]> {
  const found = await rows(connection, 'SELECT database_name FROM duckdb_databases() ORDER BY database_name');
  return found
    .map((r) => r.database_name as string)
    .filter((database) => !HIDDEN_DATABASES.has(database))
    .map((database) => ({ database, catalog: catalogOf(database, names) }))
    .sort((a, b) => a.catalog.localeCompare(b.catalog));
}

export async function schemasOf(connection: DuckDBConnection, names: CatalogNames): Promise<SchemaName[]> {
  const found = await rows(connection, 'SELECT database_name, schema_name FROM duckdb_schemas()');
  return found
    .map((r) => ({ database: r.database_name as string, duckSchema: r.schema_name as string }))
    .filter((s) => !HIDDEN_DATABASES.has(s.database) && !HIDDEN_SCHEMAS.has(s.duckSchema))
    .map((s) => ({ ...s, catalog: catalogOf(s.database, names), schema: schemaOf(s.duckSchema) }))
    .sort((a, b) => a.catalog.localeCompare(b.catalog) || a.schema.localeCompare(b.schema));
}

/** Tables and views of every catalog, then the session's temporary views. */
export async function relationsOf(connection: DuckDBConnection, names: CatalogNames): Promise<Relation[]> {
  const found = await rows(
    connection,
    `SELECT database_name, schema_name, table_name AS name, 'TABLE' AS type, comment, false AS temporary
       FROM duckdb_tables() WHERE NOT internal AND NOT temporary
     UNION ALL
     SELECT database_name, schema_name, view_name, 'VIEW', comment, temporary
       FROM duckdb_views() WHERE NOT internal`,
  );
  const relations: Relation[] = [];
  for (const r of found) {
    const database = r.database_name as string;
    const duckSchema = r.schema_name as string;
    const temporary = r.temporary === true;
    if (!temporary && (HIDDEN_DATABASES.has(database) || HIDDEN_SCHEMAS.has(duckSchema))) continue;
    relations.push({
      catalog: temporary ? null : catalogOf(database, names),
      schema: temporary ? null : schemaOf(duckSchema),
      name: r.name as string,
      type: r.type as 'TABLE' | 'VIEW',
      comment: (r.comment as string | null) ?? null,
      database,
      duckSchema,
    });
  }
  // Temporary views last, as Spark lists them; each part sorted by catalog, schema, name.
  const key = (r: Relation) => `${r.catalog === null ? '1' : '0'}\u0000${r.catalog ?? ''}\u0000${r.schema ?? ''}\u0000${r.name}`;
  return relations.sort((a, b) => key(a).localeCompare(key(b)));
}

/** The columns of one relation, in order, with their Spark types. */
export async function columnsOf(connection: DuckDBConnection, relation: Relation): Promise<RelationColumn[]> {
  const qualified = `${quoteIdentifier(relation.database)}.${quoteIdentifier(relation.duckSchema)}.${quoteIdentifier(relation.name)}`;
  const prepared = await connection.prepare(`SELECT * FROM ${qualified}`);
  try {
    const described = await connection.runAndReadAll(
      `SELECT column_name, is_nullable, comment, column_default FROM duckdb_columns()
        WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index`,
      [relation.database, relation.duckSchema, relation.name],
    );
    const details = new Map((described.getRowObjectsJS() as Row[]).map((r) => [r.column_name as string, r]));
    return Array.from({ length: prepared.columnCount }, (_, i) => {
      const name = prepared.columnName(i);
      const detail = details.get(name);
      return {
        name,
        type: sparkTypeOf(prepared.columnType(i)),
        nullable: detail?.is_nullable !== false,
        comment: (detail?.comment as string | null | undefined) ?? null,
        defaultValue: (detail?.column_default as string | null | undefined) ?? null,
      };
    });
  } finally {
    prepared.destroySync();
  }
}

/** Primary key columns of every table, in key order. */
export async function primaryKeysOf(connection: DuckDBConnection, names: CatalogNames): Promise<KeyColumn[]> {
  return (await constraintsOf(connection, names, 'PRIMARY KEY')).map(({ parentColumn: _, parentTable: __, ...key }) => key);
}

/** Foreign key columns of every table, with the parent column each one references. */
export function foreignKeysOf(connection: DuckDBConnection, names: CatalogNames): Promise<ForeignKeyColumn[]> {
  return constraintsOf(connection, names, 'FOREIGN KEY');
}

async function constraintsOf(
  connection: DuckDBConnection,
  names: CatalogNames,
  type: 'PRIMARY KEY' | 'FOREIGN KEY',
): Promise<ForeignKeyColumn[]> {
  const found = await rows(
    connection,
    `SELECT database_name, schema_name, table_name, constraint_name, constraint_column_names AS columns,
            referenced_table, referenced_column_names AS parents
       FROM duckdb_constraints() WHERE constraint_type = '${type}'
      ORDER BY database_name, schema_name, table_name, constraint_index`,
  );
  const keys: ForeignKeyColumn[] = [];
  for (const r of found) {
    const database = r.database_name as string;
    const duckSchema = r.schema_name as string;
    if (HIDDEN_DATABASES.has(database)) continue;
    const relation = {
      database,
      duckSchema,
      catalog: catalogOf(database, names),
      schema: schemaOf(duckSchema),
      table: r.table_name as string,
    };
    const columns = r.columns as string[];
    const parents = (r.parents as string[] | null) ?? [];
    columns.forEach((column, i) =>
      keys.push({
        relation,
        column,
        sequence: i + 1,
        keyName: r.constraint_name as string,
        parentTable: (r.referenced_table as string | null) ?? '',
        parentColumn: parents[i] ?? '',
      }),
    );
  }
  return keys;
}

/**
 * The functions a statement may call: DuckDB's built-in functions and the warehouse's Spark
 * function library (no catalog or schema, as Spark lists built-ins), then macros users made,
 * in their catalog and schema.
 */
export async function functionsOf(connection: DuckDBConnection, names: CatalogNames): Promise<FunctionEntry[]> {
  const found = await rows(
    connection,
    `SELECT database_name, schema_name, function_name, function_type, description, internal
       FROM duckdb_functions()
      WHERE function_type IN ('scalar', 'aggregate', 'table', 'macro', 'table_macro')
        AND NOT starts_with(function_name, '__')`,
  );
  const byKey = new Map<string, FunctionEntry>();
  for (const r of found) {
    const database = r.database_name as string;
    const builtIn = r.internal === true || database === 'system' || database === SPARK_FUNCTION_CATALOG;
    const entry: FunctionEntry = {
      catalog: builtIn ? null : catalogOf(database, names),
      schema: builtIn ? null : schemaOf(r.schema_name as string),
      name: (r.function_name as string).toLowerCase(),
      description: (r.description as string | null) ?? null,
      returnsTable: r.function_type === 'table' || r.function_type === 'table_macro',
    };
    const key = `${entry.catalog ?? ''}\u0000${entry.schema ?? ''}\u0000${entry.name}`;
    // One row per name: a name with a table-function variant (range) returns a table.
    const seen = byKey.get(key);
    byKey.set(key, {
      ...entry,
      description: seen?.description || entry.description,
      returnsTable: entry.returnsTable || seen?.returnsTable === true,
    });
  }
  return [...byKey.values()].sort(
    (a, b) =>
      (a.catalog ?? '').localeCompare(b.catalog ?? '') ||
      (a.schema ?? '').localeCompare(b.schema ?? '') ||
      a.name.localeCompare(b.name),
  );
}
