/**
 * `database` keeps tables across restarts: a table created through the wire is there after
 * the warehouse stops and starts again on the same file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { startLocalWarehouse } from '../../src/warehouse/index.js';
import { assertSuccess, executeRequest, WarehouseTestClient } from '../support/warehouse-client.js';

async function run(url: string, token: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new WarehouseTestClient(url, token);
  const session = await client.openSession();
  const response = await client.call(
    'ExecuteStatement',
    executeRequest(session, sql, { runAsync: false, direct: { maxRows: 1000 } }),
  );
  assertSuccess(response.status);
  const direct = response.directResults!;
  const batches = direct.resultSet?.results?.arrowBatches ?? [];
  const table = tableFromIPC([direct.resultSetMetadata!.arrowSchema!, ...batches.map((b) => b.batch)]);
  return [...table].map((row) => ({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() }));
}

describe('local warehouse: database file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warehouse-db-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a table across a restart', async () => {
    const database = join(dir, 'local.duckdb');
    const first = await startLocalWarehouse({ database });
    try {
      await run(first.url, first.accessToken, 'CREATE TABLE orders (id BIGINT, item STRING)');
      await run(first.url, first.accessToken, "INSERT INTO orders VALUES (1, 'apple'), (2, 'pear')");
    } finally {
      await first.close();
    }
    const second = await startLocalWarehouse({ database });
    try {
      const rows = await run(second.url, second.accessToken, 'SELECT * FROM orders ORDER BY id');
      assert.deepEqual(rows, [
        { id: 1n, item: 'apple' },
        { id: 2n, item: 'pear' },
      ]);
    } finally {
      await second.close();
    }
  });
});
