/**
 * The Arrow batch stream over real HTTP against the local warehouse: a result of mixed types
 * much larger than what the stream may hold arrives whole and in order while the client's
 * retained memory stays bounded; fetchAll() past its limit fails naming it and loses nothing.
 * (Speed is measured in bench/, not asserted here.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Connection, ResultTooLargeError } from '../../src/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';

const ROWS = 2_000_000;
const PAGE = 100_000;

/** BIGINT, DOUBLE, STRING, DECIMAL, TIMESTAMP and NULLs: about 60 bytes a row in Arrow. */
const MIXED_SQL = (rows: number) =>
  `SELECT id, id * 0.5 AS x, 'label ' || id AS label, CAST(id AS DECIMAL(18,2)) / 100 AS amount,
          TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(id) AS ts,
          CASE WHEN id % 7 = 0 THEN NULL ELSE id END AS sparse
     FROM RANGE(${rows})`;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** JS heap and Arrow buffers still referenced after a full collection. */
function retainedBytes(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('the Arrow batch stream', () => {
  let warehouse: LocalWarehouse;
  let connection: Connection;

  before(async () => {
    // Files of ~4 MiB: the stream holds at most two of them plus the batch being read.
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 0, cloudFetchFileBytes: 4 * 1024 ** 2 });
    connection = await connectTo(warehouse, {
      maxRowsPerFetch: PAGE,
      results: { fetchAllMaxRows: 10_000, maxConcurrentDownloads: 2 },
    });
  });

  after(async () => {
    await connection.close();
    await warehouse.close();
  });

  it(`streams ${ROWS.toLocaleString('en')} mixed rows in order while holding a few pages`, async (t) => {
    const result = await connection.execute(MIXED_SQL(ROWS));
    const baseline = retainedBytes();
    let peak = baseline;
    let rows = 0;
    let streamedBytes = 0;
    let nulls = 0;
    let batches = 0;
    for await (const batch of result.arrowBatches()) {
      const ids = batch.getChild('id')!;
      assert.equal(ids.get(0), BigInt(rows), 'batches arrive in row order');
      assert.equal(ids.get(batch.numRows - 1), BigInt(rows + batch.numRows - 1));
      nulls += batch.getChild('sparse')!.nullCount;
      rows += batch.numRows;
      streamedBytes += batch.data.children.reduce((sum, child) => sum + child.byteLength, 0);
      if (++batches % 5 === 0) peak = Math.max(peak, retainedBytes());
    }
    assert.equal(rows, ROWS);
    assert.equal(nulls, Math.ceil(ROWS / 7));
    const grownMb = (peak - baseline) / 2 ** 20;
    const streamedMb = streamedBytes / 2 ** 20;
    t.diagnostic(`streamed ${streamedMb.toFixed(0)} MB of Arrow data; retained memory grew by at most ${grownMb.toFixed(1)} MB`);
    // Loose on purpose: a few files of ~4 MiB may be held, never the whole result.
    assert.ok(streamedMb > 100, `the result is large enough to tell (${streamedMb.toFixed(0)} MB)`);
    assert.ok(grownMb < 60, `retained memory grew by ${grownMb.toFixed(0)} MB`);
  });

  it('fetchAll() past results.fetchAllMaxRows throws ResultTooLargeError, and the rows can still be read', async () => {
    const result = await connection.execute('SELECT id FROM RANGE(25000)');
    await assert.rejects(
      result.fetchAll(),
      (error: unknown) => error instanceof ResultTooLargeError && error.limit === 10_000 && /10000 rows/.test(error.message),
    );
    let next = 0n;
    for await (const row of result) assert.equal(row.id, next++);
    assert.equal(next, 25_000n);
  });
});
