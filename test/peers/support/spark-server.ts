/**
 * Starts and stops Apache Spark's Thrift server (scripts/peers/spark-thriftserver.sh) for a
 * test: free port, temp dir for its derby metastore and warehouse, readiness = the HTTP
 * endpoint answers. The JVM's output is kept to explain a failed start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, freePort, stop, waitFor } from './processes.js';

export interface SparkThriftServer {
  serverHostname: string; // 'http://127.0.0.1:PORT'
  httpPath: string;
  startupMs: number;
  close(): Promise<void>;
}

/** Any HTTP answer (401 without credentials) means Jetty is serving the Thrift endpoint. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/cliservice', method: 'POST', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Starts a server; `port` (default: a free one) lets a test restart it at the same address. */
export async function startSparkThriftServer(atPort?: number): Promise<SparkThriftServer> {
  const started = Date.now();
  const port = atPort ?? (await freePort());
  const work = await mkdtemp(join(tmpdir(), 'spark-peer-'));
  const child: ChildProcess = spawn(
    'bash',
    [join(REPO_ROOT, 'scripts/peers/spark-thriftserver.sh'), 'start', String(port), work],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPARK_PEER_PARENT_PID: String(process.pid) },
    },
  );
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const close = async () => {
    await stop(child, 15_000);
    await rm(work, { recursive: true, force: true });
  };
  try {
    await waitFor('Spark Thrift server', () => answers(port), {
      timeoutMs: 180_000,
      intervalMs: 500,
      abort: () => (child.exitCode !== null ? `exited with ${child.exitCode}:\n${output.slice(-4000)}` : undefined),
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { serverHostname: `http://127.0.0.1:${port}`, httpPath: 'cliservice', startupMs: Date.now() - started, close };
}
