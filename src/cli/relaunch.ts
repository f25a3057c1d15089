/**
 * Settings that count only when they are in the environment before node starts (libuv's pool
 * size, glibc's allocator): a command that needs them runs itself again in a child process
 * with them set, passing signals on, and returns the child's exit code.
 */
import { spawn } from 'node:child_process';

/** Set in the child: the launcher's pid. */
const LAUNCHER_PID = 'TEMPORAL_DBSQL_LAUNCHER_PID';

/** Runs this same command line in a child process with `env` added to the environment. */
export function relaunchWith(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...env, [LAUNCHER_PID]: String(process.pid) },
  });
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * glibc's malloc settings for a process that moves large results, or undefined when they need
 * no relaunch: not Linux, or the user set any of them (their values are kept as given).
 * Without them, glibc gives each thread that allocates its own arena and, once a large buffer
 * is freed, serves buffers up to that size from those arenas instead of mmap, keeping freed
 * large buffers as RSS: a worker writing 10M rows to Parquet peaked at 321-351 MB, with them
 * at 266 MB (README, "Result sinks").
 */
export function allocatorSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  if (process.platform !== 'linux') return undefined;
  if (['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'GLIBC_TUNABLES'].some((name) => env[name] !== undefined)) return undefined;
  return { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '262144' };
}

/**
 * In a relaunched child: stops it (SIGTERM, so it shuts down as on Ctrl-C) when its launcher
 * is gone, e.g. SIGKILLed, which cannot pass the signal on; no worker or warehouse is orphaned.
 */
export function stopWithLauncher(): void {
  const launcher = Number(process.env[LAUNCHER_PID]);
  delete process.env[LAUNCHER_PID];
  if (!(launcher > 0) || process.ppid !== launcher) return;
  setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGTERM');
  }, 1000).unref();
}
