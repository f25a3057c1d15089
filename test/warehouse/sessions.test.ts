/**
 * Session idle expiry (queries outlive their session, as on Databricks) and held statements
 * (the deterministic slow statement other tests build on).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Int64 from 'node-int64';
import {
  TCancelOperationReq,
  TCloseSessionReq,
  TFetchResultsReq,
  TGetInfoReq,
  TGetInfoType,
  TGetOperationStatusReq,
  TOperationState,
  TStatusCode,
} from '../../src/thrift/index.js';
import { startLocalWarehouse, WarehouseStartError, type LocalWarehouse } from '../../src/warehouse/index.js';
import { assertSuccess, executeRequest, waitUntilDone, WarehouseTestClient } from '../support/warehouse-client.js';
import { waitFor } from '../support/wait.js';

/** Releases held statements one by one, by statement text. */
class Gate {
  readonly held = new Map<string, { queryId: string; release: () => void; fail: (error: Error) => void }>();

  readonly hold = (info: { queryId: string; statement: string }): Promise<void> =>
    new Promise((resolve, reject) => {
      this.held.set(info.statement, { queryId: info.queryId, release: resolve, fail: reject });
    });

  /** Resolves once `statement` is held. */
  waitFor(statement: string): Promise<{ queryId: string; release: () => void; fail: (error: Error) => void }> {
    return waitFor(`'${statement}' to be held`, () => this.held.get(statement));
  }
}

/** Session idle timeout of the first suite. */
const IDLE_MS = 1500;

describe('local warehouse: session idle expiry', () => {
  let warehouse: LocalWarehouse;
  const gate = new Gate();

  before(async () => {
    warehouse = await startLocalWarehouse({ sessionIdleTimeoutMs: IDLE_MS, holdStatements: gate.hold });
  });
  after(async () => {
    await warehouse.close();
  });

  it('closes a session idle for the timeout: later calls get "Invalid SessionHandle", while its query keeps running and stays readable', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const statement = 'SELECT * FROM RANGE(5) -- outlives its session';
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, statement, { direct: false }));
    const held = await gate.waitFor(statement);

    // Only calls naming the session keep it alive: polling its query does not. Past the timeout
    // (and a sweep or two) the session is gone.
    const quietUntil = Date.now() + IDLE_MS + 1000;
    while (Date.now() < quietUntil) {
      const running = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle: operationHandle! }));
      assert.equal(running.operationState, TOperationState.RUNNING_STATE);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { status: expired } = await client.call(
      'GetInfo',
      new TGetInfoReq({ sessionHandle: session, infoType: TGetInfoType.CLI_SERVER_NAME }),
    );
    assert.equal(expired.statusCode, TStatusCode.INVALID_HANDLE_STATUS);
    assert.equal(expired.sqlState, 'HY000');
    assert.match(expired.errorMessage ?? '', /^Invalid SessionHandle: Session \[[0-9a-f-]{36}\]/);
    assert.match(expired.errorMessage ?? '', /RESOURCE_DOES_NOT_EXIST/);
    const execute = await client.call('ExecuteStatement', executeRequest(session, 'SELECT 1', { direct: false }));
    assert.equal(execute.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS, 'nothing runs on an expired session');
    assert.ok(!execute.operationHandle);
    const close = await client.call('CloseSession', new TCloseSessionReq({ sessionHandle: session }));
    assert.equal(close.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS);

    // The query outlived its session: released, it finishes and reads from a new connection.
    held.release();
    const reader = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    await reader.openSession();
    assert.equal((await waitUntilDone(reader, operationHandle!)).operationState, TOperationState.FINISHED_STATE);
    const fetched = await reader.call(
      'FetchResults',
      new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(100) }),
    );
    assertSuccess(fetched.status);
    assert.equal(
      fetched.results?.arrowBatches?.reduce((n, b) => n + b.rowCount.toNumber(), 0),
      5,
    );
  });

  it('keeps a session that is used more often than the timeout', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      const info = await client.call(
        'GetInfo',
        new TGetInfoReq({ sessionHandle: session, infoType: TGetInfoType.CLI_SERVER_NAME }),
      );
      assertSuccess(info.status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('refuses a timeout that is not a positive number', async () => {
    await assert.rejects(startLocalWarehouse({ sessionIdleTimeoutMs: 0 }), WarehouseStartError);
  });
});

describe('local warehouse: held statements', () => {
  let warehouse: LocalWarehouse;
  const gate = new Gate();

  before(async () => {
    warehouse = await startLocalWarehouse({ holdStatements: gate.hold, directResultsWaitMs: 0 });
  });
  after(async () => {
    await warehouse.close();
  });

  it('keeps a statement RUNNING until released, then finishes it', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const statement = 'SELECT 42 AS answer -- held';
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, statement, { direct: false }));
    const held = await gate.waitFor(statement);
    assert.equal(held.queryId, warehouse.history().find((r) => r.statement === statement)?.queryId);
    const status = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle: operationHandle! }));
    assert.equal(status.operationState, TOperationState.RUNNING_STATE);
    assert.equal(warehouse.history().find((r) => r.statement === statement)?.state, 'RUNNING');
    held.release();
    assert.equal((await waitUntilDone(client, operationHandle!)).operationState, TOperationState.FINISHED_STATE);
  });

  it('cancels a held statement at once', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const statement = 'SELECT 1 -- held, then cancelled';
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, statement, { direct: false }));
    await gate.waitFor(statement);
    assertSuccess((await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: operationHandle! }))).status);
    assert.equal((await waitUntilDone(client, operationHandle!, 5000)).operationState, TOperationState.CANCELED_STATE);
    // Its slot is free again: the next statement is held in turn (so it ran), not queued.
    const next = 'SELECT 2 -- after the cancelled one';
    await client.call('ExecuteStatement', executeRequest(session, next, { direct: false }));
    (await gate.waitFor(next)).release();
  });

  it('times a held statement out at its queryTimeout', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const req = executeRequest(session, 'SELECT 3 -- held past its timeout', { direct: false });
    req.queryTimeout = new Int64(1);
    const { operationHandle } = await client.call('ExecuteStatement', req);
    const status = await waitUntilDone(client, operationHandle!, 10_000);
    assert.equal(status.operationState, TOperationState.TIMEDOUT_STATE);
    assert.match(status.errorMessage ?? '', /query timeout of 1 s/);
  });

  it('fails a statement whose hold rejects, with the reason', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const statement = 'SELECT 4 -- hold rejects';
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, statement, { direct: false }));
    (await gate.waitFor(statement)).fail(new Error('the test said no'));
    const status = await waitUntilDone(client, operationHandle!);
    assert.equal(status.operationState, TOperationState.ERROR_STATE);
    assert.match(status.errorMessage ?? '', /the test said no/);
  });
});
