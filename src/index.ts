/**
 * temporal-dbsql: run SQL on Databricks SQL warehouses (and HiveServer2-compatible peers) over
 * Thrift HTTP, synchronously or as asynchronous, resumable queries.
 *
 * @example
 * import { connect } from 'temporal-dbsql';
 * const connection = await connect({ serverHostname, httpPath, accessToken });
 * const query = await connection.executeAsync('SELECT :p AS p, * FROM RANGE(10)', { p: 'foo' });
 * const rows = await (await query.getResults()).fetchAll();
 * await query.close();
 * await connection.close();
 */
export { connect } from './client/connect.js';
export type { ConnectOptions, OAuthClientCredentials } from './client/options.js';
export type { RetryOptions } from './transport/retry-policy.js';
export { Connection, type ExecuteOptions } from './client/connection.js';
export type {
  ColumnsOptions,
  CrossReferenceOptions,
  FunctionsOptions,
  PrimaryKeysOptions,
  SchemasOptions,
  TablesOptions,
} from './client/metadata.js';
export { AsyncExecution, type GetResultsOptions } from './client/async-execution.js';
export { AsyncExecutionStatus } from './client/status.js';
export { ResultSet } from './client/result-set.js';
export type { SqlParam, SqlParams, TypedSqlParam } from './params/index.js';
export type { ResultOptions } from './client/result-options.js';
export {
  CloudFetchDownloadError,
  type ColumnInfo,
  ResultDecodeError,
  ResultTooLargeError,
  type Row,
  type SqlValue,
  SqlType,
} from './results/index.js';
export {
  AsyncExecutionUnrecoverableResultError,
  AuthenticationError,
  ConnectionClosedError,
  DatabaseError,
  DirectResultNotRecoverableError,
  InvalidArgumentError,
  InvalidHandleError,
  QueryNotFoundError,
  RequestError,
  type ServerErrorDetails,
  ServerOperationError,
  type SessionCall,
  SessionLostError,
  StagingOperationError,
  TimeoutError,
} from './errors.js';
export { VERSION } from './version.js';
