/**
 * Cloud fetch served by the warehouse itself: URL_BASED_SET with signed, expiring links to
 * Arrow files on its own port, LZ4 when asked, 403 for any bad signature. Files stay within
 * their byte bound when one row is far larger than its batch's average (ResultStore, on a real
 * DuckDB result spooled to a real file).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { RecordBatchReader } from 'apache-arrow';
import { decompressFrameSync } from 'lz4-napi';
import Int64 from 'node-int64';
import {
  TCloseOperationReq,
  TFetchResultsReq,
  TGetResultSetMetadataReq,
  TOperationState,
  TSparkRowSetType,
  type TOperationHandle,
  type TSparkArrowResultLink,
} from '../../src/thrift/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { canonicalSchema, chunksToBatch } from '../../src/warehouse/encoding/chunk-to-arrow.js';
import { ArrowWireEncoder } from '../../src/warehouse/encoding/arrow-encode.js';
import { ResultStore } from '../../src/warehouse/result-storage/result-store.js';
import { Spool } from '../../src/warehouse/result-storage/spool.js';
import { sparkTypeOf, type ResultColumn } from '../../src/warehouse/types.js';
import { assertSuccess, executeRequest, waitUntilDone, WarehouseTestClient } from '../support/warehouse-client.js';

const ROWS = 300_000;
const STATEMENT = `SELECT id, 'row ' || id AS label FROM RANGE(${ROWS})`;

async function download(link: TSparkArrowResultLink, headers = link.httpHeaders ?? {}, url = link.fileLink ?? '') {
  const response = await fetch(url, { headers });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

/** Submits STATEMENT as a client that can download, and waits for it to finish. */
async function submit(client: WarehouseTestClient, lz4: boolean, maxBytesPerBatch?: number): Promise<TOperationHandle> {
  const session = await client.openSession();
  const req = executeRequest(session, STATEMENT, { direct: false, lz4 });
  req.canDownloadResult = true;
  if (maxBytesPerBatch !== undefined) req.maxBytesPerBatch = new Int64(maxBytesPerBatch);
  const { operationHandle } = await client.call('ExecuteStatement', req);
  assert.equal((await waitUntilDone(client, operationHandle!)).operationState, TOperationState.FINISHED_STATE);
  return operationHandle!;
}

async function fetchLinks(client: WarehouseTestClient, handle: TOperationHandle, start?: number) {
  const fetched = await client.call(
    'FetchResults',
    new TFetchResultsReq({
      operationHandle: handle,
      orientation: 0,
      maxRows: new Int64(1_000_000),
      startRowOffset: start === undefined ? undefined : new Int64(start),
    }),
  );
  assertSuccess(fetched.status);
  return { links: fetched.results?.resultLinks ?? [], more: fetched.hasMoreRows === true };
}

/** Every row through the links, in order, checking each link's own numbers. */
async function readAll(
  client: WarehouseTestClient,
  handle: TOperationHandle,
  lz4: boolean,
): Promise<{ ids: bigint[]; labels: string[]; fileArrowBytes: number[] }> {
  const ids: bigint[] = [];
  const labels: string[] = [];
  const fileArrowBytes: number[] = [];
  for (;;) {
    const { links, more } = await fetchLinks(client, handle);
    for (const link of links) {
      assert.equal(link.startRowOffset?.toNumber(), ids.length, 'links come in row order');
      const { status, body } = await download(link);
      assert.equal(status, 200);
      const stream = lz4 ? decompressFrameSync(body) : body;
      assert.equal(stream.length, link.bytesNum?.toNumber(), 'bytesNum is the Arrow stream size');
      let rows = 0;
      fileArrowBytes.push(0);
      for (const batch of RecordBatchReader.from(stream)) {
        fileArrowBytes[fileArrowBytes.length - 1]! += batch.data.children.reduce((sum, child) => sum + child.byteLength, 0);
        for (const id of batch.getChildAt(0)?.toArray() as BigInt64Array) ids.push(id);
        for (const label of batch.getChildAt(1) ?? []) labels.push(String(label));
        rows += batch.numRows;
      }
      assert.equal(rows, link.rowCount?.toNumber());
    }
    if (!more) return { ids, labels, fileArrowBytes };
  }
}

describe('local warehouse: cloud fetch', () => {
  let warehouse: LocalWarehouse;
  let client: WarehouseTestClient;

  before(async () => {
    warehouse = await startLocalWarehouse({
      cloudFetchThresholdBytes: 1024 * 1024,
      cloudFetchFileBytes: 1024 * 1024,
      directResultsWaitMs: 0,
    });
    client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
  });
  after(async () => {
    await warehouse.close();
  });

  for (const lz4 of [false, true]) {
    it(`serves a large result as signed links to Arrow files on its own port (LZ4 ${lz4 ? 'on' : 'off'})`, async () => {
      const handle = await submit(client, lz4);
      const metadata = await client.call('GetResultSetMetadata', new TGetResultSetMetadataReq({ operationHandle: handle }));
      assert.equal(metadata.resultFormat, TSparkRowSetType.URL_BASED_SET);
      assert.equal(metadata.lz4Compressed, lz4);
      const { ids, labels } = await readAll(client, handle, lz4);
      assert.equal(ids.length, ROWS);
      assert.ok(ids.every((id, i) => id === BigInt(i)));
      assert.equal(labels[123_456], 'row 123456');
      assertSuccess((await client.call('CloseOperation', new TCloseOperationReq({ operationHandle: handle }))).status);
    });
  }

  it("bounds each file by the client's maxBytesPerBatch when it is below the warehouse's file size", async () => {
    const maxBytesPerBatch = 200_000;
    const handle = await submit(client, false, maxBytesPerBatch);
    const { ids, fileArrowBytes } = await readAll(client, handle, false);
    assert.equal(ids.length, ROWS);
    assert.ok(ids.every((id, i) => id === BigInt(i)));
    // ~21 bytes a row (id, label and its offset): ~6.3 MB, so at least 32 files of <= 200 kB.
    assert.ok(fileArrowBytes.length >= 32, `only ${fileArrowBytes.length} files`);
    const largest = Math.max(...fileArrowBytes);
    assert.ok(largest <= maxBytesPerBatch, `a file holds ${largest} Arrow bytes`);
    assertSuccess((await client.call('CloseOperation', new TCloseOperationReq({ operationHandle: handle }))).status);
  });

  it('answers 403 and nothing else to a missing, wrong or tampered signature; 404 once the result is closed', async () => {
    const handle = await submit(client, false);
    const [link] = (await fetchLinks(client, handle, 0)).links;
    assert.ok(link?.fileLink && link.httpHeaders);
    assert.ok(link.fileLink.startsWith(warehouse.serverHostname));
    const [header, signature] = Object.entries(link.httpHeaders)[0]!;
    const forged = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    const later = link.fileLink.replace(/expires=(\d+)/, (_, ms: string) => `expires=${Number(ms) + 3_600_000}`);
    const otherFile = link.fileLink.replace(/results\/[0-9a-f-]+/, 'results/00000000-0000-4000-8000-000000000000');
    for (const [what, headers, url] of [
      ['no signature', {}, link.fileLink],
      ['a wrong signature', { [header]: forged }, link.fileLink],
      ['a later expiry', link.httpHeaders, later],
      ['another file', link.httpHeaders, otherFile],
      ['the warehouse token instead', { Authorization: `Bearer ${warehouse.accessToken}` }, link.fileLink],
    ] as const) {
      const { status, body } = await download(link, headers, url);
      assert.equal(status, 403, what);
      assert.equal(body.toString(), 'Forbidden\n', what);
    }
    assert.equal((await download(link)).status, 200);
    assertSuccess((await client.call('CloseOperation', new TCloseOperationReq({ operationHandle: handle }))).status);
    assert.equal((await download(link)).status, 404);
  });

  it('shares files between readers and fetches of the same rows', async () => {
    const handle = await submit(client, false);
    const first = await fetchLinks(client, handle, 0);
    const second = await fetchLinks(new WarehouseTestClient(warehouse.url, warehouse.accessToken), handle, 0);
    assert.deepEqual(
      first.links.map((l) => l.fileLink?.split('?')[0]),
      second.links.map((l) => l.fileLink?.split('?')[0]),
    );
    const start = first.links[1]?.startRowOffset?.toNumber() ?? 0;
    const resumed = await fetchLinks(client, handle, start);
    assert.equal(resumed.links[0]?.startRowOffset?.toNumber(), start);
    await client.call('CloseOperation', new TCloseOperationReq({ operationHandle: handle }));
  });

  it('keeps a small result inline, and inline for a client that cannot download', async () => {
    const session = await client.openSession();
    const small = executeRequest(session, 'SELECT * FROM RANGE(10)', { runAsync: false, direct: { maxRows: 100 } });
    small.canDownloadResult = true;
    const reply = await client.call('ExecuteStatement', small);
    assert.equal(reply.directResults?.resultSetMetadata?.resultFormat, TSparkRowSetType.ARROW_BASED_SET);
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, STATEMENT, { direct: false }));
    await waitUntilDone(client, operationHandle!);
    const metadata = await client.call(
      'GetResultSetMetadata',
      new TGetResultSetMetadataReq({ operationHandle: operationHandle! }),
    );
    assert.equal(metadata.resultFormat, TSparkRowSetType.ARROW_BASED_SET);
  });
});

describe('local warehouse: cloud fetch link expiry', () => {
  let warehouse: LocalWarehouse;
  before(async () => {
    warehouse = await startLocalWarehouse({ cloudFetchThresholdBytes: 0, resultLinkLifetimeMs: 500 });
  });
  after(async () => {
    await warehouse.close();
  });

  it('refuses an expired link with 403; fetching again from its row gives a fresh one', async () => {
    const client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
    const handle = await submit(client, false);
    const [link] = (await fetchLinks(client, handle, 0)).links;
    assert.ok(link);
    const expiry = link.expiryTime?.toNumber() ?? 0;
    assert.ok(expiry > Date.now() && expiry <= Date.now() + 500);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now()) + 50));
    assert.equal((await download(link)).status, 403);
    const [fresh] = (await fetchLinks(client, handle, link.startRowOffset?.toNumber())).links;
    assert.ok(fresh);
    assert.equal((await download(fresh)).status, 200);
  });
});

const HUGE_ROW_CHARS = 100_000;
const HUGE_ROW_RESULT_ROWS = 1000;

describe('ResultStore: cloud fetch file slices around a row far above the average', () => {
  let spool: Spool;
  let store: ResultStore;
  let encoder: ArrowWireEncoder;

  before(async () => {
    spool = await Spool.create(undefined, 64 * 1024 * 1024);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      // Row 1 holds 100,000 characters, the 999 others a few: the batch's average row is
      // about a tenth of the big one.
      const result = await connection.run(
        `SELECT CASE WHEN i = 1 THEN repeat('x', ${HUGE_ROW_CHARS}) ELSE 'row ' || i END AS s FROM range(${HUGE_ROW_RESULT_ROWS}) t(i)`,
      );
      const columns: ResultColumn[] = result.columnNames().map((name, i) => {
        const duckdbType = result.columnType(i);
        return { name, duckdbType, sparkType: sparkTypeOf(duckdbType) };
      });
      const chunks = await result.fetchAllChunks();
      const schema = canonicalSchema(columns);
      store = await ResultStore.create(spool, 'huge-row', columns, schema);
      await store.append(chunksToBatch(schema, columns, chunks));
      encoder = new ArrowWireEncoder(columns, {
        timestampAsArrow: true,
        decimalAsArrow: true,
        complexTypesAsArrow: true,
        lz4: false,
      });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  after(async () => {
    await store.release();
    await spool.remove();
  });

  /** Reads the whole result in slices of at most `maxBytes`; returns each slice's rows and bytes. */
  async function readSlices(maxBytes: number): Promise<{ rows: number; bytes: number }[]> {
    const slices: { rows: number; bytes: number }[] = [];
    let row = 0;
    while (row < store.rowCount) {
      const slice = await store.encodedSlice(row, maxBytes, encoder);
      assert.equal(slice.startRow, row);
      assert.ok(slice.rowCount >= 1, `no progress at row ${row}`);
      const bytes = 'stored' in slice ? slice.stored.length : slice.messages.reduce((sum, m) => sum + m.byteLength, 0);
      slices.push({ rows: slice.rowCount, bytes });
      row += slice.rowCount;
    }
    assert.equal(row, HUGE_ROW_RESULT_ROWS);
    return slices;
  }

  it('keeps a slice holding the huge row within the bound when the row fits in it', async () => {
    // Just above the huge row: it fits with a few neighbours, far fewer than the average says.
    const maxBytes = HUGE_ROW_CHARS + 2_000;
    const slices = await readSlices(maxBytes);
    for (const slice of slices) assert.ok(slice.bytes <= maxBytes, `${slice.rows} rows in ${slice.bytes} bytes`);
  });

  it('sends the huge row alone when it is larger than the bound', async () => {
    const maxBytes = HUGE_ROW_CHARS / 2;
    const slices = await readSlices(maxBytes);
    const over = slices.filter((slice) => slice.bytes > maxBytes);
    assert.deepEqual(
      over.map((slice) => slice.rows),
      [1],
    );
    assert.ok(over[0]!.bytes > HUGE_ROW_CHARS);
  });
});
