/**
 * A local warehouse in its own process, for benchmarks that measure one side's memory
 * without the other's, and /proc readings of a process's RSS.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/warehouse/index.ts', import.meta.url));

export function kib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A statement containing this text is held RUNNING until cancelled (the polling case's long queries). */
export const HOLD_MARKER = 'bench_hold';

/** Starts a warehouse in a child process; resolves to its pid, URL and token. */
export function startWarehouse(
  options: { spoolDirectory?: string; tls?: boolean; directResultsWaitMs?: number } = {},
): Promise<{ pid: number; url: string; token: string; ca?: string; stop: () => void }> {
  const settings = { directResultsWaitMs: 0, ...options };
  const script = `import { startLocalWarehouse } from ${JSON.stringify(ENTRY)};
const held = ({ statement }) => (statement.includes(${JSON.stringify(HOLD_MARKER)}) ? new Promise(() => {}) : Promise.resolve());
const w = await startLocalWarehouse({ ...${JSON.stringify(settings)}, holdStatements: held });
console.log(JSON.stringify({ url: w.url, token: w.accessToken, ca: w.caCertificate }));
process.on('SIGTERM', () => void w.close().then(() => process.exit(0)));`;
  // WAREHOUSE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the warehouse side.
  const nodeArgs = (process.env.WAREHOUSE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, UV_THREADPOOL_SIZE: '8' },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the warehouse did not start within 60 s')), 60_000);
    child.stdout.once('data', (line: Buffer) => {
      clearTimeout(timer);
      const { url, token, ca } = JSON.parse(line.toString()) as { url: string; token: string; ca?: string };
      resolve({ pid: child.pid ?? 0, url, token, ca, stop: () => child.kill('SIGTERM') });
    });
  });
}
