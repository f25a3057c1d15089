/**
 * `npm run bench`: our driver beside the official clients, in one run. One local warehouse
 * over TLS in its own process; each contender in a process of its own, started anew for
 * every measurement; contenders interleaved, ROUNDS rounds (default 3). Prints a table of
 * medians with ratios to ours, peak RSS per client process, the machine and its load; writes
 * bench/results.json and draws bench/results.svg. Not a test: nothing is enforced.
 *
 *   npm run bench                    # 1,000,000 mixed rows, 3 rounds
 *   BENCH_ROWS=10000000 npm run bench
 *
 * Cases: 1. fetch throughput (our rows and Arrow batch stream, @databricks/sql fetchAll, the
 * Python connector's fetchall and fetchall_arrow, and two in-memory floors); 2. small-query
 * latency (median and p95 of 200 runs) for our execute and executeAsync, both peers and
 * `sqlQueryWorkflow` end to end on a Temporal dev server (with its history's hand-off waits);
 * 4. warehouse throughput: statements/s of `SELECT 1` from 50 connections at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drawChart, type ChartRow } from './support/chart.js';
import { startWarehouse } from './support/warehouse-process.js';
import { startTemporalDevServer } from '../src/temporal/dev-server.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const RUNS = Number(process.env.LATENCY_RUNS ?? 200);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const MIXED = (rows: number) => `SELECT id, id * 1.5 AS d, CAST(id AS VARCHAR) AS s, CAST(id AS DECIMAL(18,2)) AS m,
  TIMESTAMP '2020-01-01' + to_seconds(id) AS t, CASE WHEN id % 10 = 0 THEN NULL ELSE id END AS n FROM RANGE(${rows})`;
const SMALL = 'SELECT 1 AS one';

interface Contender {
  name: string;
  /** What its ratio is taken against. */
  reference: string;
  python?: boolean;
}

const FETCH: Contender[] = [
  { name: 'ours rows', reference: 'ours rows' },
  { name: 'ours rowPages', reference: 'ours rows' },
  { name: 'ours fetchAll', reference: 'ours rows' },
  { name: '@databricks/sql fetchAll', reference: 'ours rows' },
  { name: 'Python connector fetchall', reference: 'ours rows', python: true },
  { name: 'floor: columns to row objects', reference: 'ours rows' },
  { name: 'in memory: our rows', reference: 'floor: columns to row objects' },
  { name: 'ours arrowBatches', reference: 'ours arrowBatches' },
  { name: 'Python connector fetchall_arrow', reference: 'ours arrowBatches', python: true },
  { name: 'floor: decode Arrow in memory', reference: 'ours arrowBatches' },
];
const LATENCY: Contender[] = [
  { name: 'ours execute', reference: 'ours execute' },
  { name: 'ours executeAsync', reference: 'ours execute' },
  { name: '@databricks/sql', reference: 'ours execute' },
  { name: 'Python connector', reference: 'ours execute', python: true },
  { name: 'sqlQueryWorkflow', reference: 'ours execute' },
];
const CLIENTS = 50;
const THROUGHPUT: Contender[] = [{ name: `ours, ${CLIENTS} connections`, reference: `ours, ${CLIENTS} connections` }];
// BENCH_ONLY="ours execute,sqlQueryWorkflow": just those contenders (while working on one gap).
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());

/** The peers' Python (the cached venv of the peer suite), or undefined when it cannot be had. */
async function pythonPeer(): Promise<string | undefined> {
  const { code, stdout } = await runProcess('bash', [join(HERE, '../scripts/peers/python-venv.sh')], '');
  return code === 0 ? stdout.trim().split('\n').pop() : undefined;
}

function runProcess(command: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = (): number => Number(loadavg()[0]!.toFixed(2));

const started = new Date();
const warehouse = await startWarehouse({ tls: true, directResultsWaitMs: 5000 });
const caFile = join(mkdtempSync(join(tmpdir(), 'bench-')), 'ca.pem');
writeFileSync(caFile, warehouse.ca ?? '');
const python = await pythonPeer();
const temporal = await startTemporalDevServer();
const samples = new Map<string, Array<Record<string, number>>>();

async function measure(kind: 'fetch' | 'latency' | 'throughput', contender: Contender, record = true): Promise<void> {
  const plan = {
    contender: contender.name,
    url: warehouse.url,
    token: warehouse.token,
    ca: warehouse.ca,
    caFile,
    sql: kind === 'fetch' ? MIXED(ROWS) : SMALL,
    ...(kind === 'fetch' ? { rows: ROWS } : { runs: RUNS, temporalAddress: temporal.address }),
    ...(kind === 'throughput' ? { clients: CLIENTS } : {}),
  };
  const loadBefore = load();
  const { code, stdout, stderr } = contender.python
    ? await runProcess(python!, [join(HERE, 'support/contender.py')], JSON.stringify(plan))
    : await runProcess(process.execPath, ['--import', 'tsx', join(HERE, 'support/contender.ts')], '', {
        BENCH_PLAN: JSON.stringify(plan),
      });
  if (code !== 0) {
    // One contender's failure costs its figure, not the whole run's.
    process.stderr.write(`${contender.name} failed (exit ${code}):\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}\n`);
    return;
  }
  const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  figures.load = loadBefore;
  if (!record) return;
  const key = `${kind}|${contender.name}`;
  samples.set(key, [...(samples.get(key) ?? []), figures]);
  process.stderr.write(`round ${samples.get(key)!.length} ${contender.name}: ${JSON.stringify(figures)}\n`);
}

try {
  const usable = (c: Contender) => (!c.python || python !== undefined) && (!ONLY || ONLY.includes(c.name));
  // The warehouse's small-query path warmed first (unrecorded): otherwise whichever contender
  // comes first pays for it in its p95.
  await measure('latency', LATENCY[0]!, false);
  // Each round starts one contender later, so none is always first or always after the same one.
  const rotated = (list: Contender[], round: number) => list.map((_, i) => list[(i + round) % list.length]!);
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of rotated(FETCH.filter(usable), round)) await measure('fetch', contender);
    for (const contender of rotated(LATENCY.filter(usable), round)) await measure('latency', contender);
    for (const contender of THROUGHPUT.filter(usable)) await measure('throughput', contender);
  }
} finally {
  warehouse.stop();
  await temporal.stop();
}

const rows: Array<Record<string, string | number>> = [];
const chart: ChartRow[] = [];
const figure = (kind: string, name: string, field: string) =>
  median((samples.get(`${kind}|${name}`) ?? []).map((s) => s[field]!));
for (const contender of FETCH) {
  if (!samples.has(`fetch|${contender.name}`)) continue;
  const rowsPerSecond = ROWS / figure('fetch', contender.name, 'seconds');
  const reference = ROWS / figure('fetch', contender.reference, 'seconds');
  rows.push({
    case: `fetch ${ROWS.toLocaleString('en-US')} rows`,
    contender: contender.name,
    'rows/s': Math.round(rowsPerSecond),
    'vs ours': `${(reference / rowsPerSecond).toFixed(2)}x`,
    'peak RSS MiB': Math.round(figure('fetch', contender.name, 'peakRssMiB')),
    load: figure('fetch', contender.name, 'load'),
  });
  chart.push({ case: 'fetch (rows/s)', contender: contender.name, value: Math.round(rowsPerSecond) });
}
for (const contender of LATENCY) {
  if (!samples.has(`latency|${contender.name}`)) continue;
  const medianMs = figure('latency', contender.name, 'medianMs');
  rows.push({
    case: `latency ${RUNS} runs`,
    contender: contender.name,
    'median ms': Number(medianMs.toFixed(2)),
    'p95 ms': Number(figure('latency', contender.name, 'p95Ms').toFixed(2)),
    'vs ours': `${(medianMs / figure('latency', contender.reference, 'medianMs')).toFixed(2)}x`,
    'peak RSS MiB': Math.round(figure('latency', contender.name, 'peakRssMiB')),
    load: figure('latency', contender.name, 'load'),
  });
  chart.push({ case: 'small query (median ms)', contender: contender.name, value: Number(medianMs.toFixed(2)) });
}
for (const contender of THROUGHPUT) {
  if (!samples.has(`throughput|${contender.name}`)) continue;
  const perSecond = figure('throughput', contender.name, 'statementsPerSecond');
  rows.push({
    case: 'warehouse throughput',
    contender: contender.name,
    'statements/s': Math.round(perSecond),
    'peak RSS MiB': Math.round(figure('throughput', contender.name, 'peakRssMiB')),
    load: figure('throughput', contender.name, 'load'),
  });
}
const machine = {
  date: started.toISOString(),
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  rounds: ROUNDS,
};
console.log(JSON.stringify(machine));
console.table(rows);
console.log(
  '"vs ours": fetch, ours rows/s over theirs (above 1: ours is faster); latency, their median over ours (above 1: ours is faster).',
);
const workflowRounds = samples.get('latency|sqlQueryWorkflow');
if (workflowRounds) {
  // Where the workflow's time goes, from its histories: each task's scheduled->started wait.
  const fields = Object.keys(workflowRounds[0]!).filter((field) => /(MedianMs|P95Ms)$/.test(field));
  const handOffs = Object.fromEntries(fields.map((field) => [field, figure('latency', 'sqlQueryWorkflow', field)]));
  const added = figure('latency', 'sqlQueryWorkflow', 'medianMs') - figure('latency', 'ours execute', 'medianMs');
  console.log(`sqlQueryWorkflow adds ${added.toFixed(1)} ms (median) to ours execute; history waits, ms:`);
  console.table(handOffs);
}
// A partial run (BENCH_ONLY) leaves the recorded results alone.
if (!ONLY) {
  writeFileSync(
    join(HERE, 'results.json'),
    `${JSON.stringify({ machine, results: rows, samples: Object.fromEntries(samples) }, null, 2)}\n`,
  );
  writeFileSync(
    join(HERE, 'results.svg'),
    await drawChart(chart, `${machine.date.slice(0, 10)}, ${machine.cpus}, ${ROWS.toLocaleString('en-US')} rows`),
  );
}
