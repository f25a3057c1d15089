/**
 * Protocol negotiation with a HiveServer2-like peer: a real HTTP server running the generated
 * Thrift processor with a handler that, like HiveServer2, fails OpenSession for a protocol
 * number it does not know. The driver must fall back to a HIVE version and then send none of
 * the Databricks extensions, binding parameters into the SQL text itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import thrift from 'thrift';
import { AsyncExecutionStatus, type Connection, connect } from '../../src/index.js';
import {
  TCLIServiceProcessor,
  type TExecuteStatementReq,
  TExecuteStatementResp,
  THandleIdentifier,
  type TOpenSessionReq,
  TOpenSessionResp,
  TOperationHandle,
  TOperationType,
  TProtocolVersion,
  TSessionHandle,
  TStatus,
  TStatusCode,
  TCloseSessionResp,
} from '../../src/thrift/index.js';

const HIVE_SERVER_VERSION = TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8;

describe('protocol negotiation with a HiveServer2-like peer', () => {
  let server: Server;
  let serverHostname: string;
  const offered: Array<{ field1?: number; i64?: number }> = [];
  let strictPeer = true;
  const executed: TExecuteStatementReq[] = [];

  const handler = {
    OpenSession(req: TOpenSessionReq): Promise<TOpenSessionResp> {
      offered.push({ field1: req.client_protocol ?? undefined, i64: req.client_protocol_i64?.toNumber() });
      // Neither peer reads the i64 field. HiveServer2 needs field 1; Spark's server defaults it to HIVE V10.
      const asked = req.client_protocol ?? (strictPeer ? undefined : TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
      if (asked === undefined || asked > TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10) {
        return Promise.resolve(
          new TOpenSessionResp({
            status: new TStatus({
              statusCode: TStatusCode.ERROR_STATUS,
              errorMessage: "Required field 'client_protocol' is unset!",
            }),
            serverProtocolVersion: HIVE_SERVER_VERSION,
          }),
        );
      }
      return Promise.resolve(
        new TOpenSessionResp({
          status: new TStatus({ statusCode: TStatusCode.SUCCESS_STATUS }),
          serverProtocolVersion: Math.min(asked, HIVE_SERVER_VERSION),
          sessionHandle: new TSessionHandle({
            sessionId: new THandleIdentifier({ guid: randomBytes(16), secret: randomBytes(16) }),
          }),
        }),
      );
    },
    ExecuteStatement(req: TExecuteStatementReq): Promise<TExecuteStatementResp> {
      executed.push(req);
      return Promise.resolve(
        new TExecuteStatementResp({
          status: new TStatus({ statusCode: TStatusCode.SUCCESS_STATUS }),
          operationHandle: new TOperationHandle({
            operationId: new THandleIdentifier({ guid: randomBytes(16), secret: randomBytes(16) }),
            operationType: TOperationType.EXECUTE_STATEMENT,
            hasResultSet: true,
          }),
        }),
      );
    },
    CloseSession(_req: unknown): Promise<TCloseSessionResp> {
      return Promise.resolve(new TCloseSessionResp({ status: new TStatus({ statusCode: TStatusCode.SUCCESS_STATUS }) }));
    },
  };

  before(async () => {
    const processor = new TCLIServiceProcessor(handler);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        thrift.TBufferedTransport.receiver((input) => {
          const output = new thrift.TBufferedTransport(undefined, (reply?: Buffer) => {
            res.writeHead(200, { 'content-type': 'application/x-thrift' });
            res.end(reply);
          });
          processor.process(new thrift.TBinaryProtocol(input), new thrift.TBinaryProtocol(output));
        }, 0)(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverHostname = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('falls back to a HIVE version, then sends plain HiveServer2 requests with client-side parameters', async () => {
    offered.length = 0;
    strictPeer = true;
    const connection: Connection = await connect({
      serverHostname,
      httpPath: '/cliservice',
      auth: { username: 'spark', password: 'pw' },
    });
    try {
      assert.deepEqual(offered, [
        { field1: undefined, i64: TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8 },
        { field1: TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, i64: TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 },
      ]);
      assert.equal(connection.serverProtocolVersion, HIVE_SERVER_VERSION);
      const query = await connection.executeAsync("SELECT :name AS n, ':name' AS literal, ? AS never", { name: "O'Brien" });
      assert.equal(query.status, AsyncExecutionStatus.RUNNING);
      assert.equal(query.returnedAsDirectResult, false);
      const request = executed.at(-1)!;
      assert.equal(request.statement, "SELECT 'O\\'Brien' AS n, ':name' AS literal, ? AS never");
      assert.equal(request.runAsync, true);
      assert.equal(request.parameters ?? undefined, undefined);
      assert.equal(request.getDirectResults ?? undefined, undefined);
      assert.equal(request.canReadArrowResult ?? undefined, undefined);
      assert.equal(request.useArrowNativeTypes ?? undefined, undefined);
    } finally {
      await connection.close();
    }
  });

  it('opens at once on a peer that reads a missing protocol field as its default (Spark)', async () => {
    offered.length = 0;
    strictPeer = false;
    const connection = await connect({ serverHostname, httpPath: '/cliservice' });
    try {
      assert.equal(offered.length, 1);
      assert.equal(connection.serverProtocolVersion, HIVE_SERVER_VERSION);
    } finally {
      await connection.close();
    }
  });

  it('asks for the given protocol version straight away when one is forced', async () => {
    offered.length = 0;
    strictPeer = true;
    const connection = await connect({
      serverHostname,
      httpPath: '/cliservice',
      protocolVersion: TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
    });
    try {
      assert.deepEqual(offered, [
        { field1: TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, i64: TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 },
      ]);
    } finally {
      await connection.close();
    }
  });
});
