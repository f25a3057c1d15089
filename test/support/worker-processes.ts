/**
 * SQL workers in child processes (test/support/temporal-worker-process.ts), configured like a
 * deployment through the DATABRICKS_* variables, so a test can SIGKILL one mid-activity.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TemporalTestEnv } from './temporal-env.js';
import { waitFor } from './wait.js';

const WORKER_PROCESS = fileURLToPath(new URL('./temporal-worker-process.ts', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts a worker process on `taskQueue` talking to the warehouse at `warehouseHost` (the
 * warehouse itself or a fault proxy in front of it), with `extraEnv` on top (S3 credentials,
 * encryption keys); resolves once it polls.
 */
export async function startWorkerProcess(
  env: TemporalTestEnv,
  taskQueue: string,
  warehouseHost: string = env.warehouse.serverHostname,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PROCESS], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: env.bundlePath,
      RESULT_DIRECTORY: env.resultDirectory,
      DATABRICKS_HOST: warehouseHost,
      DATABRICKS_HTTP_PATH: env.warehouse.httpPath,
      DATABRICKS_TOKEN: env.warehouse.accessToken,
      ...extraEnv,
    },
  });
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  const kill = async (): Promise<void> => {
    if (gone()) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor('the worker process to poll', () => output.includes('ready'), {
      timeoutMs: 60_000,
      abort: () => (gone() ? `it exited with ${child.exitCode ?? child.signalCode}` : undefined),
    });
  } catch (error) {
    await kill();
    throw error;
  }
  return { child, kill };
}
