/**
 * A session on a SQL warehouse: runs statements (`execute`, `executeAsync`) and picks up
 * queries started elsewhere (`getAsyncExecution`). Made by `connect()`. When the server loses
 * the session (idle expiry, restart), the next call reopens it (see README, "Lost sessions").
 */
import { type ServerCapabilities, capabilitiesOf } from '../backend/capabilities.js';
import { parseQueryHandle } from '../backend/handle-ids.js';
import { type OpenedSession, ThriftBackend, operationRefFromIds } from '../backend/thrift-backend.js';
import { ConnectionClosedError, InvalidArgumentError } from '../errors.js';
import { type SqlParams, bindParametersClientSide, toSparkParameters } from '../params/index.js';
import type { TSparkParameter } from '../thrift/index.js';
import { AsyncExecution } from './async-execution.js';
import {
  type ColumnsOptions,
  type CrossReferenceOptions,
  type FunctionsOptions,
  type MetadataRunner,
  type PrimaryKeysOptions,
  type SchemasOptions,
  type TablesOptions,
  checkedOptions,
  runMetadataCall,
} from './metadata.js';
import type { ResolvedOptions } from './options.js';
import type { QueryContext } from './query-context.js';
import type { ResultSet } from './result-set.js';
import { allowedLocalPaths, transferStagedFile, type StagingTransferOptions } from './staging-transfer.js';

/** Options of one statement. */
export interface ExecuteOptions {
  /** Server-side time limit; the server cancels the statement after it. @format seconds (default: none) */
  queryTimeoutSeconds?: number;
  /** Ask for the result inline when the statement finishes quickly (default true; Spark servers only). */
  directResults?: boolean;
  /**
   * The server keeps at most this many rows of the result and drops the rest (Databricks
   * `resultRowLimit`). @format number of rows, a positive integer (default: no limit)
   */
  resultRowLimit?: number;
  /**
   * The most bytes of Arrow data the server puts in one batch of the result (Databricks
   * `maxBytesPerBatch`); a batch holds at least one row. @format bytes, a positive integer (default: the server's)
   */
  maxBytesPerBatch?: number;
  /**
   * For this statement, in place of connect()'s `stagingAllowedLocalPath`: the directories a
   * staging statement's local file may be in (README, "Staging: files to and from volumes").
   */
  stagingAllowedLocalPath?: string | readonly string[];
}

/** The first word of every staging statement: other statements skip the result-metadata check. */
const STAGING_KEYWORD = /^\s*(PUT|GET|REMOVE)\s/i;

export class Connection {
  /** The protocol version the session speaks (the lower of ours and the server's). */
  readonly serverProtocolVersion: number;
  private readonly context: QueryContext;
  /** Largest direct result to ask for (kept alone: the resolved options also hold the credentials). */
  private readonly directResults: { maxRows: number; maxBytes: number };
  /** How staging statements move files: allowed directories, TLS and timeout of the transfer. */
  private readonly staging: StagingTransferOptions;
  private closed = false;

  /** @internal Use `connect()`. */
  static open(backend: ThriftBackend, session: OpenedSession, options: ResolvedOptions, requestedVersion: number): Connection {
    return new Connection(backend, session, options, requestedVersion);
  }

  // Private so that the published types offer no constructor: connections come from connect().
  private constructor(
    private readonly backend: ThriftBackend,
    session: OpenedSession,
    options: ResolvedOptions,
    requestedVersion: number,
  ) {
    this.directResults = options.directResults;
    this.staging = {
      allowedLocalPaths: options.stagingAllowedLocalPaths ?? [],
      ca: options.ca,
      timeoutMs: options.requestTimeoutMs,
    };
    this.serverProtocolVersion = Math.min(session.serverProtocolVersion, requestedVersion);
    const server = capabilitiesOf(this.serverProtocolVersion);
    const capabilities: ServerCapabilities = { ...server, lz4Compression: server.lz4Compression && options.results.lz4 };
    this.context = {
      backend,
      capabilities,
      fetchSizes: { maxRows: options.maxRowsPerFetch, maxBytes: options.directResults.maxBytes },
      results: options.results,
      poll: { minDelayMs: 50, maxDelayMs: 1_000 },
      assertOpen: () => this.assertOpen(),
    };
  }

  /**
   * Runs a statement and returns its rows. Closing the ResultSet (or reading it to the end)
   * closes the query on the server. A staging statement (PUT, GET, REMOVE on a volume) moves
   * its file before this returns, and its rows are the warehouse's staging row.
   * @throws ServerOperationError when the statement fails (with its sqlState).
   * @throws StagingOperationError when a staging statement's local file is not allowed or its transfer fails.
   */
  async execute(sql: string, params?: SqlParams, options: ExecuteOptions = {}): Promise<ResultSet> {
    const allowed = allowedLocalPaths(options.stagingAllowedLocalPath, 'stagingAllowedLocalPath');
    const execution = await this.executeAsync(sql, params, options);
    try {
      if (STAGING_KEYWORD.test(sql) && (await execution.isStagingOperation())) {
        const staging = allowed === undefined ? this.staging : { ...this.staging, allowedLocalPaths: allowed };
        await transferStagedFile(await execution.getResults(), staging);
      }
      return await execution.openResults({}, () => execution.close(), true);
    } catch (error) {
      await execution.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Submits a statement and returns as soon as the server accepted it (or, for quick statements,
   * with its result inline: see `AsyncExecution.returnedAsDirectResult`).
   * @throws SessionLostError when the session was lost and could not be reopened; the statement did not run.
   */
  async executeAsync(sql: string, params?: SqlParams, options: ExecuteOptions = {}): Promise<AsyncExecution> {
    this.assertOpen();
    if (typeof sql !== 'string' || sql.trim() === '') {
      throw new InvalidArgumentError('sql', 'the statement must be a non-empty string');
    }
    const { statement, parameters } = this.prepare(sql, params);
    const useDirect = options.directResults ?? true;
    const reply = await this.backend.executeStatement({
      statement,
      parameters,
      capabilities: this.context.capabilities,
      directResults: useDirect ? this.directResults : undefined,
      queryTimeoutSeconds: options.queryTimeoutSeconds,
      canDownloadResult: this.context.results.cloudFetch,
      resultRowLimit: positiveOption(options, 'resultRowLimit'),
      maxBytesPerBatch: positiveOption(options, 'maxBytesPerBatch'),
    });
    return AsyncExecution.fromExecuteReply(this.context, reply);
  }

  /**
   * Picks up a query started by any connection, from its id and secret (or `'id:secret'`).
   * Both are checked before any network call.
   * @throws InvalidHandleError naming the malformed part.
   * @throws QueryNotFoundError when the server does not know the query (closed, expired, direct result).
   */
  async getAsyncExecution(queryId: string, querySecret: string): Promise<AsyncExecution>;
  async getAsyncExecution(serialized: string): Promise<AsyncExecution>;
  async getAsyncExecution(idOrSerialized: string, querySecret?: string): Promise<AsyncExecution> {
    const ids = parseQueryHandle(idOrSerialized, querySecret);
    this.assertOpen();
    return AsyncExecution.pickUp(this.context, operationRefFromIds(ids));
  }

  /** Catalog metadata (README, "Catalog metadata"): the catalogs, one row each (TABLE_CAT). */
  getCatalogs(): Promise<ResultSet> {
    return runMetadataCall(this.metadataRunner(), 'GetCatalogs', () => ({}));
  }

  /** Schemas matching the patterns: TABLE_SCHEM, TABLE_CATALOG. */
  getSchemas(options?: SchemasOptions): Promise<ResultSet> {
    return runMetadataCall(this.metadataRunner(), 'GetSchemas', () =>
      checkedOptions('getSchemas', options, ['catalogName', 'schemaName']),
    );
  }

  /** Tables and views matching the patterns: TABLE_CAT, TABLE_SCHEM, TABLE_NAME, TABLE_TYPE, REMARKS, ... */
  getTables(options?: TablesOptions): Promise<ResultSet> {
    const names = ['catalogName', 'schemaName', 'tableName', 'tableTypes'];
    return runMetadataCall(this.metadataRunner(), 'GetTables', () => checkedOptions('getTables', options, names));
  }

  /** The table types getTables reports (TABLE_TYPE). */
  getTableTypes(): Promise<ResultSet> {
    return runMetadataCall(this.metadataRunner(), 'GetTableTypes', () => ({}));
  }

  /** Columns matching the patterns: TABLE_CAT, ..., COLUMN_NAME, DATA_TYPE (java.sql.Types), TYPE_NAME, ... */
  getColumns(options?: ColumnsOptions): Promise<ResultSet> {
    const names = ['catalogName', 'schemaName', 'tableName', 'columnName'];
    return runMetadataCall(this.metadataRunner(), 'GetColumns', () => checkedOptions('getColumns', options, names));
  }

  /** The SQL types the server knows: TYPE_NAME, DATA_TYPE, PRECISION, ... */
  getTypeInfo(): Promise<ResultSet> {
    return runMetadataCall(this.metadataRunner(), 'GetTypeInfo', () => ({}));
  }

  /** Functions matching the patterns: FUNCTION_CAT, FUNCTION_SCHEM, FUNCTION_NAME, REMARKS, FUNCTION_TYPE, SPECIFIC_NAME. */
  getFunctions(options: FunctionsOptions): Promise<ResultSet> {
    const names = ['catalogName', 'schemaName', 'functionName'];
    return runMetadataCall(this.metadataRunner(), 'GetFunctions', () =>
      checkedOptions('getFunctions', options, names, ['functionName']),
    );
  }

  /** The primary key columns of one table: TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, KEQ_SEQ, PK_NAME. */
  getPrimaryKeys(options: PrimaryKeysOptions): Promise<ResultSet> {
    const names = ['catalogName', 'schemaName', 'tableName'];
    return runMetadataCall(this.metadataRunner(), 'GetPrimaryKeys', () =>
      checkedOptions('getPrimaryKeys', options, names, ['schemaName', 'tableName']),
    );
  }

  /** The foreign keys of the foreign table that refer to the parent table: PKTABLE_CAT, ..., FK_NAME, PK_NAME. */
  getCrossReference(options: CrossReferenceOptions): Promise<ResultSet> {
    const names = [
      'parentCatalogName',
      'parentSchemaName',
      'parentTableName',
      'foreignCatalogName',
      'foreignSchemaName',
      'foreignTableName',
    ];
    return runMetadataCall(this.metadataRunner(), 'GetCrossReference', () =>
      checkedOptions('getCrossReference', options, names, names),
    );
  }

  /**
   * Closes the session and its HTTP connections. Queries submitted with executeAsync keep running
   * on the server and can be picked up from another connection. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.backend.closeSession();
    } finally {
      await this.backend.close();
    }
  }

  private prepare(sql: string, params: SqlParams | undefined): { statement: string; parameters?: TSparkParameter[] } {
    if (params === undefined) return { statement: sql };
    if (typeof params !== 'object' || params === null) {
      throw new InvalidArgumentError('params', 'params must be an object of named parameters or an array of positional ones');
    }
    if (this.context.capabilities.nativeParameters) return { statement: sql, parameters: toSparkParameters(params) };
    // Servers before Spark protocol V8 cannot bind parameters: bind them here, as escaped literals.
    return { statement: bindParametersClientSide(sql, params) };
  }

  private metadataRunner(): MetadataRunner {
    return { context: this.context, directResults: this.directResults };
  }

  private assertOpen(): void {
    if (this.closed) throw new ConnectionClosedError('this connection is closed');
  }
}

/** An optional positive-integer option, checked before anything is sent. */
function positiveOption(options: ExecuteOptions, name: 'resultRowLimit' | 'maxBytesPerBatch'): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(name, `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
