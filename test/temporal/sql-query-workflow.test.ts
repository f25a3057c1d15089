/**
 * sqlQueryWorkflow end to end: real Temporal dev server, real local warehouse over HTTP.
 * Direct result, a query polled to completion, failed SQL, a result over the inline limit,
 * continue-as-new with bounded history, and the token absent from history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startSqlQuery } from '../../src/temporal/client.js';
import { findFreePort } from '../../src/temporal/dev-server.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import {
  fetchAllRunHistories,
  historyBytes,
  startTemporalTestEnv,
  waitForStatus,
  type TemporalTestEnv,
} from '../support/temporal-env.js';
import { heldSql, StatementGate } from '../support/statement-gate.js';
import { waitFor } from '../support/wait.js';

describe('sqlQueryWorkflow', () => {
  let env: TemporalTestEnv;
  // Long statements are held RUNNING by the warehouse until the test releases them.
  const gate = new StatementGate();
  before(async () => {
    env = await startTemporalTestEnv({ directResultsWaitMs: 2000, holdStatements: gate.hold });
  });
  after(async () => {
    await env?.close();
  });

  it('returns a small fast query as a direct result without polling', async () => {
    const worker = await env.newWorker();
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        { statement: 'SELECT :p AS p, * FROM RANGE(3)', params: { p: 'foo' } },
        { taskQueue: worker.taskQueue },
      );
      return handle.result();
    });
    assert.equal(result.state, 'FINISHED');
    assert.equal(result.returnedAsDirectResult, true);
    assert.equal(result.polls, 0);
    assert.deepEqual(result.columns, [
      { name: 'p', typeName: 'STRING' },
      { name: 'id', typeName: 'BIGINT' },
    ]);
    assert.deepEqual(result.rows, [
      { p: 'foo', id: '0' },
      { p: 'foo', id: '1' },
      { p: 'foo', id: '2' },
    ]);
  });

  it('polls a long query to completion, fetches it, then closes it on the warehouse', async () => {
    const worker = await env.newWorker();
    const sql = heldSql('polled');
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(env.client, { statement: sql, pollIntervalMs: 250 }, { taskQueue: worker.taskQueue });
      await waitForStatus(handle, (s) => s.polls >= 1);
      await gate.release('polled');
      return handle.result();
    });
    assert.equal(result.returnedAsDirectResult, false);
    assert.ok(result.polls >= 1, `polled ${result.polls} times`);
    assert.deepEqual(result.rows, [{ tag: 'polled' }]);
    const records = env.warehouse.history().filter((r) => r.statement === sql);
    assert.equal(records.length, 1, 'submitted once');
    assert.equal(records[0]!.queryId, result.queryId);
    assert.equal(records[0]!.state, 'CLOSED', 'closed after the fetch was recorded');
  });

  it('backs its polls off by default: 2 s, then each interval 1.2 times the last', async () => {
    const worker = await env.newWorker();
    const sql = heldSql('backoff');
    const handle = await startSqlQuery(env.client, { statement: sql }, { taskQueue: worker.taskQueue });
    const result = await worker.runUntil(async () => {
      await waitForStatus(handle, (s) => s.polls >= 3);
      await gate.release('backoff');
      return handle.result();
    });
    assert.equal(result.rows?.[0]?.tag, 'backoff');
    // The durable sleeps between polls, as the workflow's history records them.
    const { events } = await handle.fetchHistory();
    const sleepsMs = (events ?? []).flatMap((event) => {
      const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
      return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
    });
    assert.ok(sleepsMs.length >= 3, `slept ${sleepsMs.length} times: ${sleepsMs.join(', ')}`);
    assert.deepEqual(sleepsMs.slice(0, 3), [2000, 2400, 2880]);
  });

  it('fails with a non-retryable SqlStatementFailed carrying the sqlState', async () => {
    const worker = await env.newWorker();
    const failure = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        { statement: 'SELECT * FROM no_such_table_here' },
        { taskQueue: worker.taskQueue },
      );
      return handle.result().then(
        () => assert.fail('the workflow should fail'),
        (error: unknown) => error,
      );
    });
    assert.ok(failure instanceof WorkflowFailedError);
    const cause = failure.cause;
    assert.ok(cause instanceof ApplicationFailure, `cause is ${String(cause)}`);
    assert.equal(cause.type, 'SqlStatementFailed');
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, /no_such_table_here/);
    assert.match(String((cause.details?.[0] as { sqlState?: string }).sqlState), /^[0-9A-Z]{5}$/);
  });

  it('writes a result over the inline limit to the sink and returns its manifest', async () => {
    const worker = await env.newWorker();
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        env.client,
        {
          statement: "SELECT id, concat('row-', CAST(id AS STRING)) AS label FROM RANGE(20000)",
          inlineResultLimitBytes: 16 * 1024,
        },
        { taskQueue: worker.taskQueue },
      );
      return handle.result();
    });
    assert.equal(result.rows, undefined);
    const manifest = result.manifest!;
    assert.equal(manifest.format, 'jsonl');
    assert.equal(manifest.rows, 20_000);
    assert.deepEqual(manifest.schema, [
      { name: 'id', typeName: 'BIGINT' },
      { name: 'label', typeName: 'STRING' },
    ]);
    assert.equal(manifest.location, join(env.resultDirectory, result.queryId!, 'manifest.json'));
    const content = Buffer.concat(
      await Promise.all(manifest.parts.map((p) => readFile(join(dirname(manifest.location), p.name)))),
    );
    assert.equal(content.length, manifest.bytes);
    const rows = content
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    assert.equal(rows.length, 20_000);
    assert.deepEqual(rows[0], { id: '0', label: 'row-0' });
    assert.deepEqual(rows[19_999], { id: '19999', label: 'row-19999' });
  });

  it('continues as new to keep history short, and never records the token', async () => {
    const worker = await env.newWorker();
    const sql = heldSql('continued');
    const handle = await startSqlQuery(
      env.client,
      { statement: sql, pollIntervalMs: 100, maxPollsPerRun: 1 },
      { taskQueue: worker.taskQueue },
    );
    const result = await worker.runUntil(async () => {
      await waitForStatus(handle, (s) => s.polls >= 3); // one poll per run: several runs
      await gate.release('continued');
      return handle.result();
    });
    assert.equal(result.rows?.[0]?.tag, 'continued');
    assert.ok(result.runs > 1, `ran in ${result.runs} runs: ${JSON.stringify(result)}`);

    const histories = await fetchAllRunHistories(env.client, handle.workflowId);
    assert.equal(histories.length, result.runs);
    for (const history of histories) {
      assert.ok((history.events?.length ?? 0) <= 40, `a run has ${history.events?.length} events`);
    }
    const bytes = historyBytes(histories);
    assert.ok(bytes.includes(sql), 'the statement is in history (the search works)');
    assert.ok(bytes.includes(result.queryId!), 'the query id is in history');
    assert.ok(!bytes.includes(env.warehouse.accessToken), 'the access token is not in history');
    assert.equal(env.warehouse.history().filter((r) => r.statement === sql).length, 1, 'submitted once over all runs');
  });

  it('retries a submit the warehouse never received (connection refused), running it once', async () => {
    const port = await findFreePort();
    const worker = await env.newWorker(`down-${port}`, {
      warehouse: {
        serverHostname: `http://127.0.0.1:${port}`,
        httpPath: env.warehouse.httpPath,
        accessToken: 'late-warehouse-token',
        retry: { maxAttempts: 1 },
      },
    });
    let late: LocalWarehouse | undefined;
    try {
      const sql = 'SELECT 42 AS answer';
      const result = await worker.runUntil(async () => {
        const handle = await startSqlQuery(env.client, { statement: sql }, { taskQueue: worker.taskQueue });
        await waitFor(
          'a failed submit attempt',
          async () => ((await handle.describe()).raw.pendingActivities?.[0]?.attempt ?? 0) >= 2,
        );
        late = await startLocalWarehouse({ port, token: 'late-warehouse-token' });
        return handle.result();
      });
      assert.deepEqual(result.rows, [{ answer: 42 }]);
      assert.equal(late!.history().filter((r) => r.statement === sql).length, 1);
    } finally {
      await late?.close();
    }
  });

  it('fails with SqlQueryNotFound when the warehouse no longer knows the query', async () => {
    const port = await findFreePort();
    const token = 'restarting-warehouse-token';
    let current = await startLocalWarehouse({ port, token, directResultsWaitMs: 200, holdStatements: gate.hold });
    const worker = await env.newWorker(`lost-${port}`, {
      warehouse: { serverHostname: current.serverHostname, httpPath: current.httpPath, accessToken: token },
    });
    try {
      const failure = await worker.runUntil(async () => {
        const handle = await startSqlQuery(
          env.client,
          { statement: heldSql('lost'), pollIntervalMs: 200 }, // never released
          { taskQueue: worker.taskQueue },
        );
        await waitForStatus(handle, (s) => s.state === 'RUNNING' && s.polls >= 1);
        // A restarted warehouse has forgotten every statement of the previous process.
        await current.close();
        current = await startLocalWarehouse({ port, token });
        return handle.result().then(
          () => assert.fail('the workflow should fail'),
          (error: unknown) => error,
        );
      });
      assert.ok(failure instanceof WorkflowFailedError);
      assert.ok(failure.cause instanceof ApplicationFailure, `cause is ${String(failure.cause)}`);
      assert.equal(failure.cause.type, 'SqlQueryNotFound');
      assert.match(failure.cause.message, /not found/);
    } finally {
      await current.close();
    }
  });
});
