/**
 * Records workflow histories for the replay test (test/temporal/replay.test.ts): runs
 * sqlQueryWorkflow on a real dev server and local warehouse through its main paths and writes
 * each history as JSON to test/temporal/histories/. (failed-at-submit.json is kept from an
 * earlier warehouse that failed bad SQL in ExecuteStatement itself: the other failure path.) Re-record ONLY for a deliberate,
 * compatible change of the workflow (otherwise replay catching a difference is the point).
 * Scenarios named on the command line are recorded alone: the others' histories are kept, so
 * code that changed since they were recorded must still replay them (e.g. the first five
 * polled with a scheduled syncQueryStatus, the `*-local-poll` ones with a local one).
 *
 *   node --import tsx scripts/temporal/record-history.ts [scenario ...]
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { cancelSqlQuery, startSqlQuery } from '../../src/temporal/client.js';
import type { SqlQueryInput } from '../../workflows/messages.js';
import { startTemporalTestEnv, waitForStatus } from '../../test/support/temporal-env.js';

const OUT_DIR = fileURLToPath(new URL('../../test/temporal/histories/', import.meta.url));
const SLOW = (n: number): string => `SELECT sum((a.id * 31 + b.id) % 97) AS checksum FROM RANGE(${n}) a CROSS JOIN RANGE(${n}) b`;

interface Scenario {
  name: string;
  input: SqlQueryInput;
  /** Drives the workflow to its end; returns when it ended. */
  drive(client: Client, handle: WorkflowHandle): Promise<void>;
}

const settle = async (handle: WorkflowHandle): Promise<void> => {
  await handle.result().catch(() => undefined);
};

const SCENARIOS: Scenario[] = [
  {
    name: 'direct-result',
    input: { statement: 'SELECT :p AS p, * FROM RANGE(3)', params: { p: 'foo' } },
    drive: (_, h) => settle(h),
  },
  {
    name: 'polled-to-completion',
    input: { statement: SLOW(9000), pollIntervalMs: 200, pollBackoffFactor: 1.5, maxPollIntervalMs: 1000 },
    drive: (_, h) => settle(h),
  },
  // The local warehouse reports a failed statement as ERROR on the next status poll.
  {
    name: 'failed-statement',
    input: { statement: 'SELECT * FROM no_such_table', pollIntervalMs: 200 },
    drive: (_, h) => settle(h),
  },
  {
    name: 'canceled-by-signal',
    input: { statement: SLOW(200_000), pollIntervalMs: 200 },
    drive: async (client, handle) => {
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      await cancelSqlQuery(client, handle.workflowId);
      await settle(handle);
    },
  },
  {
    name: 'polled-to-completion-local-poll',
    input: { statement: SLOW(9000), pollIntervalMs: 200, pollBackoffFactor: 1.5, maxPollIntervalMs: 1000 },
    drive: (_, h) => settle(h),
  },
  {
    name: 'canceled-by-signal-local-poll',
    input: { statement: SLOW(200_000), pollIntervalMs: 200 },
    drive: async (client, handle) => {
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 2);
      await cancelSqlQuery(client, handle.workflowId);
      await settle(handle);
    },
  },
  {
    name: 'workflow-cancelled',
    input: { statement: SLOW(200_000), pollIntervalMs: 200 },
    drive: async (_, handle) => {
      await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
      await handle.cancel();
      await settle(handle);
    },
  },
];

async function main(): Promise<void> {
  const env = await startTemporalTestEnv({ directResultsWaitMs: 200 });
  try {
    await mkdir(OUT_DIR, { recursive: true });
    const worker = await env.newWorker();
    await worker.runUntil(async () => {
      const named = process.argv.slice(2);
      const unknown = named.filter((name) => !SCENARIOS.some((s) => s.name === name));
      if (unknown.length > 0) throw new Error(`no such scenario: ${unknown.join(', ')}`);
      for (const scenario of SCENARIOS.filter((s) => named.length === 0 || named.includes(s.name))) {
        const handle = await startSqlQuery(env.client, scenario.input, {
          taskQueue: worker.taskQueue,
          workflowId: `replay-${scenario.name}`,
        });
        await scenario.drive(env.client, handle);
        // protobufjs' object form (enums as names, int64 as strings, bytes as base64);
        // the replay test reads it back with History.fromObject.
        const { History } = proto.temporal.api.history.v1;
        const history = History.decode(History.encode(await handle.fetchHistory()).finish());
        const json = History.toObject(history, { longs: String, enums: String, bytes: String });
        const file = `${OUT_DIR}${scenario.name}.json`;
        await writeFile(file, `${JSON.stringify(json, null, 1)}\n`);
        process.stderr.write(`recorded ${file} (${history.events?.length} events)\n`);
      }
    });
  } finally {
    await env.close();
  }
}

await main();
