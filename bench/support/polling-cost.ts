/**
 * Case 3 of `npm run bench`: what long-running queries cost while they poll. One worker (this
 * process) runs `workflows` concurrent `sqlQueryWorkflow`s whose statements the warehouse
 * holds RUNNING; once every one has been submitted and polled, a fixed window measures the
 * worker's CPU and RSS, the status polls done, the HTTP requests the worker sent the warehouse,
 * the workflow cache's evictions, and the history each workflow run has grown. The workflows are cancelled at the end.
 */
import { subscribe } from 'node:diagnostics_channel';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { cancelSignal, statusQuery } from '../../workflows/messages.js';
import { startSqlQuery } from '../../src/temporal/client.js';
import { startBenchWorker, type BenchWorkerPlan } from './bench-worker.js';
import { cpuSeconds, HOLD_MARKER, kib } from './warehouse-process.js';

export interface PollingPlan extends BenchWorkerPlan {
  /** Process id of the dev server, to report its CPU beside the worker's. */
  temporalPid?: number;
  workflows: number;
  /** @format seconds */
  windowSeconds: number;
  /**
   * @format milliseconds; the workflow's fixed poll interval (default 2,000: the workflow's first
   * interval). Fixed, not backed off as by default, so the window sees the most polls a query makes.
   */
  pollIntervalMs?: number;
  /** Poll with the workflow's own defaults (backing off to 30 s) instead of a fixed interval. */
  defaultBackoff?: boolean;
  /** @format seconds; polling before the window opens (lets a backed-off interval settle). */
  warmupSeconds?: number;
}

/** Calls of each activity type this worker has completed. */
function activityCounter(counts: Map<string, number>): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        const output = await next(input);
        counts.set(ctx.info.activityType, (counts.get(ctx.info.activityType) ?? 0) + 1);
        return output;
      },
    },
  });
}

async function until(done: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function pollingCost(plan: PollingPlan): Promise<Record<string, number>> {
  // Every HTTP request the driver (undici) sends to the warehouse.
  let requests = 0;
  subscribe('undici:request:create', () => requests++);
  const counts = new Map<string, number>();
  const { worker, client, taskQueue } = await startBenchWorker(plan, {
    interceptors: { activity: [activityCounter(counts)] },
  });
  const count = (activity: string) => counts.get(activity) ?? 0;
  return worker.runUntil(async () => {
    const handles: WorkflowHandle[] = [];
    for (let i = 0; i < plan.workflows; i++) {
      const input = {
        statement: `SELECT '${HOLD_MARKER}' AS held, ${i} AS n`,
        pollIntervalMs: plan.pollIntervalMs,
        ...(plan.defaultBackoff ? {} : { pollBackoffFactor: 1 }),
      };
      handles.push(await startSqlQuery(client, input, { taskQueue }));
    }
    // Every statement submitted and polled at least once by every workflow, roughly.
    await until(() => count('submitQuery') >= plan.workflows, 300_000, 'every submit');
    const polled = count('syncQueryStatus');
    await until(() => count('syncQueryStatus') >= polled + plan.workflows, 300_000, 'a poll per workflow');
    await new Promise((resolve) => setTimeout(resolve, (plan.warmupSeconds ?? 0) * 1000));

    // Evictions from the worker's workflow cache in the window: each costs a full replay later.
    let cached = worker.worker.getStatus().numCachedWorkflows;
    let evictions = 0;
    const watching = worker.worker.numRunningWorkflowInstances$.subscribe((n) => {
      if (n < cached) evictions += cached - n;
      cached = n;
    });
    const before = {
      cpu: cpuSeconds(process.pid),
      serverCpu: plan.temporalPid ? cpuSeconds(plan.temporalPid) : 0,
      polls: count('syncQueryStatus'),
      requests,
    };
    await new Promise((resolve) => setTimeout(resolve, plan.windowSeconds * 1000));
    const cpu = cpuSeconds(process.pid) - before.cpu;
    const serverCpu = plan.temporalPid ? cpuSeconds(plan.temporalPid) - before.serverCpu : 0;
    const polls = count('syncQueryStatus') - before.polls;
    const warehouseRequests = requests - before.requests;
    const rssMiB = kib(process.pid, 'VmRSS') / 1024;
    watching.unsubscribe();
    const cachedWorkflows = cached;

    // History of a sample of runs: events so far, and per poll.
    const sample = handles.slice(0, 20);
    let events = 0;
    let sampledPolls = 0;
    for (const handle of sample) {
      const history = await handle.fetchHistory();
      events += history.events?.length ?? 0;
      const status = await handle.query(statusQuery);
      sampledPolls += status.polls;
    }

    // Cancel them all (the warehouse ends a held statement at once); wait, bounded.
    await Promise.all(handles.map((handle) => handle.signal(cancelSignal)));
    const ended = await Promise.allSettled(
      handles.map((handle) =>
        Promise.race([
          handle.result(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('not ended in 300 s')), 300_000)),
        ]),
      ),
    );
    const stuck = ended.filter((e) => e.status === 'rejected' && !(e.reason instanceof WorkflowFailedError)).length;
    if (stuck > 0) throw new Error(`${stuck} workflows did not end within 300 s of their cancel`);

    return {
      workflows: plan.workflows,
      windowSeconds: plan.windowSeconds,
      polls,
      pollsPerSecond: polls / plan.windowSeconds,
      workerCpuCores: cpu / plan.windowSeconds,
      workerCpuSecondsPer1000Polls: (cpu / polls) * 1000,
      serverCpuCores: serverCpu / plan.windowSeconds,
      workerRssMiB: rssMiB,
      cachedWorkflows,
      cacheEvictions: evictions,
      historyEventsPerWorkflow: events / sample.length,
      historyEventsPerPoll: events / sampledPolls,
      warehouseRequestsPerPoll: warehouseRequests / polls,
    };
  });
}
