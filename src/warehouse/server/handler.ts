/**
 * The TCLIService handler: sessions, statements and their operations, as a Databricks SQL
 * warehouse answers them. Every method resolves to a response with a TStatus; failures a
 * client should see are statuses, never thrown.
 */
import Int64 from 'node-int64';
import {
  TCancelOperationReq,
  TCancelOperationResp,
  TCloseOperationReq,
  TCloseOperationResp,
  TCloseSessionReq,
  TCloseSessionResp,
  TExecuteStatementReq,
  TExecuteStatementResp,
  TFetchOrientation,
  TFetchResultsReq,
  TFetchResultsResp,
  TGetCatalogsReq,
  TGetCatalogsResp,
  TGetColumnsReq,
  TGetColumnsResp,
  TGetCrossReferenceReq,
  TGetCrossReferenceResp,
  TGetFunctionsReq,
  TGetFunctionsResp,
  TGetInfoReq,
  TGetInfoResp,
  TGetInfoType,
  TGetInfoValue,
  TGetOperationStatusReq,
  TGetOperationStatusResp,
  TGetPrimaryKeysReq,
  TGetPrimaryKeysResp,
  TGetResultSetMetadataReq,
  TGetResultSetMetadataResp,
  TGetSchemasReq,
  TGetSchemasResp,
  TGetTablesReq,
  TGetTablesResp,
  TGetTableTypesReq,
  TGetTableTypesResp,
  TGetTypeInfoReq,
  TGetTypeInfoResp,
  THandleIdentifier,
  TOpenSessionReq,
  TOpenSessionResp,
  TOperationHandle,
  TOperationType,
  TProtocolVersion,
  TSessionHandle,
  TSparkDirectResults,
  TStatus,
  TStatusCode,
  type TSparkGetDirectResults,
  type TSparkParameter,
  type TSparkParameterValueArg,
} from '../../thrift/index.js';
import { describeRequest, type MetadataRequest } from '../metadata/calls.js';
import { newHandleBytes } from '../operations/handles.js';
import type { WarehouseEngine } from '../engine.js';
import type { ParameterArgument, StatementParameter } from '../statements/parameter-binding.js';
import { SqlStatementError, UnknownHandleError } from '../errors.js';
import { Operation, type ResultFormat, type RunOptions } from '../operations/operation.js';
import type { OperationRegistry } from '../operations/operation-registry.js';
import type { QueryHistory } from '../operations/query-history.js';
import { errorStatus, fetchRows, fitsOneReply, operationStatus, resultSetMetadata, successStatus } from './responses.js';
import type { SessionRegistry } from '../operations/session-registry.js';

/** The newest protocol this warehouse speaks (named parameters). */
const SERVER_PROTOCOL_VERSION = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;

/** Used when a client gives no maxBytes / maxRows. */
const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
const DEFAULT_MAX_ROWS = 100_000;

export interface HandlerOptions {
  readonly directResultsWaitMs: number;
  readonly spool: RunOptions['spool'];
  readonly cloudFetch: RunOptions['cloudFetch'];
  readonly hold?: RunOptions['hold'];
}

type AnyResponse = { status: TStatus };

/** What every catalog call's request and response carry besides the call's own arguments. */
type MetadataReq = { sessionHandle: TSessionHandle; getDirectResults?: TSparkGetDirectResults; runAsync?: boolean };
type MetadataResp = AnyResponse & { operationHandle?: TOperationHandle; directResults?: TSparkDirectResults };

/** Catalog results are column-based: the requests carry no result format, and every client reads it. */
const METADATA_FORMAT: ResultFormat = { arrow: null, canDownload: false };

export class WarehouseHandler {
  constructor(
    private readonly engine: WarehouseEngine,
    private readonly sessions: SessionRegistry,
    private readonly operations: OperationRegistry,
    private readonly history: QueryHistory,
    private readonly options: HandlerOptions,
  ) {}

  OpenSession(req: TOpenSessionReq): Promise<TOpenSessionResp> {
    const asked = req.client_protocol_i64 ? req.client_protocol_i64.toNumber() : (req.client_protocol ?? SERVER_PROTOCOL_VERSION);
    const protocol = negotiate(asked);
    return Promise.resolve(
      new TOpenSessionResp({
        status: successStatus(),
        serverProtocolVersion: protocol,
        sessionHandle: new TSessionHandle({
          sessionId: new THandleIdentifier({ guid: this.sessions.open(), secret: newHandleBytes() }),
          serverProtocolVersion: protocol,
        }),
        configuration: {},
      }),
    );
  }

  async CloseSession(req: TCloseSessionReq): Promise<TCloseSessionResp> {
    return guarded(TCloseSessionResp, () => {
      // Operations outlive their session: a client may pick a query up from a new connection.
      this.sessions.close(req.sessionHandle?.sessionId?.guid);
      return new TCloseSessionResp({ status: successStatus() });
    });
  }

  async GetInfo(req: TGetInfoReq): Promise<TGetInfoResp> {
    return guarded(TGetInfoResp, () => {
      this.sessions.use(req.sessionHandle?.sessionId?.guid);
      const values: Record<number, string> = {
        [TGetInfoType.CLI_SERVER_NAME]: 'temporal-dbsql local warehouse',
        [TGetInfoType.CLI_DBMS_NAME]: 'Spark SQL (DuckDB)',
        [TGetInfoType.CLI_DBMS_VER]: '3.5.0',
      };
      return new TGetInfoResp({
        status: successStatus(),
        infoValue: new TGetInfoValue({ stringValue: values[req.infoType] ?? '' }),
      });
    });
  }

  async ExecuteStatement(req: TExecuteStatementReq): Promise<TExecuteStatementResp> {
    return guardedAsync(TExecuteStatementResp, async () => {
      this.sessions.use(req.sessionHandle?.sessionId?.guid);
      if (typeof req.statement !== 'string' || req.statement.trim() === '') {
        throw new SqlStatementError('ExecuteStatement needs a non-empty statement.', '42601');
      }
      const format = formatOf(req);
      // 0 (or absent) means no limit, as for queryTimeout.
      const limits = {
        rowLimit: req.resultRowLimit ? count('resultRowLimit', req.resultRowLimit) || undefined : undefined,
        maxBytesPerBatch: req.maxBytesPerBatch ? count('maxBytesPerBatch', req.maxBytesPerBatch) || undefined : undefined,
      };
      let prepared;
      try {
        const session = this.sessions.stateOf(req.sessionHandle?.sessionId?.guid);
        prepared = await this.engine.prepare(req.statement, parametersOf(req.parameters ?? []), session);
      } catch (error) {
        if (!(error instanceof SqlStatementError)) throw error;
        return this.refused(req, format, error);
      }
      const operation = Operation.start(req.statement, format, prepared, {
        spool: this.options.spool,
        cloudFetch: this.options.cloudFetch,
        timeoutSeconds: req.queryTimeout ? req.queryTimeout.toNumber() : 0,
        hold: this.options.hold,
        ...limits,
      });
      this.history.add(operation);
      this.operations.add(operation);

      if (!req.runAsync) {
        await operation.done;
      } else if (req.getDirectResults) {
        await waitAtMost(operation.done, this.options.directResultsWaitMs);
      }
      if (!req.runAsync && operation.state === 'ERROR' && !req.getDirectResults) {
        this.operations.remove(operation);
        throw operation.error ?? new SqlStatementError('The statement failed.', 'XX000');
      }
      const response = new TExecuteStatementResp({ status: successStatus(), operationHandle: handleOf(operation) });
      if (req.getDirectResults) {
        const { maxRows, maxBytes } = req.getDirectResults;
        response.directResults = await this.directResults(operation, maxRows, maxBytes);
      }
      return response;
    });
  }

  /**
   * A statement that does not parse or bind. Like Spark's Thrift server: a synchronous call
   * fails outright (TStatus ERROR); an async one gets a handle to an operation in ERROR state,
   * so the client reads the failure, with its SQLSTATE, from the operation status.
   */
  private refused(req: TExecuteStatementReq, format: ResultFormat, error: SqlStatementError): TExecuteStatementResp {
    const failed = Operation.refused(req.statement, format, error);
    this.history.add(failed);
    if (!req.runAsync) throw error;
    this.operations.add(failed);
    const response = new TExecuteStatementResp({ status: successStatus(), operationHandle: handleOf(failed) });
    if (req.getDirectResults) response.directResults = new TSparkDirectResults({ operationStatus: operationStatus(failed) });
    return response;
  }

  /**
   * Direct results: a finished result that fits the client's limits travels whole in the reply
   * and the operation is closed at once; otherwise only its status (and metadata) travel.
   */
  private async directResults(
    operation: Operation,
    maxRowsValue: Int64,
    maxBytesValue: Int64 | undefined,
  ): Promise<TSparkDirectResults> {
    const direct = new TSparkDirectResults({ operationStatus: operationStatus(operation) });
    if (operation.state !== 'FINISHED') return direct;
    const store = operation.result();
    const maxRows = maxRowsValue.toNumber();
    const maxBytes = Math.min(maxBytesValue ? maxBytesValue.toNumber() : Number.POSITIVE_INFINITY, operation.maxBytesPerBatch);
    direct.resultSetMetadata = resultSetMetadata(operation);
    if (store.rowCount <= maxRows && store.byteSize <= maxBytes && fitsOneReply(operation)) {
      direct.resultSet = await fetchRows(operation, 0, Math.max(1, store.rowCount), Number.POSITIVE_INFINITY);
      this.operations.remove(operation);
      direct.closeOperation = new TCloseOperationResp({ status: successStatus() });
    }
    return direct;
  }

  async GetOperationStatus(req: TGetOperationStatusReq): Promise<TGetOperationStatusResp> {
    return guarded(TGetOperationStatusResp, () => operationStatus(this.operation(req.operationHandle)));
  }

  async CancelOperation(req: TCancelOperationReq): Promise<TCancelOperationResp> {
    return guarded(TCancelOperationResp, () => {
      this.operation(req.operationHandle).cancel();
      return new TCancelOperationResp({ status: successStatus() });
    });
  }

  async CloseOperation(req: TCloseOperationReq): Promise<TCloseOperationResp> {
    return guarded(TCloseOperationResp, () => {
      this.operations.remove(this.operation(req.operationHandle));
      return new TCloseOperationResp({ status: successStatus() });
    });
  }

  async GetResultSetMetadata(req: TGetResultSetMetadataReq): Promise<TGetResultSetMetadataResp> {
    return guarded(TGetResultSetMetadataResp, () => resultSetMetadata(this.operation(req.operationHandle)));
  }

  async FetchResults(req: TFetchResultsReq): Promise<TFetchResultsResp> {
    return guardedAsync(TFetchResultsResp, async () => {
      const start =
        req.startRowOffset !== undefined && req.startRowOffset !== null
          ? count('startRowOffset', req.startRowOffset)
          : req.orientation === TFetchOrientation.FETCH_FIRST
            ? 0
            : 'next';
      const maxBytes = req.maxBytes ? count('maxBytes', req.maxBytes) : DEFAULT_MAX_BYTES;
      const maxRows = req.maxRows ? count('maxRows', req.maxRows) : DEFAULT_MAX_ROWS;
      const operation = this.operation(req.operationHandle);
      const response = await fetchRows(operation, start, maxRows, maxBytes);
      if (req.includeResultSetMetadata) response.resultSetMetadata = resultSetMetadata(operation);
      return response;
    });
  }

  GetCatalogs(req: TGetCatalogsReq): Promise<TGetCatalogsResp> {
    return this.metadata(TGetCatalogsResp, req, { call: 'GetCatalogs' }, TOperationType.GET_CATALOGS);
  }

  GetSchemas(req: TGetSchemasReq): Promise<TGetSchemasResp> {
    const { catalogName, schemaName } = req;
    return this.metadata(
      TGetSchemasResp,
      req,
      { call: 'GetSchemas', ...given({ catalogName, schemaName }) },
      TOperationType.GET_SCHEMAS,
    );
  }

  GetTables(req: TGetTablesReq): Promise<TGetTablesResp> {
    const { catalogName, schemaName, tableName, tableTypes } = req;
    const args = {
      call: 'GetTables',
      ...given({ catalogName, schemaName, tableName }),
      tableTypes: tableTypes ?? undefined,
    } as const;
    return this.metadata(TGetTablesResp, req, args, TOperationType.GET_TABLES);
  }

  GetTableTypes(req: TGetTableTypesReq): Promise<TGetTableTypesResp> {
    return this.metadata(TGetTableTypesResp, req, { call: 'GetTableTypes' }, TOperationType.GET_TABLE_TYPES);
  }

  GetColumns(req: TGetColumnsReq): Promise<TGetColumnsResp> {
    const { catalogName, schemaName, tableName, columnName } = req;
    const args = { call: 'GetColumns', ...given({ catalogName, schemaName, tableName, columnName }) } as const;
    return this.metadata(TGetColumnsResp, req, args, TOperationType.GET_COLUMNS);
  }

  GetTypeInfo(req: TGetTypeInfoReq): Promise<TGetTypeInfoResp> {
    return this.metadata(TGetTypeInfoResp, req, { call: 'GetTypeInfo' }, TOperationType.GET_TYPE_INFO);
  }

  GetFunctions(req: TGetFunctionsReq): Promise<TGetFunctionsResp> {
    const { catalogName, schemaName, functionName } = req;
    const args = { call: 'GetFunctions', ...given({ catalogName, schemaName, functionName }) } as const;
    return this.metadata(TGetFunctionsResp, req, args, TOperationType.GET_FUNCTIONS);
  }

  // HiveServer2 has no operation types for keys; it gives these two GET_FUNCTIONS, as here.
  GetPrimaryKeys(req: TGetPrimaryKeysReq): Promise<TGetPrimaryKeysResp> {
    const { catalogName, schemaName, tableName } = req;
    const args = { call: 'GetPrimaryKeys', ...given({ catalogName, schemaName, tableName }) } as const;
    return this.metadata(TGetPrimaryKeysResp, req, args, TOperationType.GET_FUNCTIONS);
  }

  GetCrossReference(req: TGetCrossReferenceReq): Promise<TGetCrossReferenceResp> {
    const { parentCatalogName, parentSchemaName, parentTableName, foreignCatalogName, foreignSchemaName, foreignTableName } = req;
    const names = {
      parentCatalogName,
      parentSchemaName,
      parentTableName,
      foreignCatalogName,
      foreignSchemaName,
      foreignTableName,
    };
    return this.metadata(
      TGetCrossReferenceResp,
      req,
      { call: 'GetCrossReference', ...given(names) },
      TOperationType.GET_FUNCTIONS,
    );
  }

  /**
   * A catalog call: an operation like a statement's, whose rows are read the same ways
   * (direct results, FetchResults); synchronous unless the client asks for runAsync.
   */
  private metadata<R extends MetadataResp>(
    Response: new (args: { status: TStatus; operationHandle?: TOperationHandle }) => R,
    req: MetadataReq,
    request: MetadataRequest,
    type: TOperationType,
  ): Promise<R> {
    return guardedAsync(Response, async () => {
      this.sessions.use(req.sessionHandle?.sessionId?.guid);
      const session = this.sessions.stateOf(req.sessionHandle?.sessionId?.guid);
      const prepared = await this.engine.prepareMetadata(request, session);
      const operation = Operation.start(describeRequest(request), METADATA_FORMAT, prepared, {
        spool: this.options.spool,
        cloudFetch: this.options.cloudFetch,
        timeoutSeconds: 0,
      });
      this.history.add(operation);
      this.operations.add(operation);
      if (!req.runAsync) await operation.done;
      else if (req.getDirectResults) await waitAtMost(operation.done, this.options.directResultsWaitMs);
      if (!req.runAsync && operation.state === 'ERROR' && !req.getDirectResults) {
        this.operations.remove(operation);
        throw operation.error ?? new SqlStatementError(`${request.call} failed.`, 'XX000');
      }
      const response = new Response({ status: successStatus(), operationHandle: handleOf(operation, type) });
      if (req.getDirectResults) {
        response.directResults = await this.directResults(operation, req.getDirectResults.maxRows, req.getDirectResults.maxBytes);
      }
      return response;
    });
  }

  private operation(handle: TOperationHandle | undefined): Operation {
    return this.operations.find(handle?.operationId?.guid, handle?.operationId?.secret);
  }
}

/** How the submitting client asked for its result. */
function formatOf(req: TExecuteStatementReq): ResultFormat {
  return {
    arrow: req.canReadArrowResult
      ? {
          timestampAsArrow: req.useArrowNativeTypes?.timestampAsArrow === true,
          decimalAsArrow: req.useArrowNativeTypes?.decimalAsArrow === true,
          complexTypesAsArrow: req.useArrowNativeTypes?.complexTypesAsArrow === true,
          lz4: req.canDecompressLZ4Result === true,
        }
      : null,
    canDownload: req.canDownloadResult === true,
  };
}

/** The version both sides speak: the client's, capped at ours. */
function negotiate(clientProtocol: number): number {
  return Math.min(clientProtocol, SERVER_PROTOCOL_VERSION);
}

function handleOf(operation: Operation, type: TOperationType = TOperationType.EXECUTE_STATEMENT): TOperationHandle {
  return new TOperationHandle({
    operationId: new THandleIdentifier({ guid: operation.guid, secret: operation.secret }),
    operationType: type,
    hasResultSet: true,
  });
}

/** The arguments a client sent (Thrift reads an absent string as null). */
function given<T extends Record<string, string | null | undefined>>(args: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => typeof v === 'string')) as { [K in keyof T]?: string };
}

function parametersOf(parameters: readonly TSparkParameter[]): StatementParameter[] {
  return parameters.map((p) => {
    const value = p.value;
    const text =
      value?.stringValue ??
      (value?.doubleValue !== undefined && value?.doubleValue !== null ? String(value.doubleValue) : undefined) ??
      (value?.booleanValue !== undefined && value?.booleanValue !== null ? String(value.booleanValue) : null);
    return {
      name: p.name ?? undefined,
      type: p.type ?? 'STRING',
      value: text,
      arguments: p.arguments ? argumentsOf(p.arguments) : undefined,
    };
  });
}

/** The elements of a complex parameter (Thrift reads an absent field as null). */
function argumentsOf(args: readonly TSparkParameterValueArg[]): ParameterArgument[] {
  return args.map((a) => ({
    type: a.type ?? undefined,
    value: a.value ?? undefined,
    arguments: a.arguments ? argumentsOf(a.arguments) : undefined,
  }));
}

function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Runs `body`, turning errors a client should see into a response with an error TStatus. */
/**
 * An i64 count from a request (a row offset, a row or byte limit): 0 or more and exactly
 * representable, else an error status naming the field (not the runtime's own message).
 */
function count(field: string, value: Int64): number {
  const n = value.toNumber();
  if (!Number.isSafeInteger(n) || n < 0) {
    const got = Number.isFinite(n) ? String(n) : 'one out of that range';
    throw new SqlStatementError(`${field} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${got}`, '22003');
  }
  return n;
}

function guarded<R extends AnyResponse>(Response: new (args: { status: TStatus }) => R, body: () => R): Promise<R> {
  return guardedAsync(Response, () => Promise.resolve(body()));
}

async function guardedAsync<R extends AnyResponse>(
  Response: new (args: { status: TStatus }) => R,
  body: () => Promise<R>,
): Promise<R> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UnknownHandleError) {
      return new Response({ status: errorStatus(error.message, error.sqlState, TStatusCode.INVALID_HANDLE_STATUS) });
    }
    if (error instanceof SqlStatementError) {
      return new Response({ status: errorStatus(error.message, error.sqlState) });
    }
    throw error;
  }
}
