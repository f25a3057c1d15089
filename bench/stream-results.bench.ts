/**
 * Benchmark: how fast and in how much memory the driver streams a large result from the local
 * warehouse over real HTTP. Targets live here, not in tests.
 *
 *   npm run bench                   # 1,000,000 rows
 *   BENCH_ROWS=5000000 npm run bench
 *
 * Prints one JSON line per case: rows, seconds, rows/s, MB/s of Arrow data and the peak RSS
 * growth while streaming (bounded memory is the point of async iteration).
 */
import { connect } from '../src/index.js';
import { startLocalWarehouse } from '../src/warehouse/index.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);

interface Case { name: string; sql: string }
const cases: Case[] = [
  { name: 'bigint column, async iteration', sql: `SELECT * FROM RANGE(${rows})` },
  {
    name: 'mixed types, async iteration',
    sql: `SELECT id, id * 1.5 AS d, CAST(id AS STRING) AS s, id % 2 = 0 AS b,
          CAST(id AS DECIMAL(18,2)) AS dec, DATE '2024-01-01' AS dt FROM RANGE(${rows})`,
  },
];

async function main(): Promise<void> {
  const warehouse = await startLocalWarehouse({ port: 0 });
  const connection = await connect({
    serverHostname: warehouse.serverHostname,
    httpPath: warehouse.httpPath,
    accessToken: warehouse.accessToken,
  });
  try {
    for (const c of cases) {
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const started = performance.now();
      const query = await connection.executeAsync(c.sql);
      const result = await query.getResults();
      let count = 0;
      let firstRowMs = 0;
      for await (const row of result) {
        if (count === 0) firstRowMs = performance.now() - started;
        count++;
        if ((count & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
        void row;
      }
      const seconds = (performance.now() - started) / 1000;
      await result.close();
      if (count !== rows) throw new Error(`${c.name}: expected ${rows} rows, streamed ${count}`);
      console.log(JSON.stringify({
        case: c.name,
        rows: count,
        seconds: Number(seconds.toFixed(2)),
        rowsPerSecond: Math.round(count / seconds),
        firstRowMs: Math.round(firstRowMs),
        peakRssGrowthMB: Math.round((peak - baseline) / 1e6),
      }));
    }
  } finally {
    await connection.close();
    await warehouse.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
