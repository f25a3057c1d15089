/**
 * The `sqlQueryWorkflow` contender of `npm run bench`'s small-query case: a worker and a
 * client in this process (as `temporal-dbsql dev` runs them), on the dev server the bench
 * started; each run starts the workflow and awaits its result. Besides the latency it reads
 * every run's history and reports where the time went: each task's wait between "scheduled"
 * and "started" (the hand-offs through the server's matching) and the server-side total, and
 * the CPU each run costs this process (worker and client) and the dev server.
 */
import proto from '@temporalio/proto';
import { startSqlQuery } from '../../src/temporal/client.js';
import { startBenchWorker, type BenchWorkerPlan } from './bench-worker.js';
import { quantile, timedRuns } from './timing.js';
import { cpuSeconds } from './warehouse-process.js';

type IHistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { EventType } = proto.temporal.api.enums.v1;

export interface WorkflowPlan extends BenchWorkerPlan {
  sql: string;
  runs: number;
  /** The dev server's process id, for its CPU per run. */
  temporalPid?: number;
}

const millis = (event: IHistoryEvent): number =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);

/**
 * Each task's scheduled→started wait in ms, named by order (`wft1`, `activity1`, `wft2`...),
 * its started→completed run (`wft1Ran`...), and the server-side total.
 */
function handOffs(events: IHistoryEvent[]): Record<string, number> {
  const byId = new Map(events.map((event) => [Number(event.eventId), event]));
  const gaps: Record<string, number> = {};
  let workflowTasks = 0;
  let activities = 0;
  const started = new Map<number, string>();
  for (const event of events) {
    const scheduledId =
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
        ? event.workflowTaskStartedEventAttributes?.scheduledEventId
        : event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
          ? event.activityTaskStartedEventAttributes?.scheduledEventId
          : undefined;
    if (scheduledId === undefined || scheduledId === null) continue;
    const name =
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED ? `wft${++workflowTasks}` : `activity${++activities}`;
    gaps[name] = millis(event) - millis(byId.get(Number(scheduledId))!);
    started.set(Number(event.eventId), name);
  }
  for (const event of events) {
    const startedId =
      event.workflowTaskCompletedEventAttributes?.startedEventId ?? event.activityTaskCompletedEventAttributes?.startedEventId;
    const name = started.get(Number(startedId));
    if (name) gaps[`${name}Ran`] = millis(event) - millis(byId.get(Number(startedId))!);
  }
  gaps.serverTotal = millis(events[events.length - 1]!) - millis(events[0]!);
  return gaps;
}

export async function workflowLatency(plan: WorkflowPlan): Promise<Record<string, number>> {
  // The client shares the worker's connection: what eager workflow start needs.
  const { worker, client, taskQueue } = await startBenchWorker(plan);
  const ids: string[] = [];
  return worker.runUntil(async () => {
    const once = async () => {
      const handle = await startSqlQuery(client, { statement: plan.sql }, { taskQueue, requestEagerStart: true });
      ids.push(handle.workflowId);
      return handle.result();
    };
    for (let i = 0; i < 10; i++) await once(); // warm-up: connections, workflow cache, JIT
    ids.length = 0;
    const serverCpuBefore = plan.temporalPid ? cpuSeconds(plan.temporalPid) : NaN;
    const cpuBefore = process.cpuUsage();
    const times = await timedRuns(plan.runs, once);
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpu = plan.temporalPid ? cpuSeconds(plan.temporalPid) - serverCpuBefore : NaN;
    const samples = new Map<string, number[]>();
    for (const id of ids) {
      const { events } = await client.workflow.getHandle(id).fetchHistory();
      for (const [name, ms] of Object.entries(handOffs(events ?? []))) samples.set(name, [...(samples.get(name) ?? []), ms]);
    }
    const figures: Record<string, number> = {
      medianMs: quantile(times, 0.5),
      p95Ms: quantile(times, 0.95),
      // Averages over the timed runs: every thread of this process (workflow thread, Core, client) and the server.
      workerCpuMs: (cpu.user + cpu.system) / 1000 / plan.runs,
      serverCpuMs: (serverCpu * 1000) / plan.runs,
    };
    for (const [name, values] of samples) {
      const sorted = values.sort((a, b) => a - b);
      figures[`${name}MedianMs`] = quantile(sorted, 0.5);
      figures[`${name}P95Ms`] = quantile(sorted, 0.95);
    }
    return figures;
  });
}
