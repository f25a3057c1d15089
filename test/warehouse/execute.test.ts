/**
 * Sessions and statements over real HTTP against a real DuckDB: protocol negotiation, direct
 * and non-direct results, parameters, and errors at parse time and at run time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import {
  TCloseSessionReq,
  TGetInfoReq,
  TGetInfoType,
  TGetOperationStatusReq,
  TGetResultSetMetadataReq,
  TFetchResultsReq,
  TOpenSessionReq,
  TOperationState,
  TProtocolVersion,
  TSparkParameter,
  TSparkParameterValue,
  TSparkRowSetType,
  TStatusCode,
  type TFetchResultsResp,
  type TGetResultSetMetadataResp,
} from '../../src/thrift/index.js';
import Int64 from 'node-int64';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { assertSuccess, executeRequest, waitUntilDone, WarehouseTestClient } from '../support/warehouse-client.js';

function rowsOf(metadata: TGetResultSetMetadataResp, fetched: TFetchResultsResp): Record<string, unknown>[] {
  const batches = fetched.results?.arrowBatches ?? [];
  const table = tableFromIPC([metadata.arrowSchema!, ...batches.map((b) => b.batch)]);
  return [...table].map((row) => ({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() }));
}

function param(name: string | undefined, type: string, value: string | null, ordinal?: number): TSparkParameter {
  return new TSparkParameter({
    name,
    ordinal,
    type,
    value: value === null ? undefined : new TSparkParameterValue({ stringValue: value }),
  });
}

describe('local warehouse: sessions and statements', () => {
  let warehouse: LocalWarehouse;
  let client: WarehouseTestClient;

  before(async () => {
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 2000 });
    client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
  });
  after(async () => {
    await warehouse.close();
  });

  it('negotiates the protocol down to what the client asks, capped at SPARK V8', async () => {
    const cases: [number, number][] = [
      [TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V9, TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8],
      [TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8, TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8],
      [TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V5, TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V5],
      [TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10],
    ];
    for (const [asked, expected] of cases) {
      const response = await client.call('OpenSession', new TOpenSessionReq({ client_protocol: asked }));
      assertSuccess(response.status);
      assert.equal(response.serverProtocolVersion, expected, `client asked ${asked}`);
      assert.equal(response.sessionHandle?.sessionId.guid.length, 16);
      const info = await client.call(
        'GetInfo',
        new TGetInfoReq({ sessionHandle: response.sessionHandle, infoType: TGetInfoType.CLI_SERVER_NAME }),
      );
      assertSuccess(info.status);
      assert.match(info.infoValue?.stringValue ?? '', /warehouse/);
      assertSuccess((await client.call('CloseSession', new TCloseSessionReq({ sessionHandle: response.sessionHandle }))).status);
      const closed = await client.call('CloseSession', new TCloseSessionReq({ sessionHandle: response.sessionHandle }));
      assert.equal(closed.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS, 'a closed session is unknown');
    }
  });

  it("runs the seed's statement with a named parameter as a direct result, closed on the server", async () => {
    const session = await client.openSession();
    const response = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT :param `p`, * FROM RANGE(10)', {
        direct: { maxRows: 100_000 },
        parameters: [param('param', 'STRING', 'foo')],
      }),
    );
    assertSuccess(response.status);
    const direct = response.directResults!;
    assert.equal(direct.operationStatus?.operationState, TOperationState.FINISHED_STATE);
    assert.equal(direct.resultSetMetadata?.resultFormat, TSparkRowSetType.ARROW_BASED_SET);
    assert.equal(direct.resultSet?.hasMoreRows, false);
    assertSuccess(direct.closeOperation!.status);
    assert.deepEqual(
      rowsOf(direct.resultSetMetadata, direct.resultSet),
      Array.from({ length: 10 }, (_, i) => ({ p: 'foo', id: BigInt(i) })),
    );
    const later = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: response.operationHandle! }),
    );
    assert.equal(later.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS);
    assert.match(later.status.errorMessage ?? '', /RESOURCE_DOES_NOT_EXIST/);
    const record = warehouse.history().find((r) => r.statement.startsWith('SELECT :param'));
    assert.equal(record?.state, 'CLOSED');
    assert.equal(record?.rowCount, 10);
  });

  it('keeps the operation when the result does not fit the direct-result limits', async () => {
    const session = await client.openSession();
    const response = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT * FROM RANGE(5000)', { direct: { maxRows: 100 } }),
    );
    assertSuccess(response.status);
    assert.equal(response.directResults?.operationStatus?.operationState, TOperationState.FINISHED_STATE);
    assert.equal(response.directResults?.resultSet, null);
    assert.equal(response.directResults?.closeOperation, null);
    const metadata = await client.call(
      'GetResultSetMetadata',
      new TGetResultSetMetadataReq({ operationHandle: response.operationHandle! }),
    );
    assertSuccess(metadata.status);
    const fetched = await client.call(
      'FetchResults',
      new TFetchResultsReq({ operationHandle: response.operationHandle!, orientation: 0, maxRows: new Int64(10_000) }),
    );
    assert.equal(rowsOf(metadata, fetched).length, 5000);
  });

  it('sends no direct result when a column set needs more than one response, and reads it from row 0', async () => {
    const session = await client.openSession();
    const response = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT * FROM RANGE(100000)', { arrow: false, direct: { maxRows: 200_000 } }),
    );
    assertSuccess(response.status);
    assert.equal(response.directResults?.operationStatus?.operationState, TOperationState.FINISHED_STATE);
    assert.equal(response.directResults?.resultSet, null);
    assert.equal(response.directResults?.closeOperation, null);
    let next = 0;
    for (let more = true; more;) {
      const fetched = await client.call(
        'FetchResults',
        new TFetchResultsReq({ operationHandle: response.operationHandle!, orientation: 0, maxRows: new Int64(100_000) }),
      );
      assertSuccess(fetched.status);
      assert.equal(fetched.results!.startRowOffset.toNumber(), next);
      const ids = fetched.results!.columns![0]!.i64Val!.values.map((v) => v.toNumber());
      assert.equal(ids[0], next);
      next += ids.length;
      more = fetched.hasMoreRows === true;
    }
    assert.equal(next, 100_000);
  });

  it('returns the handle of a statement still running after directResultsWaitMs, and it goes on', async () => {
    const session = await client.openSession();
    const started = Date.now();
    // Heavy enough to outlast the 2 s wait; cancelled below.
    const response = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT sum(a.id * b.id) FROM RANGE(1000000) a, RANGE(1000000) b', { direct: { maxRows: 100 } }),
    );
    const waited = Date.now() - started;
    assertSuccess(response.status);
    assert.ok(waited >= 1900 && waited < 10_000, `waited ${waited} ms`);
    assert.equal(response.directResults?.operationStatus?.operationState, TOperationState.RUNNING_STATE);
    assert.equal(response.directResults?.closeOperation, null);
    const status = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: response.operationHandle! }),
    );
    assert.equal(status.operationState, TOperationState.RUNNING_STATE);
    await client.call('CancelOperation', { operationHandle: response.operationHandle! });
  });

  it('binds typed named and positional parameters as real DuckDB parameters', async () => {
    const session = await client.openSession();
    const named = await client.call(
      'ExecuteStatement',
      executeRequest(
        session,
        "SELECT :i + 1 AS i, :d AS d, :ts AS ts, :dec AS dec, :b AS b, :n AS n, ':i' AS literal, 2::INT AS cast -- :x",
        {
          direct: { maxRows: 10 },
          parameters: [
            param('i', 'INT', '41'),
            param('d', 'DATE', '2024-02-29'),
            param('ts', 'TIMESTAMP', '2024-02-29 12:34:56.789'),
            param('dec', 'DECIMAL(10,2)', '12.3'),
            param('b', 'BOOLEAN', 'true'),
            param('n', 'VOID', null),
          ],
        },
      ),
    );
    assertSuccess(named.status);
    const [row] = rowsOf(named.directResults!.resultSetMetadata!, named.directResults!.resultSet!);
    assert.equal(row!['i'], 42);
    assert.equal(row!['d'], Date.UTC(2024, 1, 29));
    assert.equal(row!['ts'], Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    assert.equal(row!['literal'], ':i');
    assert.equal(row!['cast'], 2);
    assert.equal(row!['b'], true);
    assert.equal(row!['n'], null);
    const columns = named.directResults!.resultSetMetadata!.schema!.columns;
    assert.deepEqual(
      columns.map((c) => c.typeDesc.types[0]!.primitiveEntry?.typeQualifiers?.qualifiers['scale']?.i32Value ?? null),
      [null, null, null, 2, null, null, null, null],
    );

    const positional = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT ? + 1 AS x, ? AS s', {
        direct: { maxRows: 10 },
        // The Python connector sets ordinal = 1 on every positional parameter: list order counts.
        parameters: [param(undefined, 'BIGINT', '9007199254740993', 1), param(undefined, 'STRING', "it's", 1)],
      }),
    );
    assertSuccess(positional.status);
    const [prow] = rowsOf(positional.directResults!.resultSetMetadata!, positional.directResults!.resultSet!);
    // Beyond 2^53: exact only if bound as a real BIGINT.
    assert.deepEqual(prow, { x: 9007199254740994n, s: "it's" });

    const bad = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT :n AS n', { runAsync: false, parameters: [param('n', 'INT', 'forty')] }),
    );
    assert.equal(bad.status.statusCode, TStatusCode.ERROR_STATUS);
    assert.match(bad.status.errorMessage ?? '', /Parameter n .*forty.* INT/);
    const missing = await client.call('ExecuteStatement', executeRequest(session, 'SELECT :absent', { runAsync: false }));
    assert.equal(missing.status.statusCode, TStatusCode.ERROR_STATUS);
    assert.equal(missing.status.sqlState, '42P02');
  });

  it('refuses a statement that does not parse or bind: ERROR status when synchronous, ERROR state when async', async () => {
    const session = await client.openSession();
    const cases: [string, string][] = [
      ['SELECT * FROM no_such_table', '42P01'],
      ['SELEC 1', '42601'],
      ['SELECT no_such_column FROM RANGE(1)', '42703'],
    ];
    for (const [sql, sqlState] of cases) {
      const sync = await client.call('ExecuteStatement', executeRequest(session, sql, { runAsync: false }));
      assert.equal(sync.status.statusCode, TStatusCode.ERROR_STATUS, sql);
      assert.equal(sync.status.sqlState, sqlState, sql);
      assert.ok((sync.status.errorMessage ?? '').length > 0);
      assert.equal(sync.operationHandle, null);

      const async = await client.call('ExecuteStatement', executeRequest(session, sql, { direct: { maxRows: 10 } }));
      assertSuccess(async.status);
      assert.equal(async.directResults?.operationStatus?.operationState, TOperationState.ERROR_STATE, sql);
      assert.equal(async.directResults?.operationStatus?.sqlState, sqlState, sql);
      assert.equal(async.directResults?.closeOperation, null);
      const status = await client.call(
        'GetOperationStatus',
        new TGetOperationStatusReq({ operationHandle: async.operationHandle! }),
      );
      assert.equal(status.operationState, TOperationState.ERROR_STATE);
      assert.equal(status.sqlState, sqlState);
      assert.ok((status.errorMessage ?? '').length > 0);
    }
    assert.equal(warehouse.history().find((r) => r.statement === 'SELEC 1')?.state, 'ERROR');
  });

  it('reports a run-time failure of an async statement as ERROR_STATE with message and SQLSTATE', async () => {
    const session = await client.openSession();
    const response = await client.call(
      'ExecuteStatement',
      executeRequest(session, "SELECT CAST(concat('x', id) AS INT) FROM RANGE(10)", { direct: false }),
    );
    assertSuccess(response.status);
    const status = await waitUntilDone(client, response.operationHandle!);
    assert.equal(status.operationState, TOperationState.ERROR_STATE);
    assert.match(status.errorMessage ?? '', /Conversion Error/);
    assert.equal(status.sqlState, '22018');
    const fetched = await client.call(
      'FetchResults',
      new TFetchResultsReq({ operationHandle: response.operationHandle!, orientation: 0, maxRows: new Int64(10) }),
    );
    assert.equal(fetched.status.statusCode, TStatusCode.ERROR_STATUS);
    assert.match(fetched.status.errorMessage ?? '', /failed/);
  });

  it('answers a synchronous statement only once it has finished', async () => {
    const session = await client.openSession();
    const response = await client.call('ExecuteStatement', executeRequest(session, 'SELECT 1 AS one', { runAsync: false }));
    assertSuccess(response.status);
    const status = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: response.operationHandle! }),
    );
    assert.equal(status.operationState, TOperationState.FINISHED_STATE);
    const failed = await client.call(
      'ExecuteStatement',
      executeRequest(session, "SELECT CAST(concat('x', id) AS INT) FROM RANGE(3)", { runAsync: false }),
    );
    assert.equal(failed.status.statusCode, TStatusCode.ERROR_STATUS);
    assert.equal(failed.status.sqlState, '22018');
  });

  it('returns an empty result in Arrow and in column form', async () => {
    const session = await client.openSession();
    for (const arrow of [true, false]) {
      const direct = await client.call(
        'ExecuteStatement',
        executeRequest(session, 'SELECT * FROM RANGE(0)', { arrow, direct: { maxRows: 10 } }),
      );
      assertSuccess(direct.status);
      assert.equal(direct.directResults?.resultSet?.hasMoreRows, false);
      assertSuccess(direct.directResults.closeOperation!.status);
      const results = direct.directResults.resultSet.results!;
      if (arrow) assert.equal(rowsOf(direct.directResults.resultSetMetadata!, direct.directResults.resultSet).length, 0);
      else assert.deepEqual(results.columns?.[0]?.i64Val?.values, []);
      assert.equal(direct.directResults.resultSetMetadata!.schema!.columns[0]!.columnName, 'id');
    }
  });
});
