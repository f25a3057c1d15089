/**
 * The worker the bench's workflow cases run in this process: the bench's prebuilt workflow
 * bundle, the warehouse under test, and a client on the worker's own connection (what eager
 * workflow start needs).
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type WorkerOptions } from '@temporalio/worker';
import { createSqlWorker, type SqlWorker } from '../../src/temporal/worker.js';

export interface BenchWorkerPlan {
  /** The warehouse's full Thrift URL. */
  url: string;
  token: string;
  ca: string;
  /** host:port of the Temporal dev server. */
  temporalAddress: string;
  /** The workflow bundle (`bundleWorkflowCode`'s code) the bench built. */
  workflowBundlePath: string;
}

export interface BenchWorker {
  readonly worker: SqlWorker;
  readonly client: Client;
  readonly taskQueue: string;
}

export async function startBenchWorker(plan: BenchWorkerPlan, workerOptions?: Partial<WorkerOptions>): Promise<BenchWorker> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const target = new URL(plan.url);
  const connection = await NativeConnection.connect({ address: plan.temporalAddress });
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await createSqlWorker({
    connection,
    taskQueue,
    workflowBundle: { codePath: plan.workflowBundlePath },
    warehouse: {
      serverHostname: `${target.protocol}//${target.host}`,
      httpPath: target.pathname,
      accessToken: plan.token,
      ca: plan.ca,
    },
    ...(workerOptions ? { workerOptions } : {}),
  });
  return { worker, client: new Client({ connection }), taskQueue };
}
