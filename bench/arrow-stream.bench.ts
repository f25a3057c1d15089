/**
 * The driver's read paths on a large result: 10,000,000 mixed rows (BIGINT, DOUBLE, STRING
 * with NULLs, DECIMAL, TIMESTAMP) through ResultSet.arrowBatches(), inline (Arrow batches in
 * FetchResults) and by cloud fetch (LZ4 files behind links), and the row path (async
 * iteration, JS objects) on a slice for comparison. The warehouse runs in its own process;
 * this process's peak RSS (VmHWM) is the client's. Not a test, no targets enforced.
 *
 *   npm run bench:stream [-- ROWS]
 *
 * PATHS (e.g. PATHS='arrow cloud fetch') runs only the paths named, comma-separated, so a
 * profile (node --cpu-prof, WAREHOUSE_NODE_ARGS for the warehouse) covers one path alone.
 */
import { connect } from '../src/index.js';
import { cpuSeconds, kib, startWarehouse } from './support/warehouse-process.js';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const ROW_PATH_ROWS = Math.min(ROWS, 2_000_000);
const statement = (rows: number) => `SELECT id, id * 1.5 AS d, CASE WHEN id % 10 = 0 THEN NULL ELSE 'name ' || id END AS s,
  (id % 100000)::DECIMAL(18,2) AS m, TIMESTAMP '2020-01-01' + to_seconds(id) AS t FROM RANGE(${rows})`;

type Path = 'arrow inline' | 'arrow cloud fetch' | 'rows inline';

async function run(path: Path, url: string, token: string, warehousePid: number): Promise<void> {
  const target = new URL(url);
  const connection = await connect({
    serverHostname: `${target.protocol}//${target.host}`,
    httpPath: target.pathname,
    accessToken: token,
    results: { cloudFetch: path === 'arrow cloud fetch' },
  });
  try {
    const rows = path === 'rows inline' ? ROW_PATH_ROWS : ROWS;
    const query = await connection.executeAsync(statement(rows), undefined, { directResults: false });
    const result = await query.getResults(); // waits until the warehouse has the result
    const started = performance.now();
    const cpuBefore = { client: cpuSeconds(process.pid), warehouse: cpuSeconds(warehousePid) };
    let read = 0;
    if (path === 'rows inline') {
      for await (const row of result) if (row) read++;
    } else {
      for await (const batch of result.arrowBatches()) read += batch.numRows;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = { client: cpuSeconds(process.pid) - cpuBefore.client, warehouse: cpuSeconds(warehousePid) - cpuBefore.warehouse };
    if (read !== rows) throw new Error(`read ${read} rows of ${rows}`);
    await query.close();
    console.log(
      `${path.padEnd(17)}: ${read} rows in ${seconds.toFixed(1)} s = ${Math.round(read / seconds).toLocaleString('en')} rows/s; ` +
        `CPU s per M rows: client ${((cpu.client * 1e6) / read).toFixed(2)}, warehouse ${((cpu.warehouse * 1e6) / read).toFixed(2)}; ` +
        `client peak RSS so far ${(kib(process.pid, 'VmHWM') / 1024).toFixed(0)} MiB`,
    );
  } finally {
    await connection.close();
  }
}

console.log(`${new Date().toISOString()}, node ${process.version}, ${ROWS} rows`);
const warehouse = await startWarehouse();
try {
  // Cheapest first: VmHWM only grows, so each line's peak covers that path and the ones before.
  const chosen = process.env.PATHS?.split(',').map((path) => path.trim());
  for (const path of ['arrow cloud fetch', 'arrow inline', 'rows inline'] as const) {
    if (chosen === undefined || chosen.includes(path)) await run(path, warehouse.url, warehouse.token, warehouse.pid);
  }
  console.log(`warehouse peak RSS ${(kib(warehouse.pid, 'VmHWM') / 1024).toFixed(0)} MiB`);
} finally {
  warehouse.stop();
}
