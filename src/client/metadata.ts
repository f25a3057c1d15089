/**
 * Catalog metadata (README, "Catalog metadata"): the catalogs, schemas, tables, columns, types,
 * functions and keys a warehouse knows, each as an ordinary ResultSet whose columns are the
 * JDBC DatabaseMetaData ones HiveServer2 defines (TABLE_CAT, TABLE_SCHEM, TABLE_NAME, ...).
 * The options are the official Node client's (`@databricks/sql`'s getTables etc.).
 *
 * Name options are patterns unless said otherwise: `%` matches any run of characters, `_` one
 * character, and a backslash makes the next one literal (`my\_table`). Leaving one out
 * matches every name.
 */
import type { MetadataArguments, MetadataCall } from '../backend/metadata.js';
import { InvalidArgumentError } from '../errors.js';
import type { TExecuteStatementResp } from '../thrift/index.js';
import { AsyncExecution } from './async-execution.js';
import type { QueryContext } from './query-context.js';
import type { ResultSet } from './result-set.js';

/** Options of `getSchemas()`. */
export interface SchemasOptions {
  /** Catalog name pattern; all catalogs when absent. */
  catalogName?: string;
  /** Schema name pattern; all schemas when absent. */
  schemaName?: string;
}

/** Options of `getTables()`. */
export interface TablesOptions extends SchemasOptions {
  /** Table or view name pattern. */
  tableName?: string;
  /** Only these types, e.g. `['TABLE']` or `['VIEW']` (see `getTableTypes()`); all when absent. */
  tableTypes?: string[];
}

/** Options of `getColumns()`. */
export interface ColumnsOptions extends SchemasOptions {
  /** Table or view name pattern. */
  tableName?: string;
  /** Column name pattern. */
  columnName?: string;
}

/** Options of `getFunctions()`. */
export interface FunctionsOptions extends SchemasOptions {
  /** Function name pattern (required; `'%'` for every function). */
  functionName: string;
}

/** Options of `getPrimaryKeys()`: one table, by exact name. */
export interface PrimaryKeysOptions {
  catalogName?: string;
  schemaName: string;
  tableName: string;
}

/** Options of `getCrossReference()`: the foreign keys of one table that refer to another, by exact names. */
export interface CrossReferenceOptions {
  parentCatalogName: string;
  parentSchemaName: string;
  parentTableName: string;
  foreignCatalogName: string;
  foreignSchemaName: string;
  foreignTableName: string;
}

/** How a catalog call is run: the connection's context and its direct-result limits. */
export interface MetadataRunner {
  readonly context: QueryContext;
  readonly directResults: { maxRows: number; maxBytes: number };
}

/**
 * Runs a catalog call and opens its rows; closing the ResultSet (or reading it to the end)
 * closes the operation on the server.
 */
export async function runMetadataCall(
  runner: MetadataRunner,
  call: MetadataCall,
  options: () => MetadataArguments,
): Promise<ResultSet> {
  const args = options();
  runner.context.assertOpen();
  const reply = await runner.context.backend.getMetadata(call, args, runner.context.capabilities, runner.directResults);
  const execution = AsyncExecution.fromExecuteReply(runner.context, reply as TExecuteStatementResp);
  try {
    return await execution.openResults({}, () => execution.close(), true);
  } catch (error) {
    await execution.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Checks the options of `call` against their documented types; `required` names the ones that
 * must be given. Throws InvalidArgumentError naming the first bad option.
 */
export function checkedOptions(
  call: string,
  options: object | undefined,
  names: readonly string[],
  required: readonly string[] = [],
): MetadataArguments {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidArgumentError('options', `${call} takes an options object`);
  }
  const given = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!names.includes(key) && given[key] !== undefined) {
      throw new InvalidArgumentError(key, `${call} has no option '${key}' (it takes ${names.join(', ') || 'none'})`);
    }
  }
  const args: Record<string, string | readonly string[] | undefined> = {};
  for (const name of names) {
    const value = given[name];
    if (value === undefined || value === null) {
      if (required.includes(name)) throw new InvalidArgumentError(name, `${call} needs ${name}`);
      continue;
    }
    if (name === 'tableTypes') {
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) {
        throw new InvalidArgumentError(name, `${name} must be an array of strings, e.g. ['TABLE', 'VIEW']`);
      }
      args[name] = [...(value as string[])];
    } else if (typeof value !== 'string') {
      throw new InvalidArgumentError(name, `${name} must be a string, got ${typeof value}`);
    } else {
      args[name] = value;
    }
  }
  return args;
}
