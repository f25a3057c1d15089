/**
 * A 1,000,000-row result streamed with async iteration: page by page over real HTTP, in
 * bounded memory. (Speed is measured in bench/, not asserted here.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Connection } from '../../src/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { type TestProxy, connectTo, startProxy } from '../support/driver-fixtures.js';

const ROWS = 1_000_000;
const PAGE = 50_000;

// Measure what is retained, not garbage waiting for collection: expose V8's gc() to this test.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe('streaming a large result', () => {
  let warehouse: LocalWarehouse;
  let proxy: TestProxy;
  let connection: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 0 });
    proxy = await startProxy(warehouse.serverHostname);
    // Inline pages on purpose (cloud fetch is tested in driver-cloud-fetch.test.ts).
    connection = await connectTo(warehouse, { serverHostname: proxy.url, maxRowsPerFetch: PAGE, results: { cloudFetch: false } });
  });

  after(async () => {
    await connection.close();
    await proxy.close();
    await warehouse.close();
  });

  it('iterates 1,000,000 rows in order, one page at a time, without holding the result', async (t) => {
    const result = await connection.execute(`SELECT id, 'row ' || id AS label FROM RANGE(${ROWS})`);
    const requestsBefore = proxy.seen;
    const baseline = retainedHeap();
    let peak = baseline;
    let expected = 0n;
    for await (const row of result) {
      assert.equal(row.id, expected);
      if (expected % 100_000n === 0n) {
        assert.equal(row.label, `row ${expected}`);
        peak = Math.max(peak, retainedHeap());
      }
      expected++;
    }
    assert.equal(expected, BigInt(ROWS));
    t.diagnostic(`retained heap grew by at most ${((peak - baseline) / 1024 / 1024).toFixed(1)} MB`);
    // One FetchResults per page (plus the closing call): the rows came in pages, not at once.
    assert.ok(proxy.seen - requestsBefore >= ROWS / PAGE, `requests: ${proxy.seen - requestsBefore}`);
    // fetchAll() of these rows retains about 130 MB; one page at a time retains a few MB.
    const grownMb = (peak - baseline) / 1024 / 1024;
    assert.ok(grownMb < 40, `retained heap grew by ${grownMb.toFixed(0)} MB`);
  });
});
