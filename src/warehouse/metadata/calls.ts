/**
 * The catalog calls (GetCatalogs, GetSchemas, GetTables, GetTableTypes, GetColumns,
 * GetTypeInfo, GetFunctions, GetPrimaryKeys, GetCrossReference): each reads DuckDB's catalog on
 * the session's connection and answers with a query over its result rows (rows-query.ts), which
 * the warehouse then runs like any statement.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlStatementError } from '../errors.js';
import type { CatalogNames } from '../sql-translate.js';
import {
  catalogsOf,
  columnsOf,
  foreignKeysOf,
  functionsOf,
  primaryKeysOf,
  relationsOf,
  schemasOf,
  type KeyColumn,
} from './catalog-queries.js';
import { nameMatcher, restricts } from './patterns.js';
import {
  CATALOG_COLUMNS,
  COLUMN_COLUMNS,
  CROSS_REFERENCE_COLUMNS,
  FUNCTION_COLUMNS,
  PRIMARY_KEY_COLUMNS,
  SCHEMA_COLUMNS,
  TABLE_COLUMNS,
  TABLE_TYPE_COLUMNS,
  TYPE_INFO_COLUMNS,
  type MetadataRow,
} from './result-columns.js';
import { rowsQuery } from './rows-query.js';
import { columnSizeOf, decimalDigitsOf, jdbcTypeOf, precisionRadixOf, sparkSqlName, typeInfoRows } from './type-info.js';

/** A catalog call and its arguments, as the client sent them (undefined when not sent). */
export type MetadataRequest =
  | { readonly call: 'GetCatalogs' }
  | { readonly call: 'GetSchemas'; readonly catalogName?: string; readonly schemaName?: string }
  | {
      readonly call: 'GetTables';
      readonly catalogName?: string;
      readonly schemaName?: string;
      readonly tableName?: string;
      readonly tableTypes?: readonly string[];
    }
  | { readonly call: 'GetTableTypes' }
  | {
      readonly call: 'GetColumns';
      readonly catalogName?: string;
      readonly schemaName?: string;
      readonly tableName?: string;
      readonly columnName?: string;
    }
  | { readonly call: 'GetTypeInfo' }
  | { readonly call: 'GetFunctions'; readonly catalogName?: string; readonly schemaName?: string; readonly functionName?: string }
  | { readonly call: 'GetPrimaryKeys'; readonly catalogName?: string; readonly schemaName?: string; readonly tableName?: string }
  | {
      readonly call: 'GetCrossReference';
      readonly parentCatalogName?: string;
      readonly parentSchemaName?: string;
      readonly parentTableName?: string;
      readonly foreignCatalogName?: string;
      readonly foreignSchemaName?: string;
      readonly foreignTableName?: string;
    };

/** The table types GetTableTypes lists and GetTables reports. */
const TABLE_TYPES = ['TABLE', 'VIEW'];

/** How the query history shows a call: its name and the arguments it was given. */
export function describeRequest(request: MetadataRequest): string {
  const args = Object.entries(request)
    .filter(([key, value]) => key !== 'call' && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? `[${value.join(',')}]` : String(value)}`);
  return `${request.call}(${args.join(', ')})`;
}

/** The DuckDB query whose rows answer `request`. Throws SqlStatementError for bad arguments. */
export async function metadataQuery(
  connection: DuckDBConnection,
  request: MetadataRequest,
  names: CatalogNames,
): Promise<string> {
  switch (request.call) {
    case 'GetCatalogs':
      return rowsQuery(
        CATALOG_COLUMNS,
        (await catalogsOf(connection, names)).map((c) => [c.catalog]),
      );
    case 'GetSchemas': {
      const catalog = nameMatcher(request.catalogName, true);
      const schema = nameMatcher(request.schemaName, true);
      const found = (await schemasOf(connection, names)).filter((s) => catalog(s.catalog) && schema(s.schema));
      return rowsQuery(
        SCHEMA_COLUMNS,
        found.map((s) => [s.schema, s.catalog]),
      );
    }
    case 'GetTables': {
      const types = request.tableTypes?.length ? new Set(request.tableTypes.map((t) => t.toUpperCase())) : undefined;
      const found = (await matchingRelations(connection, names, request)).filter((r) => !types || types.has(r.type));
      return rowsQuery(
        TABLE_COLUMNS,
        found.map((r) => [r.catalog, r.schema, r.name, r.type, r.comment ?? '', null, null, null, null, null]),
      );
    }
    case 'GetTableTypes':
      return rowsQuery(
        TABLE_TYPE_COLUMNS,
        TABLE_TYPES.map((t) => [t]),
      );
    case 'GetColumns': {
      const column = nameMatcher(request.columnName);
      const rows: MetadataRow[] = [];
      for (const relation of await matchingRelations(connection, names, request)) {
        (await columnsOf(connection, relation)).forEach((c, position) => {
          if (!column(c.name)) return;
          rows.push([
            relation.catalog,
            relation.schema,
            relation.name,
            c.name,
            jdbcTypeOf(c.type),
            sparkSqlName(c.type),
            columnSizeOf(c.type),
            null, // BUFFER_LENGTH
            decimalDigitsOf(c.type),
            precisionRadixOf(c.type),
            c.nullable ? 1 : 0,
            c.comment ?? '',
            c.defaultValue,
            null, // SQL_DATA_TYPE
            null, // SQL_DATETIME_SUB
            null, // CHAR_OCTET_LENGTH
            // 0-based, as Spark's Thrift server numbers them.
            position,
            c.nullable ? 'YES' : 'NO',
            null,
            null,
            null,
            null,
            'NO',
          ]);
        });
      }
      return rowsQuery(COLUMN_COLUMNS, rows);
    }
    case 'GetTypeInfo':
      return rowsQuery(TYPE_INFO_COLUMNS, typeInfoRows());
    case 'GetFunctions': {
      if (request.functionName === undefined || request.functionName === null) {
        throw new SqlStatementError('GetFunctions needs a functionName (a pattern; % for every function).', '42601');
      }
      const catalog = nameMatcher(request.catalogName, true);
      const schema = nameMatcher(request.schemaName, true);
      const name = nameMatcher(request.functionName);
      const scoped = restricts(request.catalogName) || restricts(request.schemaName);
      const found = (await functionsOf(connection, names)).filter(
        (f) => name(f.name) && (f.catalog === null ? !scoped : catalog(f.catalog) && schema(f.schema ?? '')),
      );
      return rowsQuery(
        FUNCTION_COLUMNS,
        // FUNCTION_TYPE: DatabaseMetaData.functionReturnsTable (2) or functionNoTable (1).
        found.map((f) => [f.catalog, f.schema, f.name, f.description ?? '', f.returnsTable ? 2 : 1, f.name]),
      );
    }
    case 'GetPrimaryKeys': {
      const inTable = keyFilter(request.catalogName, request.schemaName, request.tableName, 'GetPrimaryKeys');
      const found = (await primaryKeysOf(connection, names)).filter(inTable);
      return rowsQuery(
        PRIMARY_KEY_COLUMNS,
        found.map((k) => [k.relation.catalog, k.relation.schema, k.relation.table, k.column, k.sequence, k.keyName]),
      );
    }
    case 'GetCrossReference': {
      const inForeign = keyFilter(request.foreignCatalogName, request.foreignSchemaName, request.foreignTableName);
      const parent = keyFilter(request.parentCatalogName, request.parentSchemaName, request.parentTableName);
      if (request.parentTableName === undefined && request.foreignTableName === undefined) {
        throw new SqlStatementError('GetCrossReference needs a parentTableName or a foreignTableName.', '42601');
      }
      const primary = new Map(
        (await primaryKeysOf(connection, names)).map((k) => [
          `${k.relation.database}.${k.relation.duckSchema}.${k.relation.table}`,
          k.keyName,
        ]),
      );
      const rows: MetadataRow[] = [];
      for (const fk of await foreignKeysOf(connection, names)) {
        // DuckDB keeps a foreign key's parent in the child's schema.
        const parentKey: KeyColumn = { ...fk, relation: { ...fk.relation, table: fk.parentTable }, column: fk.parentColumn };
        if (!inForeign(fk) || !parent(parentKey)) continue;
        const r = fk.relation;
        rows.push([
          r.catalog,
          r.schema,
          fk.parentTable,
          fk.parentColumn,
          r.catalog,
          r.schema,
          r.table,
          fk.column,
          fk.sequence,
          // DatabaseMetaData.importedKeyNoAction (3): DuckDB has no cascading actions.
          3,
          3,
          fk.keyName,
          primary.get(`${r.database}.${r.duckSchema}.${fk.parentTable}`) ?? null,
          // importedKeyNotDeferrable (7).
          7,
        ]);
      }
      return rowsQuery(CROSS_REFERENCE_COLUMNS, rows);
    }
  }
}

/** Relations whose catalog, schema and name match the request's patterns. */
async function matchingRelations(
  connection: DuckDBConnection,
  names: CatalogNames,
  request: { catalogName?: string; schemaName?: string; tableName?: string },
) {
  const catalog = nameMatcher(request.catalogName, true);
  const schema = nameMatcher(request.schemaName, true);
  const table = nameMatcher(request.tableName);
  // Temporary views belong to no catalog: they show unless a catalog is asked for (Spark's
  // Thrift server, which has no catalogs, lists them whatever the schema pattern).
  const withTemporary = !restricts(request.catalogName);
  return (await relationsOf(connection, names)).filter((r) =>
    r.catalog === null ? withTemporary && table(r.name) : catalog(r.catalog) && schema(r.schema ?? '') && table(r.name),
  );
}

/** Keys of the named table (names exact, any case; an absent catalog or schema matches any). */
function keyFilter(catalogName?: string, schemaName?: string, tableName?: string, call?: string): (key: KeyColumn) => boolean {
  if (call !== undefined && (tableName === undefined || tableName === '')) {
    throw new SqlStatementError(`${call} needs a tableName.`, '42601');
  }
  const same = (a: string | undefined, b: string) => a === undefined || a === '' || a.toLowerCase() === b.toLowerCase();
  return (key) =>
    same(catalogName, key.relation.catalog) && same(schemaName, key.relation.schema) && same(tableName, key.relation.table);
}
