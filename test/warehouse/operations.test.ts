/**
 * Operations across readers and sessions: re-reading from any row, pickup from another
 * session, secrets, cancel, close, idle expiry, concurrency.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RecordBatchReader } from 'apache-arrow';
import Int64 from 'node-int64';
import {
  TCancelOperationReq,
  TCloseOperationReq,
  TCloseSessionReq,
  TFetchOrientation,
  TFetchResultsReq,
  TGetOperationStatusReq,
  TGetResultSetMetadataReq,
  THandleIdentifier,
  TOperationHandle,
  TOperationState,
  TOperationType,
  TStatusCode,
} from '../../src/thrift/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { assertSuccess, executeRequest, waitUntilDone, WarehouseTestClient } from '../support/warehouse-client.js';
import { waitFor } from '../support/wait.js';

/** A statement that runs far longer than any test: it is always cancelled. */
const ENDLESS = 'SELECT sum(a.id * b.id) FROM RANGE(1000000) a, RANGE(1000000) b';

async function readIds(
  client: WarehouseTestClient,
  handle: TOperationHandle,
  start: number | undefined,
  maxRows: number,
): Promise<{ ids: bigint[]; more: boolean }> {
  const metadata = await client.call('GetResultSetMetadata', new TGetResultSetMetadataReq({ operationHandle: handle }));
  const fetched = await client.call(
    'FetchResults',
    new TFetchResultsReq({
      operationHandle: handle,
      orientation: TFetchOrientation.FETCH_NEXT,
      maxRows: new Int64(maxRows),
      startRowOffset: start === undefined ? undefined : new Int64(start),
    }),
  );
  assertSuccess(fetched.status);
  const ids: bigint[] = [];
  for (const batch of fetched.results!.arrowBatches!) {
    for (const rb of RecordBatchReader.from(Buffer.concat([metadata.arrowSchema!, batch.batch]))) {
      for (const id of rb.getChildAt(0)!.toArray() as BigInt64Array) ids.push(id);
    }
  }
  return { ids, more: fetched.hasMoreRows === true };
}

function range(from: number, to: number): bigint[] {
  return Array.from({ length: to - from }, (_, i) => BigInt(from + i));
}

describe('local warehouse: operations', () => {
  let warehouse: LocalWarehouse;
  let client: WarehouseTestClient;

  before(async () => {
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 500 });
    client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
  });
  after(async () => {
    await warehouse.close();
  });

  it('lets two readers read the same result from any row, and FETCH_NEXT continue', async () => {
    const session = await client.openSession();
    const { operationHandle } = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT * FROM RANGE(200000)', { direct: false }),
    );
    assert.equal((await waitUntilDone(client, operationHandle!)).operationState, TOperationState.FINISHED_STATE);

    const first = await readIds(client, operationHandle!, 0, 70_000);
    assert.deepEqual(first.ids, range(0, 70_000));
    assert.equal(first.more, true);
    const next = await readIds(client, operationHandle!, undefined, 70_000);
    assert.deepEqual(next.ids, range(70_000, 140_000));

    // A second reader, on its own connection and session after the submitting session closed,
    // starts in the middle of a stored batch, then re-reads the start.
    assertSuccess((await client.call('CloseSession', new TCloseSessionReq({ sessionHandle: session }))).status);
    const other = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    await other.openSession();
    const middle = await readIds(other, operationHandle!, 65_530, 10);
    assert.deepEqual(middle.ids, range(65_530, 65_540));
    const again = await readIds(other, operationHandle!, 0, 5);
    assert.deepEqual(again.ids, range(0, 5));
    const tail = await readIds(other, operationHandle!, 199_990, 100);
    assert.deepEqual(tail.ids, range(199_990, 200_000));
    assert.equal(tail.more, false);
    assertSuccess((await other.call('CloseOperation', new TCloseOperationReq({ operationHandle: operationHandle! }))).status);
  });

  it('lets another session (and connection) pick a query up with its id and secret', async () => {
    const submitter = await client.openSession();
    const { operationHandle } = await client.call(
      'ExecuteStatement',
      executeRequest(submitter, 'SELECT * FROM RANGE(1234)', { direct: false }),
    );
    await client.call('CloseSession', { sessionHandle: submitter });
    const picker = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    await picker.openSession();
    const rebuilt = new TOperationHandle({
      operationId: new THandleIdentifier({
        guid: Buffer.from(operationHandle!.operationId.guid),
        secret: Buffer.from(operationHandle!.operationId.secret),
      }),
      operationType: TOperationType.EXECUTE_STATEMENT,
      hasResultSet: true,
    });
    const status = await waitUntilDone(picker, rebuilt);
    assert.equal(status.operationState, TOperationState.FINISHED_STATE);
    const { ids } = await readIds(picker, rebuilt, 0, 10_000);
    assert.deepEqual(ids, range(0, 1234));
  });

  it('answers a wrong secret exactly as an unknown query', async () => {
    const session = await client.openSession();
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, 'SELECT 1', { direct: false }));
    const wrongSecret = new TOperationHandle({
      operationId: new THandleIdentifier({ guid: operationHandle!.operationId.guid, secret: randomBytes(16) }),
      operationType: TOperationType.EXECUTE_STATEMENT,
      hasResultSet: true,
    });
    const unknownGuid = new TOperationHandle({
      operationId: new THandleIdentifier({ guid: randomBytes(16), secret: operationHandle!.operationId.secret }),
      operationType: TOperationType.EXECUTE_STATEMENT,
      hasResultSet: true,
    });
    const a = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle: wrongSecret }));
    const b = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle: unknownGuid }));
    assert.equal(a.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS);
    assert.equal(b.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS);
    const shape = (message: string | undefined): string => (message ?? '').replace(/[0-9a-f-]{36}/, 'ID');
    assert.equal(shape(a.status.errorMessage), shape(b.status.errorMessage));
    assert.match(a.status.errorMessage ?? '', /RESOURCE_DOES_NOT_EXIST/);
    // Cancel and fetch with the wrong secret do nothing to the query.
    assert.equal(
      (await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: wrongSecret }))).status.statusCode,
      TStatusCode.INVALID_HANDLE_STATUS,
    );
    assert.equal((await waitUntilDone(client, operationHandle!)).operationState, TOperationState.FINISHED_STATE);
  });

  it('cancels a long cross join promptly, and cancel stays harmless afterwards', async () => {
    const session = await client.openSession();
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, ENDLESS, { direct: false }));
    const running = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle: operationHandle! }));
    assert.equal(running.operationState, TOperationState.RUNNING_STATE);
    assertSuccess((await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: operationHandle! }))).status);
    // ENDLESS would run for hours: ending at all within the deadline means the cancel stopped it.
    const status = await waitUntilDone(client, operationHandle!, 30_000);
    assert.equal(status.operationState, TOperationState.CANCELED_STATE);
    // The DuckDB statement itself stops: the session's connection is free for the next statement.
    const quick = await client.call('ExecuteStatement', executeRequest(session, 'SELECT 42 AS answer', { direct: false }));
    assert.equal((await waitUntilDone(client, quick.operationHandle!, 30_000)).operationState, TOperationState.FINISHED_STATE);
    assertSuccess((await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: operationHandle! }))).status);
    const fetched = await client.call(
      'FetchResults',
      new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(1) }),
    );
    assert.equal(fetched.status.statusCode, TStatusCode.ERROR_STATUS);
    assert.match(fetched.status.errorMessage ?? '', /CANCELED/);
    assert.equal(warehouse.history().find((r) => r.statement === ENDLESS && r.state === 'CANCELED')?.state, 'CANCELED');
  });

  it('frees a closed operation: it is then unknown', async () => {
    const session = await client.openSession();
    const { operationHandle } = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT * FROM RANGE(10)', { direct: false }),
    );
    await waitUntilDone(client, operationHandle!);
    assertSuccess((await client.call('CloseOperation', new TCloseOperationReq({ operationHandle: operationHandle! }))).status);
    const after = await client.call('GetOperationStatus', new TGetOperationStatusReq({ operationHandle: operationHandle! }));
    assert.equal(after.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS);
  });

  it('runs concurrent sessions and statements, each with its own result', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => client.openSession()));
    const blocker = await client.call('ExecuteStatement', executeRequest(sessions[0]!, ENDLESS, { direct: false }));
    const results = await Promise.all(
      sessions.flatMap((session, s) =>
        [1, 2, 3].map(async (k) => {
          const n = 1000 * (s + 1) + k;
          const response = await client.call(
            'ExecuteStatement',
            executeRequest(session, `SELECT * FROM RANGE(${n})`, { direct: false }),
          );
          await waitUntilDone(client, response.operationHandle!);
          return { n, ids: (await readIds(client, response.operationHandle!, 0, 100_000)).ids };
        }),
      ),
    );
    for (const { n, ids } of results) assert.deepEqual(ids, range(0, n));
    const still = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: blocker.operationHandle! }),
    );
    assert.equal(still.operationState, TOperationState.RUNNING_STATE, 'a long statement does not block the others');
    await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: blocker.operationHandle! }));
  });
});

describe('local warehouse: idle expiry', () => {
  let warehouse: LocalWarehouse;
  before(async () => {
    warehouse = await startLocalWarehouse({ resultIdleTimeoutMs: 300 });
  });
  after(async () => {
    await warehouse.close();
  });

  it('frees finished results nobody read for the idle timeout, but not running ones', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const finished = await client.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT * FROM RANGE(10)', { runAsync: false }),
    );
    const running = await client.call('ExecuteStatement', executeRequest(session, ENDLESS, { direct: false }));
    // Watch the history, not the operation: every call on an operation counts as using it.
    await waitFor(
      'the idle result to be freed',
      () => warehouse.history().find((r) => r.statement === 'SELECT * FROM RANGE(10)')?.state === 'CLOSED',
    );
    const gone = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: finished.operationHandle! }),
    );
    assert.equal(gone.status.statusCode, TStatusCode.INVALID_HANDLE_STATUS);
    const status = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: running.operationHandle! }),
    );
    assert.equal(status.operationState, TOperationState.RUNNING_STATE);
    await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: running.operationHandle! }));
  });
});

describe('local warehouse: statement queue and query timeout', () => {
  let warehouse: LocalWarehouse;
  before(async () => {
    warehouse = await startLocalWarehouse({ maxConcurrentStatements: 1 });
  });
  after(async () => {
    await warehouse.close();
  });

  it('keeps statements beyond the concurrency limit PENDING, then runs them', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const first = await client.call('ExecuteStatement', executeRequest(session, ENDLESS, { direct: false }));
    const second = await client.call('ExecuteStatement', executeRequest(session, 'SELECT * FROM RANGE(3)', { direct: false }));
    const waiting = await client.call(
      'GetOperationStatus',
      new TGetOperationStatusReq({ operationHandle: second.operationHandle! }),
    );
    assert.equal(waiting.operationState, TOperationState.PENDING_STATE);
    await client.call('CancelOperation', new TCancelOperationReq({ operationHandle: first.operationHandle! }));
    const done = await waitUntilDone(client, second.operationHandle!, 10_000);
    assert.equal(done.operationState, TOperationState.FINISHED_STATE);
    assert.deepEqual((await readIds(client, second.operationHandle!, 0, 10)).ids, range(0, 3));
  });

  it('stops a statement at its queryTimeout and reports TIMEDOUT with the reason', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const session = await client.openSession();
    const req = executeRequest(session, ENDLESS, { direct: false });
    req.queryTimeout = new Int64(1);
    const started = Date.now();
    const { operationHandle } = await client.call('ExecuteStatement', req);
    const status = await waitUntilDone(client, operationHandle!, 10_000);
    assert.equal(status.operationState, TOperationState.TIMEDOUT_STATE);
    assert.match(status.errorMessage ?? '', /query timeout of 1 s/);
    assert.ok(Date.now() - started >= 1000);
    // The slot is free again: the next statement runs.
    const next = await client.call('ExecuteStatement', executeRequest(session, 'SELECT 1', { runAsync: false }));
    assertSuccess(next.status);
  });
});
