/**
 * The wire backend: builds Thrift requests, sends them through the generated client, and turns
 * every non-success `TStatus` into a typed error. Nothing above this file sees a TStatus.
 *
 * Rules: a call either returns a reply whose status is SUCCESS(_WITH_INFO) or STILL_EXECUTING,
 * or throws a DatabaseError. INVALID_HANDLE, or an error naming RESOURCE_DOES_NOT_EXIST or an
 * invalid operation handle, about an operation throws QueryNotFoundError, never
 * ServerOperationError.
 *
 * Session loss: a status saying the server no longer knows the session (see `sessionGone`)
 * reopens the session and retries the call once. That is safe for every call made here:
 * operation calls are idempotent, and a server that refuses ExecuteStatement for its session
 * has not run the statement. When the retry or the reopening fails too, SessionLostError.
 */
import Int64 from 'node-int64';
import {
  DatabaseError,
  QueryNotFoundError,
  RequestError,
  type SessionCall,
  SessionLostError,
  ServerOperationError,
} from '../errors.js';
import {
  TCancelOperationReq,
  TCloseOperationReq,
  TCloseSessionReq,
  TExecuteStatementReq,
  type TExecuteStatementResp,
  TFetchOrientation,
  TFetchResultsReq,
  type TFetchResultsResp,
  TGetOperationStatusReq,
  type TGetOperationStatusResp,
  TGetResultSetMetadataReq,
  type TGetResultSetMetadataResp,
  THandleIdentifier,
  TOpenSessionReq,
  TOperationHandle,
  TOperationType,
  TSessionHandle,
  TSparkArrowTypes,
  TSparkGetDirectResults,
  type TSparkParameter,
  type TStatus,
  TStatusCode,
} from '../thrift/index.js';
import type { HttpTransport } from '../transport/http-transport.js';
import { type ServerCapabilities, isSparkProtocol } from './capabilities.js';
import { bytesToUuid } from './handle-ids.js';
import { type MetadataArguments, type MetadataCall, type MetadataReply, isMetadataCall, metadataRequestOf } from './metadata.js';
import type { OpenedSession, SessionKeeper } from './session-keeper.js';
import { ThriftRpc } from './thrift-rpc.js';

export type { OpenedSession } from './session-keeper.js';

/** An operation on the server, with the user-facing id it is known by. */
export interface OperationRef {
  handle: TOperationHandle;
  queryId: string;
  querySecret: string;
}

export interface ExecuteRequest {
  statement: string;
  parameters?: TSparkParameter[];
  capabilities: ServerCapabilities;
  /** Ask for the result inline when the statement finishes quickly (Spark servers only). */
  directResults?: { maxRows: number; maxBytes: number };
  /** Server-side limit for the statement. @format seconds (0 = none) */
  queryTimeoutSeconds?: number;
  /** Accept large results as cloud-fetch links (Spark servers that read Arrow only). */
  canDownloadResult?: boolean;
  /** Keep at most this many rows of the result (Spark servers only). */
  resultRowLimit?: number;
  /** @format bytes. Most Arrow bytes per result batch (Spark servers only). */
  maxBytesPerBatch?: number;
}

export interface FetchRequest {
  maxRows: number;
  maxBytes?: number;
  /** Absolute row to read from (Spark servers); undefined = continue the server's cursor. */
  startRowOffset?: number;
  /** FETCH_FIRST restarts a HiveServer2 cursor at row 0. */
  fromStart?: boolean;
}

export class ThriftBackend {
  private readonly rpc: ThriftRpc;
  private session: SessionKeeper | undefined;

  constructor(private readonly http: HttpTransport) {
    this.rpc = new ThriftRpc(http);
  }

  async openSession(protocolVersion: number, username?: string): Promise<OpenedSession> {
    const spark = isSparkProtocol(protocolVersion);
    const request = new TOpenSessionReq({
      client_protocol_i64: new Int64(protocolVersion),
      username,
      canUseMultipleCatalogs: spark ? true : undefined,
    });
    // Like the official clients, a Spark version goes in the i64 field only: a Spark Thrift
    // server's Java enum has no Spark values and refuses the call if field 1 holds one, while
    // an absent field 1 reads as its default HIVE version.
    if (!spark) request.client_protocol = protocolVersion;
    const reply = await this.invoke('OpenSession', () => this.rpc.client.OpenSession(request));
    checkStatus(reply.status, 'OpenSession');
    if (!reply.sessionHandle) throw new ServerOperationError('OpenSession answered without a session handle');
    const version = reply.serverProtocolVersion ?? reply.sessionHandle.serverProtocolVersion ?? protocolVersion;
    return { handle: reply.sessionHandle, serverProtocolVersion: version };
  }

  /** Makes `session` the one ExecuteStatement uses, reopened by it when the server loses it. */
  useSession(session: SessionKeeper): void {
    this.session = session;
  }

  /** Closes the current session; one the server no longer knows counts as closed. */
  async closeSession(): Promise<void> {
    const sessionHandle = this.keeper().handle;
    let reply;
    try {
      reply = await this.invoke('CloseSession', () => this.rpc.client.CloseSession(new TCloseSessionReq({ sessionHandle })));
    } catch (error) {
      // Like the official Python client: HTTP 404 to CloseSession means it was closed already.
      if (error instanceof RequestError && error.httpStatus === 404) return;
      throw error;
    }
    if (reply.status && sessionGone(reply.status, true)) return;
    checkStatus(reply.status, 'CloseSession');
  }

  async executeStatement(request: ExecuteRequest): Promise<TExecuteStatementResp> {
    return this.recovering('ExecuteStatement', undefined, (session) => this.executeOn(session, request));
  }

  private async executeOn(session: TSessionHandle, request: ExecuteRequest): Promise<TExecuteStatementResp> {
    const { capabilities } = request;
    const thriftRequest = new TExecuteStatementReq({
      sessionHandle: session,
      statement: request.statement,
      runAsync: true,
      queryTimeout: new Int64(request.queryTimeoutSeconds ?? 0),
    });
    if (capabilities.spark && request.directResults) {
      thriftRequest.getDirectResults = new TSparkGetDirectResults({
        maxRows: new Int64(request.directResults.maxRows),
        maxBytes: new Int64(request.directResults.maxBytes),
      });
    }
    if (capabilities.arrowResults) {
      thriftRequest.canReadArrowResult = true;
      thriftRequest.canDecompressLZ4Result = capabilities.lz4Compression;
      if (request.canDownloadResult) thriftRequest.canDownloadResult = true;
      thriftRequest.useArrowNativeTypes = new TSparkArrowTypes({
        timestampAsArrow: true,
        decimalAsArrow: true,
        complexTypesAsArrow: true,
        intervalTypesAsArrow: false,
        nullTypeAsArrow: false,
      });
    }
    if (request.parameters && request.parameters.length > 0) thriftRequest.parameters = request.parameters;
    if (capabilities.spark && request.resultRowLimit !== undefined)
      thriftRequest.resultRowLimit = new Int64(request.resultRowLimit);
    if (capabilities.spark && request.maxBytesPerBatch !== undefined)
      thriftRequest.maxBytesPerBatch = new Int64(request.maxBytesPerBatch);
    const reply = await this.invoke('ExecuteStatement', () => this.rpc.client.ExecuteStatement(thriftRequest));
    checkStatus(reply.status, 'ExecuteStatement');
    if (!reply.operationHandle) throw new ServerOperationError('ExecuteStatement answered without an operation handle');
    return reply;
  }

  /**
   * Starts a catalog call (GetTables, GetColumns, ...); its reply reads like ExecuteStatement's.
   * Direct results are asked for as for a statement (Spark servers only).
   */
  async getMetadata(
    call: MetadataCall,
    args: MetadataArguments,
    capabilities: ServerCapabilities,
    directResults?: { maxRows: number; maxBytes: number },
  ): Promise<MetadataReply> {
    return this.recovering(call, undefined, async (sessionHandle) => {
      const getDirectResults =
        capabilities.spark && directResults
          ? new TSparkGetDirectResults({ maxRows: new Int64(directResults.maxRows), maxBytes: new Int64(directResults.maxBytes) })
          : undefined;
      const request = metadataRequestOf(call, { sessionHandle, runAsync: true, getDirectResults }, args);
      const send = this.rpc.client[call].bind(this.rpc.client) as (req: object) => Promise<MetadataReply>;
      const reply = await this.invoke(call, () => send(request));
      checkStatus(reply.status, call);
      if (!reply.operationHandle) throw new ServerOperationError(`${call} answered without an operation handle`);
      return reply;
    });
  }

  async getOperationStatus(operation: OperationRef): Promise<TGetOperationStatusResp> {
    const request = new TGetOperationStatusReq({ operationHandle: operation.handle, getProgressUpdate: false });
    return this.operationCall('GetOperationStatus', operation, () => this.rpc.client.GetOperationStatus(request));
  }

  async getResultSetMetadata(operation: OperationRef): Promise<TGetResultSetMetadataResp> {
    const request = new TGetResultSetMetadataReq({ operationHandle: operation.handle });
    return this.operationCall('GetResultSetMetadata', operation, () => this.rpc.client.GetResultSetMetadata(request));
  }

  async fetchResults(operation: OperationRef, fetch: FetchRequest): Promise<TFetchResultsResp> {
    const request = new TFetchResultsReq({
      operationHandle: operation.handle,
      orientation: fetch.fromStart ? TFetchOrientation.FETCH_FIRST : TFetchOrientation.FETCH_NEXT,
      maxRows: new Int64(fetch.maxRows),
      fetchType: 0,
    });
    if (fetch.maxBytes !== undefined) request.maxBytes = new Int64(fetch.maxBytes);
    if (fetch.startRowOffset !== undefined) request.startRowOffset = new Int64(fetch.startRowOffset);
    return this.operationCall('FetchResults', operation, () => this.rpc.client.FetchResults(request));
  }

  async cancelOperation(operation: OperationRef): Promise<void> {
    const request = new TCancelOperationReq({ operationHandle: operation.handle });
    await this.operationCall('CancelOperation', operation, () => this.rpc.client.CancelOperation(request));
  }

  async closeOperation(operation: OperationRef): Promise<void> {
    const request = new TCloseOperationReq({ operationHandle: operation.handle });
    await this.operationCall('CloseOperation', operation, () => this.rpc.client.CloseOperation(request));
  }

  /** Releases the HTTP connections. */
  async close(): Promise<void> {
    await this.http.close();
  }

  /** One call about an operation: sent, its status checked, retried once on a lost session. */
  private operationCall<R extends { status: TStatus }>(
    call: SessionCall,
    operation: OperationRef,
    send: () => Promise<R>,
  ): Promise<R> {
    return this.recovering(call, operation.queryId, async () => {
      const reply = await this.invoke(call, send);
      checkStatus(reply.status, call, operation.queryId);
      return reply;
    });
  }

  /**
   * Runs `attempt` on the current session; if it finds the session gone, reopens the session
   * and runs it once more. Throws SessionLostError when the reopening or the retry fails.
   */
  private async recovering<T>(
    call: SessionCall,
    queryId: string | undefined,
    attempt: (session: TSessionHandle) => Promise<T>,
  ): Promise<T> {
    const keeper = this.keeper();
    const session = keeper.handle;
    try {
      return await attempt(session);
    } catch (error) {
      if (!(error instanceof SessionLostError)) throw error;
      let reopened: TSessionHandle;
      try {
        reopened = await keeper.reopen(session);
      } catch (reopenError) {
        const why = reopenError instanceof Error ? reopenError.message : String(reopenError);
        throw new SessionLostError(`${error.message}; reopening a session failed: ${why}`, {
          call,
          queryId,
          cause: reopenError,
        });
      }
      try {
        return await attempt(reopened);
      } catch (retryError) {
        if (!(retryError instanceof SessionLostError)) throw retryError;
        throw new SessionLostError(`${retryError.message} (again on a newly opened session)`, { call, queryId });
      }
    }
  }

  private keeper(): SessionKeeper {
    if (!this.session) throw new DatabaseError('no session: open one with connect()');
    return this.session;
  }

  /** Runs one generated-client call, turning Thrift-level failures into DatabaseErrors. */
  private async invoke<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DatabaseError) throw error;
      // TApplicationException (the server could not process the call) or the generated
      // client's "unknown result" string.
      const message = error instanceof Error ? error.message : String(error);
      throw new ServerOperationError(`${method} failed on the server: ${message || 'no message'}`);
    }
  }
}

/** Makes the reference for an operation handle the server gave us. */
export function operationRefFromHandle(handle: TOperationHandle): OperationRef {
  return {
    handle,
    queryId: bytesToUuid(Buffer.from(handle.operationId.guid)),
    querySecret: bytesToUuid(Buffer.from(handle.operationId.secret)),
  };
}

/** Rebuilds the handle of a query picked up by id and secret (docs/protocol.md, "Handles"). */
export function operationRefFromIds(ids: { queryId: string; querySecret: string; guid: Buffer; secret: Buffer }): OperationRef {
  const handle = new TOperationHandle({
    operationId: new THandleIdentifier({ guid: ids.guid, secret: ids.secret }),
    operationType: TOperationType.EXECUTE_STATEMENT,
    hasResultSet: true,
  });
  return { handle, queryId: ids.queryId, querySecret: ids.querySecret };
}

/** Throws the typed error a non-success status stands for. */
export function checkStatus(status: TStatus | undefined, call: string, queryId?: string): void {
  if (!status) throw new ServerOperationError(`${call} answered without a status`, { queryId });
  switch (status.statusCode) {
    case TStatusCode.SUCCESS_STATUS:
    case TStatusCode.SUCCESS_WITH_INFO_STATUS:
    case TStatusCode.STILL_EXECUTING_STATUS:
      return;
    default:
      break;
  }
  const error = serverErrorOf(status, `${call} failed (status ${status.statusCode})`, queryId);
  if (isSessionCall(call) && sessionGone(status, call === 'ExecuteStatement' || isMetadataCall(call))) {
    throw new SessionLostError(`${call}: the server no longer knows this connection's session: ${error.message}`, {
      call,
      queryId,
    });
  }
  // Databricks says RESOURCE_DOES_NOT_EXIST; Spark's Thrift server says ERROR with
  // "Invalid OperationHandle: ..." for a handle it no longer knows.
  const notFound =
    status.statusCode === TStatusCode.INVALID_HANDLE_STATUS ||
    /RESOURCE_DOES_NOT_EXIST|^Invalid OperationHandle/.test(error.message);
  if (notFound && queryId !== undefined) throw new QueryNotFoundError(queryId, error.message);
  throw error;
}

/**
 * How servers say they no longer know a session: Spark's Thrift server (and HiveServer2) and
 * Databricks answer "Invalid SessionHandle: ..." (the official Python client matches that
 * text); Databricks and our local warehouse "RESOURCE_DOES_NOT_EXIST: Session <id> does not
 * exist". INVALID_HANDLE to a call whose only handle is the session's says the same.
 */
const SESSION_GONE = [/Invalid SessionHandle/, /\bSession [0-9a-f-]{8,} does not exist/i];

function sessionGone(status: TStatus, onlySessionHandle: boolean): boolean {
  if (onlySessionHandle && status.statusCode === TStatusCode.INVALID_HANDLE_STATUS) return true;
  const text = `${status.errorMessage ?? ''}\n${status.displayMessage ?? ''}`;
  return SESSION_GONE.some((pattern) => pattern.test(text));
}

const SESSION_CALLS: ReadonlySet<string> = new Set<SessionCall>([
  'ExecuteStatement',
  'GetCatalogs',
  'GetSchemas',
  'GetTables',
  'GetTableTypes',
  'GetColumns',
  'GetTypeInfo',
  'GetFunctions',
  'GetPrimaryKeys',
  'GetCrossReference',
  'GetOperationStatus',
  'GetResultSetMetadata',
  'FetchResults',
  'CancelOperation',
  'CloseOperation',
]);

function isSessionCall(call: string): call is SessionCall {
  return SESSION_CALLS.has(call);
}

/** The error fields a TStatus and a TGetOperationStatusResp both carry. */
export interface ServerErrorFields {
  errorMessage?: string;
  displayMessage?: string;
  sqlState?: string;
  errorCode?: number;
}

/** A ServerOperationError from the server's error fields; `fallback` is the message when it sent none. */
export function serverErrorOf(fields: ServerErrorFields, fallback: string, queryId?: string): ServerOperationError {
  return new ServerOperationError(fields.errorMessage || fields.displayMessage || fallback, {
    sqlState: fields.sqlState || undefined,
    errorCode: fields.errorCode,
    displayMessage: fields.displayMessage || undefined,
    queryId,
  });
}
