/**
 * The catalog calls on the wire: which Thrift request each one sends and which client method
 * sends it. Their replies all carry what an ExecuteStatement reply carries (status, operation
 * handle, direct results), so the rest of the driver reads them as statements.
 */
import {
  TGetCatalogsReq,
  TGetColumnsReq,
  TGetCrossReferenceReq,
  TGetFunctionsReq,
  TGetPrimaryKeysReq,
  TGetSchemasReq,
  TGetTablesReq,
  TGetTableTypesReq,
  TGetTypeInfoReq,
  type TSessionHandle,
  type TSparkDirectResults,
  type TSparkGetDirectResults,
  type TOperationHandle,
  type TStatus,
} from '../thrift/index.js';

export type MetadataCall =
  | 'GetCatalogs'
  | 'GetSchemas'
  | 'GetTables'
  | 'GetTableTypes'
  | 'GetColumns'
  | 'GetTypeInfo'
  | 'GetFunctions'
  | 'GetPrimaryKeys'
  | 'GetCrossReference';

/** Whether a call's only handle is the session's (so INVALID_HANDLE means the session is gone). */
export function isMetadataCall(call: string): call is MetadataCall {
  return Object.hasOwn(REQUESTS, call);
}

/** The name arguments of a call (catalogName, schemaName, tableName, tableTypes, ...), as sent. */
export type MetadataArguments = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What every catalog call's reply holds. */
export interface MetadataReply {
  status: TStatus;
  operationHandle?: TOperationHandle | null;
  directResults?: TSparkDirectResults | null;
}

interface RequestFields {
  sessionHandle: TSessionHandle;
  runAsync: boolean;
  getDirectResults?: TSparkGetDirectResults;
}

type RequestClass = new (args: RequestFields & Record<string, unknown>) => object;

const REQUESTS: Record<MetadataCall, RequestClass> = {
  GetCatalogs: TGetCatalogsReq,
  GetSchemas: TGetSchemasReq,
  GetTables: TGetTablesReq,
  GetTableTypes: TGetTableTypesReq,
  GetColumns: TGetColumnsReq,
  GetTypeInfo: TGetTypeInfoReq,
  GetFunctions: TGetFunctionsReq,
  GetPrimaryKeys: TGetPrimaryKeysReq,
  GetCrossReference: TGetCrossReferenceReq,
};

/** The Thrift request of `call`, with its arguments (absent ones left out). */
export function metadataRequestOf(call: MetadataCall, fields: RequestFields, args: MetadataArguments): object {
  const given = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
  return new REQUESTS[call]({ ...given, ...fields });
}
