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
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBounded, type Bounds } from './support/bounded-process.js';
import { drawChart, type ChartRow } from './support/chart.js';
import { cpuSeconds, startWarehouse } from './support/warehouse-process.js';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { startTemporalDevServer } from '../src/temporal/dev-server.js';
import { sqlWorkflowsPath } from '../src/temporal/worker.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const RUNS = Number(process.env.LATENCY_RUNS ?? 200);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const MIXED = (rows: number) => `SELECT id, id * 1.5 AS d, CAST(id AS VARCHAR) AS s, CAST(id AS DECIMAL(18,2)) AS m,
  TIMESTAMP '2020-01-01' + to_seconds(id) AS t, CASE WHEN id % 10 = 0 THEN NULL ELSE id END AS n FROM RANGE(${rows})`;
const SMALL = 'SELECT 1 AS one';
// Each contender's bounds: a fetch of ROWS at 20k rows/s at least (5 min for 1M), and 6 GiB.
const BOUNDS: Bounds = {
  timeoutMs: Number(process.env.BENCH_TIMEOUT_S ?? Math.max(300, ROWS / 20_000)) * 1000,
  maxRssMiB: Number(process.env.BENCH_MAX_RSS_MIB ?? 6144),
};

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
// Case 3, once per run (it takes minutes): POLLING_WORKFLOWS held statements polled for POLLING_SECONDS.
const WORKFLOWS = Number(process.env.POLLING_WORKFLOWS ?? 500);
const POLLING_SECONDS = Number(process.env.POLLING_SECONDS ?? 60);
// POLLING_DEFAULTS=1: the workflow's default backoff instead of a fixed 2 s; POLLING_WARMUP_SECONDS before the window.
const POLLING_DEFAULTS = process.env.POLLING_DEFAULTS === '1';
const POLLING_WARMUP_SECONDS = Number(process.env.POLLING_WARMUP_SECONDS ?? 0);
const POLLING: Contender[] = [{ name: `${WORKFLOWS} polling workflows`, reference: `${WORKFLOWS} polling workflows` }];
// BENCH_ONLY="ours execute,sqlQueryWorkflow": just those contenders (while working on one gap).
// CONTENDER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the Node contenders.
const CONTENDER_NODE_ARGS = (process.env.CONTENDER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
// BENCH_CASES=fetch (of fetch,latency,throughput,polling): the large fetch case alone, written to
// bench/results-<rows>.json; the full run (all cases, 1M rows) writes bench/results.json and .svg.
const CASES = (process.env.BENCH_CASES ?? 'fetch,latency,throughput,polling').split(',').map((name) => name.trim());

/** The peers' Python (the cached venv of the peer suite), or undefined when it cannot be had. */
async function pythonPeer(): Promise<string | undefined> {
  const { code, stdout } = await runProcess('bash', [join(HERE, '../scripts/peers/python-venv.sh')], '');
  return code === 0 ? stdout.trim().split('\n').pop() : undefined;
}

async function runProcess(command: string, args: string[], input: string) {
  const { code, stdout } = await runBounded(command, args, input, { timeoutMs: 10 * 60_000, maxRssMiB: 4096 });
  return { code, stdout };
}

/** The first line of a failed contender's output that names an error (a logger's JSON line: its message). */
function firstError(run: { stdout: string; stderr: string }): string {
  const line =
    `${run.stderr}\n${run.stdout}`.split('\n').find((l) => /error/i.test(l) && !/npm warn|feature-flags/i.test(l)) ?? 'no output';
  return (/"message":"([^"]*)/.exec(line)?.[1] ?? line).trim().slice(0, 200);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = (): number => Number(loadavg()[0]!.toFixed(2));

const started = new Date();
const loadAtStart = load();
const warehouse = await startWarehouse({ tls: true, directResultsWaitMs: 5000 });
const caFile = join(mkdtempSync(join(tmpdir(), 'bench-')), 'ca.pem');
writeFileSync(caFile, warehouse.ca ?? '');
const python = await pythonPeer();
const temporal = await startTemporalDevServer();
// The workflow bundle, built once here: the worker contenders load it as users' workers from dist/ do.
const workflowBundlePath = join(mkdtempSync(join(tmpdir(), 'bench-bundle-')), 'workflows.js');
writeFileSync(
  workflowBundlePath,
  (await bundleWorkflowCode({ workflowsPath: sqlWorkflowsPath(), logger: new DefaultLogger('ERROR') })).code,
);
const samples = new Map<string, Array<Record<string, number>>>();
/** Why a contender's runs failed, by `kind|name`. */
const failures = new Map<string, string[]>();

async function measure(kind: 'fetch' | 'latency' | 'throughput' | 'polling', contender: Contender, record = true): Promise<void> {
  const plan = {
    contender: contender.name,
    url: warehouse.url,
    token: warehouse.token,
    ca: warehouse.ca,
    caFile,
    sql: kind === 'fetch' ? MIXED(ROWS) : SMALL,
    ...(kind === 'fetch' ? { rows: ROWS } : { runs: RUNS, temporalAddress: temporal.address, workflowBundlePath }),
    ...(kind === 'throughput' ? { clients: CLIENTS } : {}),
    ...(kind === 'fetch' ? {} : { temporalPid: temporal.pid }),
    ...(kind === 'polling'
      ? {
          workflows: WORKFLOWS,
          windowSeconds: POLLING_SECONDS,
          defaultBackoff: POLLING_DEFAULTS,
          warmupSeconds: POLLING_WARMUP_SECONDS,
        }
      : {}),
  };
  const loadBefore = load();
  const warehouseCpu = cpuSeconds(warehouse.pid);
  const run = contender.python
    ? await runBounded(python!, [join(HERE, 'support/contender.py')], JSON.stringify(plan), BOUNDS)
    : await runBounded(
        process.execPath,
        [...CONTENDER_NODE_ARGS, '--import', 'tsx', join(HERE, 'support/contender.ts')],
        '',
        BOUNDS,
        {
          BENCH_PLAN: JSON.stringify(plan),
        },
      );
  const key = `${kind}|${contender.name}`;
  if (run.code !== 0 || run.stopped) {
    // One contender's failure costs its figure (the table says why), not the whole run's.
    const why = run.stopped ?? (run.signal ? `killed by ${run.signal}` : `exit ${run.code}: ${firstError(run)}`);
    if (record) failures.set(key, [...(failures.get(key) ?? []), `${why}, peak ${Math.round(run.peakRssMiB)} MiB`]);
    process.stderr.write(`${contender.name} failed (${why}, peak RSS ${Math.round(run.peakRssMiB)} MiB):\n`);
    process.stderr.write(`${run.stderr.slice(-2000)}\n${run.stdout.slice(-2000)}\n`);
    return;
  }
  const { stdout } = run;
  const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  figures.load = loadBefore;
  // The warehouse's share, whole process run (for the in-memory cases: the one fetch before the timing).
  figures.warehouseCpuSeconds = cpuSeconds(warehouse.pid) - warehouseCpu;
  if (!record) return;
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
    if (CASES.includes('fetch')) for (const contender of rotated(FETCH.filter(usable), round)) await measure('fetch', contender);
    if (CASES.includes('latency'))
      for (const contender of rotated(LATENCY.filter(usable), round)) await measure('latency', contender);
    if (CASES.includes('throughput')) for (const contender of THROUGHPUT.filter(usable)) await measure('throughput', contender);
  }
  if (CASES.includes('polling')) for (const contender of POLLING.filter(usable)) await measure('polling', contender);
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
  const reference = samples.has(`fetch|${contender.reference}`) ? ROWS / figure('fetch', contender.reference, 'seconds') : NaN;
  rows.push({
    case: `fetch ${ROWS.toLocaleString('en-US')} rows`,
    contender: contender.name,
    'rows/s': Math.round(rowsPerSecond),
    'vs ours': Number.isNaN(reference) ? '-' : `${(reference / rowsPerSecond).toFixed(2)}x`,
    'client CPU-s': Number(figure('fetch', contender.name, 'cpuSeconds').toFixed(2)),
    'warehouse CPU-s': Number(figure('fetch', contender.name, 'warehouseCpuSeconds').toFixed(2)),
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
    'vs ours': samples.has(`latency|${contender.reference}`)
      ? `${(medianMs / figure('latency', contender.reference, 'medianMs')).toFixed(2)}x`
      : '-',
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
for (const contender of POLLING) {
  const [polling] = samples.get(`polling|${contender.name}`) ?? [];
  if (!polling) continue;
  rows.push({
    case: `polling, ${POLLING_SECONDS} s window`,
    contender: contender.name,
    'polls/s': Number(polling.pollsPerSecond!.toFixed(1)),
    'worker CPU-s per 1,000 polls': Number(polling.workerCpuSecondsPer1000Polls!.toFixed(2)),
    'worker cores': Number(polling.workerCpuCores!.toFixed(2)),
    'server cores': Number(polling.serverCpuCores!.toFixed(2)),
    'worker RSS MiB': Math.round(polling.workerRssMiB!),
    'history events per workflow': Math.round(polling.historyEventsPerWorkflow!),
    'events per poll': Number(polling.historyEventsPerPoll!.toFixed(1)),
    'requests per poll': Number(polling.warehouseRequestsPerPoll!.toFixed(2)),
    load: polling.load!,
  });
}
// What could not be measured, and why (also when only some of a contender's rounds failed).
for (const [key, reasons] of failures) {
  const [kind, contender] = key.split('|') as [string, string];
  const measured = samples.get(key)?.length ?? 0;
  const label =
    kind === 'fetch' ? `fetch ${ROWS.toLocaleString('en-US')} rows` : kind === 'latency' ? `latency ${RUNS} runs` : kind;
  rows.push({ case: label, contender, failed: `${reasons.length} of ${reasons.length + measured} runs: ${reasons.join('; ')}` });
}
const machine = {
  date: started.toISOString(),
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  rounds: ROUNDS,
  rows: ROWS,
  loadAtStart: loadAtStart,
  loadAtEnd: load(),
};
console.log(JSON.stringify(machine));
console.table(rows);
console.log(
  '"vs ours": fetch, ours rows/s over theirs (above 1: ours is faster); latency, their median over ours (above 1: ours is faster).',
);
const workflowRounds = samples.get('latency|sqlQueryWorkflow');
if (workflowRounds) {
  // Where the workflow's time goes, from its histories: each task's scheduled->started wait; CPU per run.
  const fields = Object.keys(workflowRounds[0]!).filter((field) => /(MedianMs|P95Ms|CpuMs)$/.test(field));
  const handOffs = Object.fromEntries(fields.map((field) => [field, figure('latency', 'sqlQueryWorkflow', field)]));
  const added = figure('latency', 'sqlQueryWorkflow', 'medianMs') - figure('latency', 'ours execute', 'medianMs');
  console.log(`sqlQueryWorkflow adds ${added.toFixed(1)} ms (median) to ours execute; history waits, ms:`);
  console.table(handOffs);
}
// A partial run (BENCH_ONLY) leaves the recorded results alone; a fetch-only run has a file of its own.
const recorded = JSON.stringify(
  { machine, results: rows, samples: Object.fromEntries(samples), failures: Object.fromEntries(failures) },
  null,
  2,
);
if (!ONLY && CASES.length === 1 && CASES[0] === 'fetch') {
  writeFileSync(join(HERE, `results-${ROWS}.json`), `${recorded}\n`);
} else if (!ONLY) {
  writeFileSync(join(HERE, 'results.json'), `${recorded}\n`);
  writeFileSync(
    join(HERE, 'results.svg'),
    await drawChart(chart, `${machine.date.slice(0, 10)}, ${machine.cpus}, ${ROWS.toLocaleString('en-US')} rows`),
  );
}
