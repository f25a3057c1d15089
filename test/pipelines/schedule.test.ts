/**
 * Scheduled reports on a real dev server and local warehouse: a schedule fired twice (by
 * trigger) writes two result slots, each under the path made from its own scheduled time;
 * pause, resume, list and delete; the CLI over the same helpers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultManifest } from '../../workflows/messages.js';
import type { ScheduledSqlResult } from '../../workflows/scheduled-sql.js';
import { slotValues } from '../../workflows/slot-template.js';
import {
  createSqlSchedule,
  deleteSqlSchedule,
  describeSqlSchedule,
  listSqlSchedules,
  pauseSqlSchedule,
  resumeSqlSchedule,
  SqlScheduleInputError,
  triggerSqlSchedule,
} from '../../src/temporal/schedules.js';
import type { SqlWorker } from '../../src/temporal/worker.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('scheduled reports', () => {
  let env: TemporalTestEnv;
  let worker: SqlWorker;
  let dir: string;
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 100 });
    worker = await env.runWorker();
    dir = await mkdtemp(join(tmpdir(), 'scheduled-reports-'));
  });
  after(async () => {
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The run started for the schedule's `n`th action (1-based), once it has ended. */
  const nthRun = async (scheduleId: string, n: number): Promise<ScheduledSqlResult> => {
    const info = await waitFor(`run ${n} of ${scheduleId}`, async () => {
      const described = await describeSqlSchedule(env.client, scheduleId);
      return described.recentRuns.length >= n && described;
    });
    return env.client.workflow.getHandle(info.recentRuns[n - 1]!.workflowId).result() as Promise<ScheduledSqlResult>;
  };

  it('a schedule triggered twice writes two slots, each under its own scheduled time', async () => {
    const scheduleId = `report-${randomUUID()}`;
    await createSqlSchedule(env.client, {
      scheduleId,
      spec: { every: '1 day' }, // never due during the test: only the triggers run it
      query: {
        statement: 'SELECT 1 AS one, 2 AS two',
        pollIntervalMs: 100,
        resultSink: { url: `${dir}/sales/{datetime}`, format: 'jsonl' },
      },
      taskQueue: worker.taskQueue,
    });
    await triggerSqlSchedule(env.client, scheduleId);
    const first = await nthRun(scheduleId, 1);
    // Slots are whole seconds (as Temporal keeps them): the second trigger comes in a later one.
    await waitFor('the next second', () => Date.now() >= Date.parse(first.slot) + 1000);
    await triggerSqlSchedule(env.client, scheduleId);
    const second = await nthRun(scheduleId, 2);

    assert.notEqual(first.slot, second.slot);
    const described = await describeSqlSchedule(env.client, scheduleId);
    // Each run's slot is the time the schedule gave it, and its path is made from that.
    for (const [index, run] of [first, second].entries()) {
      assert.equal(run.slot, described.recentRuns[index]!.scheduledAt.replace(/\.\d{3}Z$/, '.000Z'));
      const manifest = run.query!.manifest as ResultManifest;
      assert.equal(manifest.location, join(dir, 'sales', slotValues(new Date(run.slot)).datetime, 'manifest.json'));
      assert.equal(manifest.rows, 1);
      const written = JSON.parse(await readFile(manifest.location, 'utf8')) as ResultManifest;
      assert.equal(written.rows, 1);
    }
    assert.deepEqual(
      (await readdir(join(dir, 'sales'))).sort(),
      [first, second].map((r) => slotValues(new Date(r.slot)).datetime).sort(),
    );
    await deleteSqlSchedule(env.client, scheduleId);
  });

  it('a pipeline on a schedule fills each step sink path; pause, resume, list and delete', async () => {
    const scheduleId = `pipeline-report-${randomUUID()}`;
    await createSqlSchedule(env.client, {
      scheduleId,
      spec: { cron: '0 2 * * *' },
      pipeline: {
        steps: [
          { name: 'count', statement: 'SELECT 3 AS n' },
          {
            name: 'rows',
            dependsOn: ['count'],
            statement: 'SELECT * FROM RANGE(3)',
            resultSink: { url: `${dir}/daily/{date}/rows`, format: 'csv' },
          },
        ],
      },
      overlap: 'bufferOne',
      catchupWindow: '10 minutes',
      taskQueue: worker.taskQueue,
    });
    const listed = await waitFor('the schedule to be listed', async () =>
      (await listSqlSchedules(env.client)).find((s) => s.scheduleId === scheduleId),
    );
    assert.equal(listed.paused, false);
    assert.match(listed.nextRuns[0] ?? '', /T02:00:00\.000Z$/);

    await pauseSqlSchedule(env.client, scheduleId, 'holiday');
    assert.deepEqual(
      {
        paused: (await describeSqlSchedule(env.client, scheduleId)).paused,
        note: (await describeSqlSchedule(env.client, scheduleId)).note,
      },
      { paused: true, note: 'holiday' },
    );
    await resumeSqlSchedule(env.client, scheduleId);
    assert.equal((await describeSqlSchedule(env.client, scheduleId)).paused, false);

    await triggerSqlSchedule(env.client, scheduleId);
    const run = await nthRun(scheduleId, 1);
    assert.equal(run.pipeline?.state, 'FINISHED');
    const rows = run.pipeline.steps.find((s) => s.name === 'rows')!;
    assert.equal(rows.manifest?.location, join(dir, 'daily', run.slot.slice(0, 10), 'rows', 'manifest.json'));
    assert.equal(rows.workflowId, `${run.workflowId}.rows`);

    await deleteSqlSchedule(env.client, scheduleId);
    await assert.rejects(describeSqlSchedule(env.client, scheduleId), /not found/i);
  });

  it('refuses bad options before creating anything, naming the option', async () => {
    const base = { scheduleId: `bad-${randomUUID()}`, taskQueue: worker.taskQueue };
    const cases: Array<[Parameters<typeof createSqlSchedule>[1], string, RegExp]> = [
      [{ ...base, spec: {}, query: { statement: 'SELECT 1' } }, 'spec', /cron expression \(cron\) or an interval \(every\)/],
      [{ ...base, spec: { every: 'often' }, query: { statement: 'SELECT 1' } }, 'spec.every', /got "often"/],
      [
        { ...base, spec: { every: 60_000 }, query: { statement: 'SELECT 1', resultSink: { url: `${dir}/{week}` } } },
        'query.resultSink.url',
        /\{week\} is not a slot field/,
      ],
      [{ ...base, spec: { every: 60_000 } }, 'query', /exactly one of query or pipeline/],
      [
        { ...base, spec: { every: 60_000 }, pipeline: { steps: [{ name: 'a', statement: 'SELECT 1', dependsOn: ['b'] }] } },
        'pipeline.steps[0].dependsOn[0]',
        /unknown step 'b'/,
      ],
    ];
    for (const [options, field, message] of cases) {
      await assert.rejects(createSqlSchedule(env.client, options), (error: unknown) => {
        assert.ok(error instanceof SqlScheduleInputError);
        assert.equal(error.field, field);
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(describeSqlSchedule(env.client, base.scheduleId), /not found/i, 'nothing was created');
  });

  it('temporal-dbsql schedule create, trigger, list and delete', async () => {
    const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const options = {
          env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: worker.taskQueue },
          timeout: 120_000,
        };
        execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], options, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      });
    const scheduleId = `cli-${randomUUID()}`;
    const created = await cli(
      'schedule',
      'create',
      scheduleId,
      '--query',
      'SELECT 5 AS five',
      '--output',
      `${dir}/cli/{datetime}`,
      '--format',
      'csv',
      '--every',
      '1 day',
      '--overlap',
      'cancelPrevious',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`^${scheduleId}: active, next \\S+Z, 0 recent run\\(s\\)\\n$`));
    const triggered = await cli('schedule', 'trigger', scheduleId);
    assert.equal(triggered.code, 0, triggered.stderr);
    const run = await nthRun(scheduleId, 1);
    assert.equal(run.query?.manifest?.location, join(dir, 'cli', slotValues(new Date(run.slot)).datetime, 'manifest.json'));
    const listed = await cli('schedule', 'list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as Array<{ scheduleId: string }>).some((s) => s.scheduleId === scheduleId));
    const bad = await cli(
      'schedule',
      'create',
      `x-${randomUUID()}`,
      '--query',
      'SELECT 1',
      '--every',
      '1 day',
      '--overlap',
      'sometimes',
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--overlap must be skip, bufferOne or cancelPrevious, got "sometimes"/);
    const deleted = await cli('schedule', 'delete', scheduleId);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stderr, new RegExp(`deleted schedule ${scheduleId}`));
  });
});
