/**
 * Benchmarks of the driver against the local warehouse over real HTTP. Speed and memory
 * targets live here, not in tests: each line reports its figures and whether the target was met.
 *
 *   npm run bench                   # 1,000,000 rows for the streaming cases
 *   BENCH_ROWS=5000000 npm run bench
 *
 * Exit code 1 when a target is missed, so a regression is visible where the figures are.
 */
import { connect, type Connection } from '../src/index.js';
import { startLocalWarehouse } from '../src/warehouse/index.js';
import { quantile, timedRuns } from './support/timing.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);

interface Report {
  case: string;
  met: boolean;
  target: string;
  [figure: string]: unknown;
}

/**
 * Streams a whole result by async iteration: throughput, first-row latency, RSS growth. The
 * warehouse runs in this process and holds the whole result until it is closed, so the RSS
 * growth is the warehouse's copy plus the driver's pages in flight.
 */
async function streamCase(
  connection: Connection,
  name: string,
  sql: string,
  minRowsPerSecond: number,
  maxRssGrowthMB: number,
): Promise<Report> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const started = performance.now();
  const query = await connection.executeAsync(sql);
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
  await query.close();
  if (count !== rows) throw new Error(`${name}: expected ${rows} rows, streamed ${count}`);
  const rowsPerSecond = Math.round(count / seconds);
  const peakRssGrowthMB = Math.round((peak - baseline) / 1e6);
  return {
    case: name,
    rows: count,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond,
    firstRowMs: Math.round(firstRowMs),
    peakRssGrowthMB,
    target: `>= ${minRowsPerSecond} rows/s, <= ${maxRssGrowthMB} MB RSS growth`,
    met: rowsPerSecond >= minRowsPerSecond && peakRssGrowthMB <= maxRssGrowthMB,
  };
}

/** Latency of one small operation, repeated: median and 90th percentile. */
async function latencyCase(name: string, runs: number, maxMedianMs: number, once: () => Promise<void>): Promise<Report> {
  const times = await timedRuns(runs, once);
  const medianMs = Number(quantile(times, 0.5).toFixed(1));
  const p90Ms = Number(quantile(times, 0.9).toFixed(1));
  return { case: name, runs, medianMs, p90Ms, target: `median <= ${maxMedianMs} ms`, met: medianMs <= maxMedianMs };
}

async function main(): Promise<void> {
  const warehouse = await startLocalWarehouse({ port: 0 });
  const connection = await connect(warehouse);
  const other = await connect(warehouse);
  const reports: Report[] = [];
  try {
    reports.push(await streamCase(connection, 'stream BIGINT column', `SELECT * FROM RANGE(${rows})`, 500_000, 256));
    reports.push(
      await streamCase(
        connection,
        'stream mixed types',
        `SELECT id, id * 1.5 AS d, CAST(id AS STRING) AS s, id % 2 = 0 AS b,
              CAST(id AS DECIMAL(18,2)) AS dec, DATE '2024-01-01' AS dt FROM RANGE(${rows})`,
        100_000,
        384,
      ),
    );
    reports.push(
      await latencyCase('direct result: executeAsync + fetchAll of 10 rows', 50, 50, async () => {
        const query = await connection.executeAsync('SELECT * FROM RANGE(10)');
        if (!query.returnedAsDirectResult) throw new Error('expected a direct result');
        await (await query.getResults()).fetchAll();
      }),
    );
    reports.push(
      await latencyCase('pickup on another connection + fetchAll of 10 rows', 20, 150, async () => {
        const query = await connection.executeAsync('SELECT * FROM RANGE(10)', undefined, { directResults: false });
        const again = await other.getAsyncExecution(query.serialize());
        await (await again.getResults()).fetchAll();
        await again.close();
      }),
    );
  } finally {
    await other.close();
    await connection.close();
    await warehouse.close();
  }
  for (const report of reports) console.log(JSON.stringify(report));
  const missed = reports.filter((report) => !report.met);
  if (missed.length > 0) {
    console.error(`missed targets: ${missed.map((report) => report.case).join('; ')}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
