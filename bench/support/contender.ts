/**
 * One contender of `npm run bench`, alone in its own process: reads the plan as JSON from
 * BENCH_PLAN, runs it, prints one JSON line with its timings and this process's peak RSS.
 * Contenders: our driver's rows and Arrow batch stream, @databricks/sql's fetchAll, the
 * in-memory floors (the same Arrow decoded from memory; a plain column-to-rows loop), and
 * the small-query latency of each Node client.
 */
import { DBSQLClient, DBSQLLogger, LogLevel } from '@databricks/sql';
import { tableFromIPC, tableToIPC, Table, type RecordBatch } from 'apache-arrow';
import { connect, type Connection } from '../../src/index.js';
import { rowReader } from '../../src/results/index.js';
import { kib } from './warehouse-process.js';
import { quantile, timedRuns } from './timing.js';
import { workflowLatency } from './workflow-latency.js';
import { pollingCost } from './polling-cost.js';

interface Plan {
  contender: string;
  /** `https://host:port/path` of the warehouse. */
  url: string;
  token: string;
  /** PEM of the warehouse's self-signed certificate. */
  ca: string;
  sql: string;
  /** Rows expected (fetch cases) or runs to time (latency cases). */
  rows?: number;
  runs?: number;
  /** Concurrent connections, each running `sql` one statement after another (throughput case). */
  clients?: number;
  /** host:port of the Temporal dev server (the sqlQueryWorkflow and polling contenders). */
  temporalAddress?: string;
  temporalPid?: number;
  workflowBundlePath?: string;
  /** Concurrent polling workflows (the polling case), measured for `windowSeconds`. */
  workflows?: number;
  windowSeconds?: number;
}

const plan = JSON.parse(process.env.BENCH_PLAN ?? '{}') as Plan;
const target = new URL(plan.url);

async function ours(): Promise<Connection> {
  return connect({
    serverHostname: `${target.protocol}//${target.host}`,
    httpPath: target.pathname,
    accessToken: plan.token,
    ca: plan.ca,
    // fetchAll of the 10M-row case too; BENCH_LZ4=1 asks for LZ4 even from this loopback warehouse.
    results: { fetchAllMaxRows: 100_000_000, ...(process.env.BENCH_LZ4 ? { lz4: process.env.BENCH_LZ4 === '1' } : {}) },
  });
}

async function official(): Promise<DBSQLClient> {
  const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
  await client.connect({
    host: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    token: plan.token,
    customCaCert: plan.ca,
    telemetryEnabled: false,
  });
  return client;
}

/** Seconds to read the whole result, the CPU-seconds this process spent on it (all threads); `rows` the count read. */
async function timed(read: () => Promise<number>): Promise<{ seconds: number; cpuSeconds: number; rows: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const rows = await read();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, rows };
}

/** Every byte of every buffer of a batch read once: what any consumer must at least do. */
function touch(batch: RecordBatch): number {
  let sum = 0;
  for (const child of batch.data.children) {
    for (const buffer of [child.values, child.nullBitmap, child.valueOffsets] as Array<ArrayBufferView | undefined>) {
      if (!buffer) continue;
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      for (let i = 0; i < bytes.length; i += 64) sum += bytes[i]!;
    }
  }
  return sum;
}

async function fetchCase(): Promise<Record<string, number>> {
  switch (plan.contender) {
    case 'ours rows': {
      const connection = await ours();
      return timed(async () => {
        const result = await connection.execute(plan.sql);
        let n = 0;
        for await (const row of result) if (row) n++;
        return n;
      });
    }
    case 'ours rowPages': {
      const connection = await ours();
      return timed(async () => {
        const result = await connection.execute(plan.sql);
        let n = 0;
        for await (const page of result.rowPages()) for (const row of page) if (row) n++;
        return n;
      });
    }
    case 'ours fetchAll': {
      const connection = await ours();
      return timed(async () => {
        return (await (await connection.execute(plan.sql)).fetchAll()).length;
      });
    }
    case 'ours arrowBatches': {
      const connection = await ours();
      return timed(async () => {
        const result = await connection.execute(plan.sql);
        let n = 0;
        for await (const batch of result.arrowBatches()) {
          touch(batch);
          n += batch.numRows;
        }
        return n;
      });
    }
    case '@databricks/sql fetchAll': {
      const client = await official();
      return timed(async () => {
        const session = await client.openSession();
        const operation = await session.executeStatement(plan.sql);
        const rows = await operation.fetchAll();
        await operation.close();
        return rows.length;
      });
    }
    case 'floor: decode Arrow in memory':
    case 'floor: columns to row objects':
    case 'in memory: our rows': {
      // The same result, read once by our driver, then timed from memory only.
      const connection = await ours();
      const result = await connection.execute(plan.sql);
      const batches: RecordBatch[] = [];
      for await (const batch of result.arrowBatches()) batches.push(batch);
      if (plan.contender === 'floor: decode Arrow in memory') {
        const ipc = tableToIPC(new Table(batches), 'stream');
        return timed(() => {
          const table = tableFromIPC(ipc);
          for (const batch of table.batches) touch(batch);
          return Promise.resolve(table.numRows);
        });
      }
      if (plan.contender === 'in memory: our rows') {
        // Our row path alone (what `for await` and fetchAll add to arrowBatches), beside the plain loop.
        return timed(() => {
          let n = 0;
          for (const batch of batches) {
            const read = rowReader(batch, result.columns);
            for (let i = 0; i < batch.numRows; i++) if (read(i)) n++;
          }
          return Promise.resolve(n);
        });
      }
      return timed(() => {
        let n = 0;
        for (const batch of batches) {
          const names = batch.schema.fields.map((field) => field.name);
          const columns = names.map((name) => batch.getChild(name)!.toArray() as ArrayLike<unknown>);
          for (let row = 0; row < batch.numRows; row++) {
            const object: Record<string, unknown> = {};
            for (let c = 0; c < names.length; c++) object[names[c]!] = columns[c]![row];
            if (object) n++;
          }
        }
        return Promise.resolve(n);
      });
    }
    default:
      throw new Error(`no fetch contender '${plan.contender}'`);
  }
}

async function latencyCase(): Promise<Record<string, number>> {
  const runs = plan.runs ?? 200;
  let once: () => Promise<unknown>;
  switch (plan.contender) {
    case 'ours execute': {
      const connection = await ours();
      once = async () => (await connection.execute(plan.sql)).fetchAll();
      break;
    }
    case 'ours executeAsync': {
      const connection = await ours();
      once = async () => {
        const query = await connection.executeAsync(plan.sql);
        const rows = await (await query.getResults()).fetchAll();
        await query.close();
        return rows;
      };
      break;
    }
    case '@databricks/sql': {
      const session = await (await official()).openSession();
      once = async () => {
        const operation = await session.executeStatement(plan.sql);
        const rows = await operation.fetchAll();
        await operation.close();
        return rows;
      };
      break;
    }
    case 'sqlQueryWorkflow':
      return workflowLatency({
        ...plan,
        runs,
        temporalAddress: plan.temporalAddress!,
        workflowBundlePath: plan.workflowBundlePath!,
      });
    default:
      throw new Error(`no latency contender '${plan.contender}'`);
  }
  for (let i = 0; i < 10; i++) await once(); // warm-up: connections, JIT
  const times = await timedRuns(runs, once);
  return { medianMs: quantile(times, 0.5), p95Ms: quantile(times, 0.95) };
}

/** Statements per second from `clients` connections for THROUGHPUT_SECONDS, each running `sql` in a loop. */
async function throughputCase(clients: number): Promise<Record<string, number>> {
  const connections = await Promise.all(Array.from({ length: clients }, () => ours()));
  const once = async (connection: Connection) => (await connection.execute(plan.sql)).fetchAll();
  await Promise.all(connections.map(once)); // warm-up: every connection open and used once
  const started = performance.now();
  const until = started + THROUGHPUT_SECONDS * 1000;
  let statements = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < until) {
        await once(connection);
        statements++;
      }
    }),
  );
  return { statementsPerSecond: statements / ((performance.now() - started) / 1000) };
}
const THROUGHPUT_SECONDS = 15;

const figures =
  plan.workflows !== undefined
    ? await pollingCost({
        ...plan,
        workflows: plan.workflows,
        windowSeconds: plan.windowSeconds ?? 60,
        temporalAddress: plan.temporalAddress!,
        workflowBundlePath: plan.workflowBundlePath!,
      })
    : plan.clients !== undefined
      ? await throughputCase(plan.clients)
      : plan.rows === undefined
        ? await latencyCase()
        : await fetchCase();
if (figures.rows !== undefined && figures.rows !== plan.rows) throw new Error(`read ${figures.rows} rows of ${plan.rows}`);
console.log(JSON.stringify({ ...figures, peakRssMiB: kib(process.pid, 'VmHWM') / 1024 }));
// Clients keep sockets open; the figures are out.
process.exit(0);
