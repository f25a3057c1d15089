/**
 * Test-only Thrift client for the local warehouse: the generated TCLIServiceClient over a
 * minimal HTTP(S) POST, plus raw posting for malformed-body tests. Not the driver.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import Int64 from 'node-int64';
import thrift from 'thrift';
import {
  TCLIServiceClient,
  TExecuteStatementReq,
  TGetOperationStatusReq,
  TOperationState,
  TOpenSessionReq,
  TProtocolVersion,
  TSessionHandle,
  TSparkArrowTypes,
  TSparkGetDirectResults,
  TStatusCode,
  type TSparkParameter,
} from '../../src/thrift/index.js';
import type * as T from '../../src/thrift/index.js';
import { waitFor } from './wait.js';

export interface RawResponse {
  status: number;
  body: Buffer;
}

/** POSTs `body` to `url` and returns the status and body, whatever they are. */
export function postRaw(url: string, body: Buffer, headers: Record<string, string>, ca?: string): Promise<RawResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: 'POST', headers: { 'Content-Type': 'application/x-thrift', 'User-Agent': 'warehouse-test', ...headers }, ca },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (p: Buffer) => parts.push(p));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type Client = InstanceType<typeof TCLIServiceClient>;
interface Calls {
  OpenSession: [T.TOpenSessionReq, T.TOpenSessionResp];
  CloseSession: [T.TCloseSessionReq, T.TCloseSessionResp];
  GetInfo: [T.TGetInfoReq, T.TGetInfoResp];
  ExecuteStatement: [T.TExecuteStatementReq, T.TExecuteStatementResp];
  GetOperationStatus: [T.TGetOperationStatusReq, T.TGetOperationStatusResp];
  CancelOperation: [T.TCancelOperationReq, T.TCancelOperationResp];
  CloseOperation: [T.TCloseOperationReq, T.TCloseOperationResp];
  GetResultSetMetadata: [T.TGetResultSetMetadataReq, T.TGetResultSetMetadataResp];
  FetchResults: [T.TFetchResultsReq, T.TFetchResultsResp];
}
type Method = keyof Calls;
type Req<M extends Method> = Calls[M][0];
type Resp<M extends Method> = Calls[M][1];

export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export class WarehouseTestClient {
  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly ca?: string,
  ) {}

  /** Calls one TCLIService method; rejects with HttpStatusError on a non-200 answer. */
  async call<M extends Method>(method: M, req: Req<M>): Promise<Resp<M>> {
    let exchange: Promise<void> = Promise.resolve();
    const transport = new thrift.TBufferedTransport(undefined, (bytes?: Buffer) => {
      exchange = postRaw(this.url, bytes ?? Buffer.alloc(0), { Authorization: `Bearer ${this.token}` }, this.ca).then((res) => {
        if (res.status !== 200) throw new HttpStatusError(res.status);
        thrift.TBufferedTransport.receiver((input) => {
          const protocol = new thrift.TBinaryProtocol(input);
          const header = protocol.readMessageBegin();
          (client as unknown as Record<string, (p: unknown, t: number, s: number) => void>)[`recv_${header.fname}`]!(
            protocol,
            header.mtype,
            header.rseqid,
          );
        }, 0)(res.body);
      });
    });
    const client: Client = new TCLIServiceClient(transport, thrift.TBinaryProtocol);
    const result = (client[method] as unknown as (r: Req<M>) => Promise<Resp<M>>).call(client, req);
    await exchange;
    return result;
  }

  async openSession(protocol = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8): Promise<TSessionHandle> {
    const response = await this.call('OpenSession', new TOpenSessionReq({ client_protocol: protocol }));
    assertSuccess(response.status);
    return response.sessionHandle!;
  }
}

export interface ExecuteOptions {
  runAsync?: boolean;
  direct?: { maxRows: number; maxBytes?: number } | false;
  arrow?: boolean;
  lz4?: boolean;
  parameters?: TSparkParameter[];
}

/** An ExecuteStatement request as the driver sends it (Arrow, native types) unless told otherwise. */
export function executeRequest(session: TSessionHandle, statement: string, options: ExecuteOptions = {}): TExecuteStatementReq {
  const arrow = options.arrow ?? true;
  const req = new TExecuteStatementReq({
    sessionHandle: session,
    statement,
    runAsync: options.runAsync ?? true,
    canReadArrowResult: arrow,
    canDecompressLZ4Result: options.lz4 ?? false,
    parameters: options.parameters,
  });
  if (arrow) {
    req.useArrowNativeTypes = new TSparkArrowTypes({ timestampAsArrow: true, decimalAsArrow: true, complexTypesAsArrow: true });
  }
  if (options.direct) {
    req.getDirectResults = new TSparkGetDirectResults({
      maxRows: new Int64(options.direct.maxRows),
      maxBytes: options.direct.maxBytes === undefined ? undefined : new Int64(options.direct.maxBytes),
    });
  }
  return req;
}

export function assertSuccess(status: { statusCode: TStatusCode; errorMessage?: string }): void {
  if (status.statusCode !== TStatusCode.SUCCESS_STATUS && status.statusCode !== TStatusCode.SUCCESS_WITH_INFO_STATUS) {
    throw new Error(`Thrift status ${status.statusCode}: ${status.errorMessage ?? ''}`);
  }
}

/** Polls GetOperationStatus until the operation leaves PENDING/RUNNING; returns the final status. */
export async function waitUntilDone(
  client: WarehouseTestClient,
  operationHandle: T.TOperationHandle,
  timeoutMs = 60_000,
): Promise<T.TGetOperationStatusResp> {
  return waitFor(
    'the operation to end',
    async () => {
      const status = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle }));
      assertSuccess(status.status);
      const state = status.operationState;
      return state === TOperationState.RUNNING_STATE ||
        state === TOperationState.PENDING_STATE ||
        state === TOperationState.INITIALIZED_STATE
        ? undefined
        : status;
    },
    { timeoutMs },
  );
}
