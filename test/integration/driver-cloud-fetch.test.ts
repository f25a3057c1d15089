/**
 * Cloud fetch against the local warehouse's signed links: every request our driver makes is
 * watched on undici's diagnostics channel, so the tests see which files were downloaded, how
 * many at once, and with which headers. Rows must equal the inline read of the same query.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, Row } from '../../src/index.js';
import { TProtocolVersion } from '../../src/thrift/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';

const ROWS = 300_000;
const SQL = `SELECT id, id * 0.25 AS x, 'label ' || id AS label, CAST(id AS DECIMAL(18,2)) / 100 AS amount,
                    TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(id) AS ts,
                    CASE WHEN id % 5 = 0 THEN NULL ELSE id END AS sparse
               FROM RANGE(${ROWS}) ORDER BY id`;

interface SeenRequest {
  origin: string;
  path: string;
  headers: string;
}

/** Every undici request of this process while `body` runs. */
async function watchRequests<T>(body: () => Promise<T>): Promise<{ value: T; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const onCreate = (message: unknown) => {
    const { request } = message as { request: { origin: string; path: string; headers: string | string[] } };
    const headers = Array.isArray(request.headers) ? request.headers.join('\n') : request.headers;
    seen.push({ origin: String(request.origin), path: request.path, headers });
  };
  subscribe('undici:request:create', onCreate);
  try {
    return { value: await body(), seen };
  } finally {
    unsubscribe('undici:request:create', onCreate);
  }
}

const isFile = (r: SeenRequest) => !r.path.startsWith('/sql/');

function key(row: Row): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

describe('cloud fetch from the local warehouse', () => {
  let warehouse: LocalWarehouse;
  let inline: Connection;
  let inlineRows: string[];

  before(async () => {
    warehouse = await startLocalWarehouse({
      directResultsWaitMs: 0,
      cloudFetchThresholdBytes: 1024 ** 2,
      cloudFetchFileBytes: 512 * 1024,
      resultLinkLifetimeMs: 8_000,
    });
    inline = await connectTo(warehouse, { results: { cloudFetch: false } });
    inlineRows = (await (await inline.execute(SQL)).fetchAll()).map(key);
  });

  after(async () => {
    await inline.close();
    await warehouse.close();
  });

  for (const lz4 of [true, false]) {
    it(`downloads the files in parallel and reads the same rows as inline (LZ4 ${lz4 ? 'on' : 'off'})`, async () => {
      // Spark protocol V5 reads Arrow but predates LZ4; V8 asks for it (from loopback, only when told).
      const connection = await connectTo(warehouse, {
        protocolVersion: lz4 ? TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8 : TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V5,
        results: { maxConcurrentDownloads: 3, lz4 },
      });
      try {
        const { value: rows, seen } = await watchRequests(async () =>
          (await (await connection.execute(SQL)).fetchAll()).map(key),
        );
        assert.equal(rows.length, ROWS);
        assert.deepEqual(rows, inlineRows, 'same rows in the same order');
        const files = seen.filter(isFile);
        assert.ok(files.length >= 4, `downloaded ${files.length} files`);
        for (const file of files) {
          assert.equal(file.origin, new URL(warehouse.url).origin);
          assert.doesNotMatch(file.headers, /authorization/i, 'the warehouse token never goes to the link host');
          assert.doesNotMatch(file.headers, new RegExp(warehouse.accessToken));
        }
      } finally {
        await connection.close();
      }
    });
  }

  it('refreshes links that expired before their download, and loses no row', async () => {
    const connection = await connectTo(warehouse, { results: { maxConcurrentDownloads: 1, readAheadPages: 0 } });
    try {
      const { value: ids, seen } = await watchRequests(async () => {
        const result = await connection.execute(SQL);
        const got: bigint[] = [];
        let paused = false;
        for await (const batch of result.arrowBatches()) {
          got.push(...(batch.getChild('id')!.toArray() as BigInt64Array));
          if (!paused) {
            paused = true;
            await sleep(9_000); // the links fetched so far (8 s lifetime) expire meanwhile
          }
        }
        return got;
      });
      assert.equal(ids.length, ROWS);
      assert.ok(
        ids.every((id, i) => id === BigInt(i)),
        'every row once, in order',
      );
      const expiries = seen.filter(isFile).map((r) => Number(new URL(r.path, 'http://x').searchParams.get('expires')));
      const first = expiries[0]!;
      // Files after the pause came from links issued after it (a refresh), not the stale ones.
      assert.ok(
        expiries.slice(2).every((e) => e > first + 8_000),
        `link expiries: ${expiries.join(', ')}`,
      );
    } finally {
      await connection.close();
    }
  });
});
