/**
 * The local warehouse's memory under a large result: 10,000,000 mixed rows (BIGINT, DOUBLE,
 * STRING with NULLs, DECIMAL, TIMESTAMP) read to the end inline (Arrow batches in
 * FetchResults) and by cloud fetch (links), with the warehouse in its own process whose peak
 * RSS (VmHWM) is read from /proc. Prints one line per path; not a test, no targets enforced.
 *
 *   npm run bench:warehouse [-- ROWS]
 */
import Int64 from 'node-int64';
import { TFetchResultsReq, TOperationState } from '../src/thrift/index.js';
import { executeRequest, waitUntilDone, WarehouseTestClient } from '../test/support/warehouse-client.js';
import { kib, startWarehouse } from './support/warehouse-process.js';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const STATEMENT = `SELECT id, id * 1.5 AS d, CASE WHEN id % 10 = 0 THEN NULL ELSE 'name ' || id END AS s,
  (id % 100000)::DECIMAL(18,2) AS m, TIMESTAMP '2020-01-01' + to_seconds(id) AS t FROM RANGE(${ROWS})`;
async function run(cloudFetch: boolean): Promise<void> {
  const warehouse = await startWarehouse();
  try {
    const client = new WarehouseTestClient(warehouse.url, warehouse.token);
    const session = await client.openSession();
    const baseline = kib(warehouse.pid, 'VmRSS');
    const started = Date.now();
    const req = executeRequest(session, STATEMENT, { direct: false, lz4: true });
    req.canDownloadResult = cloudFetch;
    const { operationHandle } = await client.call('ExecuteStatement', req);
    const done = await waitUntilDone(client, operationHandle!, 3_600_000);
    if (done.operationState !== TOperationState.FINISHED_STATE) throw new Error(`query ended ${done.operationState}`);
    const executed = Date.now();
    let rows = 0;
    let bytes = 0;
    let files = 0;
    for (let more = true; more;) {
      const fetched = await client.call(
        'FetchResults',
        new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(1_000_000) }),
      );
      for (const batch of fetched.results?.arrowBatches ?? []) {
        rows += batch.rowCount.toNumber();
        bytes += batch.batch.length;
      }
      for (const link of fetched.results?.resultLinks ?? []) {
        const response = await fetch(link.fileLink ?? '', { headers: link.httpHeaders });
        bytes += (await response.arrayBuffer()).byteLength;
        files += 1;
        rows += link.rowCount?.toNumber() ?? 0;
      }
      more = fetched.hasMoreRows === true;
    }
    const ended = Date.now();
    const peak = kib(warehouse.pid, 'VmHWM');
    console.log(
      `${cloudFetch ? 'cloud fetch' : 'inline     '}: ${rows} rows, ${(bytes / 1024 ** 2).toFixed(0)} MiB on the wire in ${files} files; ` +
        `execute+spill ${((executed - started) / 1000).toFixed(1)} s, read ${((ended - executed) / 1000).toFixed(1)} s ` +
        `(${Math.round(rows / ((ended - executed) / 1000))} rows/s); warehouse RSS ${(baseline / 1024).toFixed(0)} MiB ` +
        `before, peak ${(peak / 1024).toFixed(0)} MiB`,
    );
  } finally {
    warehouse.stop();
  }
}

await run(false);
await run(true);
