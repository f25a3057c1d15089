/**
 * A real S3-compatible server for the sink tests and the bench: moto's server from PyPI, in the
 * venv scripts/s3/moto-venv.sh caches, on a free loopback port. Started and stopped by the
 * caller; `workerEnv` are the variables a worker reads (the AWS SDK's standard ones).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { findFreePort } from '../../../src/temporal/dev-server.js';
import { waitFor } from '../../support/wait.js';

const VENV_SCRIPT = fileURLToPath(new URL('../../../scripts/s3/moto-venv.sh', import.meta.url));

export interface S3TestServer {
  endpoint: string;
  /** AWS_* variables for a worker: endpoint, region and a fresh secret key. */
  workerEnv: Record<string, string>;
  /** The secret access key in `workerEnv` (tests look for it where it must not be). */
  secretAccessKey: string;
  /** A client for the test itself to read back what workers wrote. */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const { stdout } = await promisify(execFile)('bash', [VENV_SCRIPT], { timeout: 600_000 });
  const motoServer = stdout.trim().split('\n').pop()!;
  const port = await findFreePort();
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, () => stderr);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const secretAccessKey = `sink-test-secret-${randomUUID()}`;
  const workerEnv = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASINKTEST',
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
  };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIASINKTEST', secretAccessKey },
  });
  return {
    endpoint,
    workerEnv,
    secretAccessKey,
    client,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    stop: async () => {
      client.destroy();
      await stopChild(child);
    },
  };
}

async function waitUntilServing(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  await waitFor(
    `moto_server to answer on ${endpoint}`,
    () =>
      fetch(`${endpoint}/moto-api/`).then(
        (r) => r.status < 500,
        () => false,
      ),
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      abort: () => (child.exitCode !== null ? `moto_server exited with ${child.exitCode}: ${log()}` : undefined),
    },
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const exited = once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
