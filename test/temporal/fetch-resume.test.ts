/**
 * The activities against the real local warehouse, in the SDK's MockActivityEnvironment:
 * a fetch interrupted after its first finished part is retried after that part, and the sink
 * ends up with every row exactly once; the operation stays readable until closeQuery.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { createSqlActivities, WarehouseConnection, type SinkProgress } from '../../activities/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { runActivity } from '../support/run-activity.js';

const ROWS = 12_000;

describe('fetchQueryResults resume', () => {
  let warehouse: LocalWarehouse;
  let connection: WarehouseConnection;
  let resultDirectory: string;
  before(async () => {
    warehouse = await startLocalWarehouse({ directResultsWaitMs: 0 });
    connection = new WarehouseConnection({
      serverHostname: warehouse.serverHostname,
      httpPath: warehouse.httpPath,
      accessToken: warehouse.accessToken,
    });
    resultDirectory = await mkdtemp(join(tmpdir(), 'fetch-resume-'));
  });
  after(async () => {
    await connection?.close();
    await warehouse?.close();
    if (resultDirectory) await rm(resultDirectory, { recursive: true, force: true });
  });

  it('resumes an interrupted fetch after its last finished part, writing every row once', async () => {
    const activities = createSqlActivities({ warehouse: connection, resultDirectory });
    const resultSink = { url: join(resultDirectory, 'resume'), format: 'jsonl' as const, partRows: 1_000 };
    const submitted = await runActivity(new MockActivityEnvironment(), activities.submitQuery, {
      statement: `SELECT id, concat('row-', CAST(id AS STRING)) AS label FROM RANGE(${ROWS})`,
      onAmbiguousSubmit: 'fail' as const,
      inlineResultLimitBytes: 1024,
      resultSink,
    });
    assert.equal(submitted.kind, 'handle', 'not a direct result (directResultsWaitMs: 0)');
    if (submitted.kind !== 'handle') return;
    const input = { handle: submitted.handle, inlineResultLimitBytes: 1024, resultSink };

    // Attempt 1: cancelled right after its first finished part, as if the worker had died there.
    const first = new MockActivityEnvironment({ attempt: 1 });
    let progress: SinkProgress | undefined;
    first.on('heartbeat', (details: SinkProgress) => {
      if (progress || details.parts.length === 0) return;
      progress = details;
      first.cancel();
    });
    await assert.rejects(first.run(activities.fetchQueryResults, input), CancelledFailure);
    assert.ok(
      progress && progress.rowsWritten > 0 && progress.rowsWritten < ROWS,
      `stopped part way: ${JSON.stringify(progress)}`,
    );

    // Attempt 2 sees attempt 1's heartbeat and reads on after its parts.
    const second = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: progress });
    const result = await runActivity(second, activities.fetchQueryResults, input);
    const manifest = result.manifest!;
    assert.equal(manifest.rows, ROWS);
    assert.deepEqual(manifest.parts.slice(0, progress.parts.length), progress.parts, 'the finished parts were kept');
    const text = await Promise.all(manifest.parts.map((p) => readFile(join(resultSink.url, p.name), 'utf8')));
    const lines = text
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; label: string });
    assert.deepEqual(
      lines.map((r) => Number(r.id)),
      Array.from({ length: ROWS }, (_, i) => i),
      'each row once, in order',
    );
    assert.deepEqual(lines[ROWS - 1], { id: String(ROWS - 1), label: `row-${ROWS - 1}` });

    // The fetch never closed the operation: a third reader still finds it, until closeQuery.
    const again = await runActivity(new MockActivityEnvironment(), activities.fetchQueryResults, input);
    assert.equal(again.rowCount, ROWS);
    await new MockActivityEnvironment().run(activities.closeQuery, { handle: submitted.handle });
    assert.equal(warehouse.history().find((r) => r.queryId === submitted.queryId)?.state, 'CLOSED');
  });
});
