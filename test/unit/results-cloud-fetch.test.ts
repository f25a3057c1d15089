/**
 * Cloud fetch without a server: the download window (order, bounded concurrency, retries,
 * link refresh) with a fake downloader, the decoding of downloaded files (LZ4 on and off,
 * with or without their own schema message), and the result set's batch stream and
 * fetchAll() limit over held pages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RecordBatch, Table, Utf8, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { compressFrameSync } from 'lz4-napi';
import { HeldPages } from '../../src/client/page-source.js';
import { ResultSet } from '../../src/client/result-set.js';
import {
  CloudFetchDownloadError,
  DownloadWindow,
  LinkHttpError,
  ResultDecodeError,
  ResultTooLargeError,
  RowSetDecoder,
  SqlType,
  type ColumnInfo,
  type DownloadWindowOptions,
  type LinkSupply,
  type ResultLink,
} from '../../src/results/index.js';
import { TTypeId } from '../../src/thrift/index.js';
import { arrowMetadata, arrowWire, prim, tableSchema } from '../support/results-wire.js';

const HOUR = 3_600_000;

function link(
  index: number,
  rows = 10,
  expiryTimeMs = Date.now() + HOUR,
  url = `https://files.example/f${index}?sig=secret`,
): ResultLink {
  return {
    url,
    expiryTimeMs,
    startRowOffset: index * rows,
    rowCount: rows,
    bytes: 100,
    httpHeaders: { 'x-file': String(index) },
  };
}

/** Links served in pages of `pageSize`; refresh answers fresh links (url ending in '&fresh'). */
function supplyOf(links: ResultLink[], pageSize = 3): LinkSupply & { refreshedFrom: number[] } {
  let next = 0;
  const refreshedFrom: number[] = [];
  return {
    refreshedFrom,
    nextLinks() {
      if (next >= links.length) return Promise.resolve(null);
      const page = links.slice(next, next + pageSize);
      next += pageSize;
      return Promise.resolve(page);
    },
    refresh(startRowOffset) {
      refreshedFrom.push(startRowOffset);
      const fresh = links
        .filter((l) => l.startRowOffset >= startRowOffset)
        .slice(0, pageSize)
        .map((l) => ({ ...l, url: `${l.url}&fresh`, expiryTimeMs: Date.now() + HOUR }));
      return Promise.resolve(fresh);
    },
  };
}

const OPTIONS: DownloadWindowOptions = { maxConcurrent: 3, maxAttempts: 3, expiryMarginMs: 1_000, retryDelayMs: 1 };

async function drain(window: DownloadWindow): Promise<string[]> {
  const got: string[] = [];
  for (let file = await window.next(); file !== null; file = await window.next()) got.push(Buffer.from(file.bytes).toString());
  return got;
}

describe('cloud fetch: the download window', () => {
  it('downloads in parallel, at most maxConcurrent at once, and delivers in row order', async () => {
    const links = Array.from({ length: 12 }, (_, i) => link(i));
    let inFlight = 0;
    let peak = 0;
    const seenHeaders: string[] = [];
    const window = new DownloadWindow(
      supplyOf(links),
      async (l) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        seenHeaders.push(l.httpHeaders['x-file']!);
        // Later files finish first: order must come from the window, not from completion.
        await sleep(((12 - l.startRowOffset / 10) % 4) * 5);
        inFlight--;
        return Buffer.from(`rows ${l.startRowOffset}`);
      },
      OPTIONS,
    );
    const got = await drain(window);
    assert.deepEqual(
      got,
      links.map((l) => `rows ${l.startRowOffset}`),
    );
    assert.equal(peak, 3, 'three downloads overlapped, never more');
    assert.equal(seenHeaders.length, 12);
  });

  it('holds at most maxConcurrent files when the reader stops reading', async () => {
    const links = Array.from({ length: 20 }, (_, i) => link(i));
    let started = 0;
    const window = new DownloadWindow(
      supplyOf(links, 20),
      (l) => {
        started++;
        return Promise.resolve(Buffer.from(String(l.startRowOffset)));
      },
      OPTIONS,
    );
    await window.next(); // one file read; the window refills to 3 behind it
    await sleep(50);
    assert.ok(started <= 4, `started ${started} downloads for 1 read + 3 ahead`);
    window.close();
  });

  it('hands out a downloaded file while the next page of links is still being asked for', async () => {
    const links = Array.from({ length: 4 }, (_, i) => link(i));
    let pages = 0;
    let releaseSecondPage: () => void = () => {};
    const supply: LinkSupply = {
      nextLinks() {
        pages++;
        if (pages === 1) return Promise.resolve(links.slice(0, 2));
        if (pages === 2) return new Promise((resolve) => (releaseSecondPage = () => resolve(links.slice(2))));
        return Promise.resolve(null);
      },
      refresh: () => Promise.resolve([]),
    };
    const window = new DownloadWindow(supply, (l) => Promise.resolve(Buffer.from(`rows ${l.startRowOffset}`)), OPTIONS);
    const first = await window.next();
    // The server is slow to answer the second page (it writes its files meanwhile): the second
    // file, already downloaded, must not wait for it.
    const second = await Promise.race([window.next(), sleep(2_000).then(() => 'waited for the next page')]);
    assert.equal(Buffer.from(first!.bytes).toString(), 'rows 0');
    assert.notEqual(second, 'waited for the next page');
    assert.equal(Buffer.from((second as { bytes: Uint8Array }).bytes).toString(), 'rows 10');
    releaseSecondPage();
    assert.deepEqual(await drain(window), ['rows 20', 'rows 30']);
  });

  it('retries a download that fails once, and keeps the order', async () => {
    const links = Array.from({ length: 5 }, (_, i) => link(i));
    const attempts = new Map<number, number>();
    const window = new DownloadWindow(
      supplyOf(links),
      (l) => {
        const n = (attempts.get(l.startRowOffset) ?? 0) + 1;
        attempts.set(l.startRowOffset, n);
        if (l.startRowOffset === 20 && n === 1) return Promise.reject(new Error('connection reset'));
        return Promise.resolve(Buffer.from(String(l.startRowOffset)));
      },
      OPTIONS,
    );
    assert.deepEqual(await drain(window), ['0', '10', '20', '30', '40']);
    assert.equal(attempts.get(20), 2);
    assert.equal(attempts.get(10), 1);
  });

  it('fails with CloudFetchDownloadError after every attempt, without the signed query string', async () => {
    const window = new DownloadWindow(supplyOf([link(0), link(1)]), () => Promise.reject(new LinkHttpError(500)), OPTIONS);
    await assert.rejects(window.next(), (error: unknown) => {
      assert.ok(error instanceof CloudFetchDownloadError);
      assert.equal(error.name, 'CloudFetchDownloadError');
      assert.equal(error.startRowOffset, 0);
      assert.equal(error.attempts, 3);
      assert.equal(error.httpStatus, 500);
      assert.equal(error.location, 'https://files.example/f0');
      assert.doesNotMatch(error.message, /sig=|secret/);
      return true;
    });
  });

  it('refreshes a link that expired before its download, from its startRowOffset', async () => {
    const links = [link(0), link(1, 10, Date.now() - 1), link(2, 10, Date.now() - 1), link(3)];
    const supply = supplyOf(links, 4);
    const urls: string[] = [];
    const window = new DownloadWindow(
      supply,
      (l) => {
        urls.push(l.url);
        if (l.expiryTimeMs <= Date.now()) return Promise.reject(new LinkHttpError(403));
        return Promise.resolve(Buffer.from(String(l.startRowOffset)));
      },
      { ...OPTIONS, maxConcurrent: 1 },
    );
    assert.deepEqual(await drain(window), ['0', '10', '20', '30']);
    // One refresh from row 10 also renewed the pending link of row 20.
    assert.deepEqual(supply.refreshedFrom, [10]);
    assert.ok(urls.includes('https://files.example/f1?sig=secret&fresh'));
    assert.ok(urls.includes('https://files.example/f2?sig=secret&fresh'));
    assert.ok(!urls.includes('https://files.example/f1?sig=secret'), 'the expired link was never tried');
  });

  it('refreshes and retries when the host refuses a link it thought valid (403)', async () => {
    const supply = supplyOf([link(0), link(1)]);
    const window = new DownloadWindow(
      supply,
      (l) =>
        l.url.endsWith('&fresh') || l.startRowOffset === 0
          ? Promise.resolve(Buffer.from(String(l.startRowOffset)))
          : Promise.reject(new LinkHttpError(403)),
      OPTIONS,
    );
    assert.deepEqual(await drain(window), ['0', '10']);
    assert.deepEqual(supply.refreshedFrom, [10]);
  });
});

const columns: Array<[string, ReturnType<typeof prim>]> = [
  ['id', prim(TTypeId.BIGINT_TYPE)],
  ['name', prim(TTypeId.STRING_TYPE)],
];

function fileTable(from: number, rows: number): Table {
  return new Table({
    id: vectorFromArray(BigInt64Array.from({ length: rows }, (_, i) => BigInt(from + i))),
    name: vectorFromArray(
      Array.from({ length: rows }, (_, i) => `row ${from + i}`),
      new Utf8(),
    ),
  });
}

describe('cloud fetch: decoding downloaded files', () => {
  for (const lz4 of [false, true]) {
    it(`reads a file ${lz4 ? 'with' : 'without'} LZ4, with or without its own schema message`, () => {
      const table = fileTable(100, 50);
      const wire = arrowWire(table.schema, [table.batches], false);
      const decoder = new RowSetDecoder(arrowMetadata(tableSchema(columns), wire.schemaMessage, lz4));
      const whole = tableToIPC(table, 'stream'); // schema, batches, end of stream: as Databricks writes
      const bodyOnly = Buffer.from(wire.rowSet.arrowBatches![0]!.batch);
      for (const raw of [whole, bodyOnly]) {
        const file = lz4 ? compressFrameSync(Buffer.from(raw)) : raw;
        const batches = decoder.decodeFile(file, link(10, 50));
        const ids = batches.flatMap((b) => [...b.getChild('id')!].map(Number));
        assert.deepEqual(
          ids,
          Array.from({ length: 50 }, (_, i) => 100 + i),
        );
        assert.equal(String(batches[0]!.getChild('name')!.get(0)), 'row 100');
      }
    });
  }

  it('names the file when its rows disagree with the link', () => {
    const table = fileTable(0, 5);
    const wire = arrowWire(table.schema, [table.batches], false);
    const decoder = new RowSetDecoder(arrowMetadata(tableSchema(columns), wire.schemaMessage, false));
    assert.throws(
      () => decoder.decodeFile(tableToIPC(table, 'stream'), link(1, 7)),
      (error: unknown) => error instanceof ResultDecodeError && /rows from 7 should hold 7 rows but holds 5/.test(error.message),
    );
  });
});

const INT_COLUMNS: ColumnInfo[] = [{ name: 'n', typeName: 'INT', typeId: SqlType.INT }];

function heldResult(batchSizes: number[], fetchAllMaxRows?: number): ResultSet {
  let next = 0;
  const batches = batchSizes.map(
    (size) => tableFromArrays({ n: Int32Array.from({ length: size }, () => next++) }).batches[0] as RecordBatch,
  );
  return ResultSet.create({
    columns: INT_COLUMNS,
    schema: batches[0]!.schema,
    source: new HeldPages(batches, 0),
    onClose: () => Promise.resolve(),
    fetchAllMaxRows,
  });
}

describe('the result set as a batch stream', () => {
  it('streams Arrow batches from where row reads stopped', async () => {
    const result = heldResult([3, 4, 5]);
    assert.deepEqual(await result.fetchOne(), { n: 0 });
    const sizes: number[] = [];
    const values: number[] = [];
    for await (const batch of result.arrowBatches()) {
      assert.deepEqual(
        batch.schema.fields.map((f) => f.name),
        ['n'],
      );
      sizes.push(batch.numRows);
      values.push(...[...batch.getChild('n')!].map(Number));
    }
    assert.deepEqual(sizes, [2, 4, 5]);
    assert.deepEqual(
      values,
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
    assert.equal(await result.fetchOne(), null);
  });

  it('fetchAll() past its limit throws ResultTooLargeError naming it, and loses no row', async () => {
    const result = heldResult([4, 4, 4], 10);
    assert.deepEqual(await result.fetchOne(), { n: 0 });
    await assert.rejects(result.fetchAll(), (error: unknown) => {
      assert.ok(error instanceof ResultTooLargeError);
      assert.equal(error.name, 'ResultTooLargeError');
      assert.equal(error.limit, 10);
      assert.match(error.message, /more than 10 rows \(results\.fetchAllMaxRows\)/);
      return true;
    });
    const rest: number[] = [];
    for await (const row of result) rest.push(row.n as number);
    assert.deepEqual(
      rest,
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });

  it('fetchAll() at exactly its limit returns every row', async () => {
    assert.equal((await heldResult([4, 6], 10).fetchAll()).length, 10);
  });
});
