/**
 * `npm run bench:sinks`: ROWS mixed rows (BIGINT, DOUBLE, STRING with NULLs, DECIMAL,
 * TIMESTAMP, BOOLEAN; default 10,000,000) through sqlQueryWorkflow to the S3-compatible
 * server (moto, on loopback) as Parquet and as JSON lines, on the real dev server and local
 * warehouse. The worker is the one users run, `temporal-dbsql worker` from the built package
 * (the script builds it first), in its own process, so its peak RSS (VmHWM) is its own;
 * WORKER=tsx runs the test suite's worker under tsx instead (~45 MB more RSS, tsx's compiler).
 * Prints rows/s (fetch start to workflow result), that peak, and the worker's RSS once it
 * polls, before any query (what the fetch adds is the difference); a measurement, not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startSqlQuery } from '../src/temporal/client.js';
import type { ResultFormat } from '../workflows/messages.js';
import { startWorkerProcess } from '../test/support/worker-processes.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../test/support/temporal-env.js';
import { waitFor } from '../test/support/wait.js';
import { MIXED_SQL } from '../test/sinks/support/read-back.js';
import { startS3Server, type S3TestServer } from '../test/sinks/support/s3-server.js';

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const FORMATS = (process.env.FORMATS ?? 'parquet,jsonl').split(',') as ResultFormat[];
const BUCKET = 'bench';
const CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

async function spawnWorker(env: TemporalTestEnv, s3: S3TestServer, taskQueue: string): Promise<ChildProcess> {
  if (process.env.WORKER === 'tsx') return (await startWorkerProcess(env, taskQueue, undefined, s3.workerEnv)).child;
  // WORKER_NODE_ARGS (e.g. "--cpu-prof") are node options for the compiled worker.
  const nodeArgs = (process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'worker'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABRICKS_HOST: env.warehouse.serverHostname,
      DATABRICKS_HTTP_PATH: env.warehouse.httpPath,
      DATABRICKS_TOKEN: env.warehouse.accessToken,
      ...s3.workerEnv,
    },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await waitFor('the worker to poll', () => stderr.includes('worker polling'), {
    timeoutMs: 60_000,
    abort: () => (child.exitCode !== null ? `it exited with ${child.exitCode}: ${stderr}` : undefined),
  });
  return child;
}

/**
 * The process doing the work: `temporal-dbsql worker` runs itself again in a child process
 * with glibc's allocator settings (src/cli/relaunch.ts) unless they are set already.
 */
async function workingPid(pid: number): Promise<number> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return Number(children.trim().split(' ')[0]) || pid;
}

/** Resident set size of a process now (VmRSS) or at its peak (VmHWM), in MB (Linux /proc). */
async function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

const [env, s3] = await Promise.all([startTemporalTestEnv({ directResultsWaitMs: 0 }), startS3Server()]);
try {
  await s3.createBucket(BUCKET);
  const reports: Array<Record<string, string | number>> = [];
  for (const format of FORMATS) {
    const taskQueue = `bench-${format}-${Date.now()}`;
    const worker = await spawnWorker(env, s3, taskQueue);
    try {
      const pid = await workingPid(worker.pid!);
      const idleRss = await rssMb(pid, 'VmRSS');
      const started = Date.now();
      const handle = await startSqlQuery(
        env.client,
        { statement: MIXED_SQL(ROWS), pollIntervalMs: 200, resultSink: { url: `s3://${BUCKET}/${format}`, format } },
        { taskQueue },
      );
      const result = await handle.result();
      const seconds = (Date.now() - started) / 1000;
      const manifest = result.manifest!;
      reports.push({
        case: `${ROWS.toLocaleString('en-US')} mixed rows -> S3 ${format}`,
        rows: manifest.rows,
        parts: manifest.parts.length,
        'MB written': Math.round(manifest.bytes / 1e6),
        seconds: Number(seconds.toFixed(1)),
        'rows/s': Math.round(manifest.rows / seconds),
        'worker RSS idle MB': Math.round(idleRss),
        'worker peak RSS MB': Math.round(await rssMb(pid, 'VmHWM')),
        'launcher peak RSS MB': pid === worker.pid ? 0 : Math.round(await rssMb(worker.pid!, 'VmHWM')),
      });
      process.stderr.write(`${JSON.stringify(reports.at(-1))}\n`);
    } finally {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
  }
  console.table(reports);
} finally {
  await env.close();
  await s3.stop();
}
