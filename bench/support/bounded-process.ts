/**
 * A benchmark's child process with bounds: it is killed once it runs longer than `timeoutMs`
 * or its RSS passes `maxRssMiB`, and the result says which, so a contender that cannot do a
 * case within reason costs its figure and a line in the table, not the run.
 */
import { spawn } from 'node:child_process';
import { kib } from './warehouse-process.js';

export interface Bounds {
  /** @format milliseconds */
  timeoutMs: number;
  /** @format MiB */
  maxRssMiB: number;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Why the bench killed it, when it did ("over 6,144 MiB RSS after 41 s"). */
  stopped?: string;
  /** Highest RSS seen by the watchdog (sampled every 250 ms). @format MiB */
  peakRssMiB: number;
}

export function runBounded(
  command: string,
  args: string[],
  input: string,
  bounds: Bounds,
  env: NodeJS.ProcessEnv = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopped: string | undefined;
    let peakRssMiB = 0;
    const stop = (why: string) => {
      if (stopped) return;
      stopped = `${why} after ${Math.round((Date.now() - started) / 1000)} s`;
      child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      let rss: number;
      try {
        rss = kib(child.pid!, 'VmRSS') / 1024;
      } catch {
        return; // already gone
      }
      peakRssMiB = Math.max(peakRssMiB, rss);
      if (rss > bounds.maxRssMiB) stop(`over ${bounds.maxRssMiB.toLocaleString('en-US')} MiB RSS`);
      else if (Date.now() - started > bounds.timeoutMs) stop(`not done in ${bounds.timeoutMs / 1000} s`);
    }, 250);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearInterval(watch);
      reject(error);
    });
    // 'close', not 'exit': every byte of stdout and stderr has been read by then.
    child.on('close', (code, signal) => {
      clearInterval(watch);
      resolve({ code, signal, stdout, stderr, stopped, peakRssMiB });
    });
    child.stdin.end(input);
  });
}
