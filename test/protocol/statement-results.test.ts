/**
 * What statements answer, through our driver against the local warehouse: DML answers
 * Databricks' count columns and sets the modified-row count, DDL an empty result, literals get
 * Databricks' column names, and the client's resultRowLimit and maxBytesPerBatch bound the result.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, type ExecuteOptions } from '../../src/index.js';
import { useLocalWarehouse } from '../support/driver-fixtures.js';

describe('statement results', () => {
  const local = useLocalWarehouse();

  async function run(sql: string, options: ExecuteOptions = {}) {
    const result = await local.connection.execute(sql, undefined, options);
    const rows = await result.fetchAll();
    return { columns: result.columns.map((c) => `${c.name} ${c.typeName}`), rows, modified: result.modifiedRowCount };
  }

  test('INSERT, UPDATE, DELETE and MERGE answer counts as Databricks does, with the modified-row count', async () => {
    assert.deepEqual(await run('CREATE TABLE dml_orders (id INT, state STRING)'), { columns: [], rows: [], modified: undefined });
    assert.deepEqual(await run("INSERT INTO dml_orders SELECT id, 'new' FROM range(5)"), {
      columns: ['num_affected_rows BIGINT', 'num_inserted_rows BIGINT'],
      rows: [{ num_affected_rows: 5n, num_inserted_rows: 5n }],
      modified: 5,
    });
    assert.deepEqual(await run("UPDATE dml_orders SET state = 'paid' WHERE id >= 3"), {
      columns: ['num_affected_rows BIGINT'],
      rows: [{ num_affected_rows: 2n }],
      modified: 2,
    });
    assert.deepEqual(await run('DELETE FROM dml_orders WHERE id = 0'), {
      columns: ['num_affected_rows BIGINT'],
      rows: [{ num_affected_rows: 1n }],
      modified: 1,
    });
    // ids 1..4 are left; 1 and 2 match (one updated, one deleted), 7 is inserted
    const merge = await run(
      `MERGE INTO dml_orders t USING (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 7) s ON t.id = s.id
       WHEN MATCHED AND t.id = 1 THEN UPDATE SET state = 'merged'
       WHEN MATCHED THEN DELETE
       WHEN NOT MATCHED THEN INSERT (id, state) VALUES (s.id, 'new')`,
    );
    assert.deepEqual(merge, {
      columns: ['num_affected_rows BIGINT', 'num_updated_rows BIGINT', 'num_deleted_rows BIGINT', 'num_inserted_rows BIGINT'],
      rows: [{ num_affected_rows: 3n, num_updated_rows: 1n, num_deleted_rows: 1n, num_inserted_rows: 1n }],
      modified: 3,
    });
    const overwrite = await run("INSERT OVERWRITE dml_orders SELECT id, 'again' FROM range(2)");
    assert.deepEqual(overwrite.rows, [{ num_affected_rows: 2n, num_inserted_rows: 2n }]);
    assert.equal(overwrite.modified, 2);
    const left = await run('SELECT id, state FROM dml_orders ORDER BY id');
    assert.deepEqual(left.rows, [
      { id: 0, state: 'again' },
      { id: 1, state: 'again' },
    ]);
    assert.equal(left.modified, undefined);
  });

  test('DDL and CREATE TABLE ... AS SELECT answer an empty result with no columns', async () => {
    for (const sql of [
      'CREATE SCHEMA ddl_schema',
      'CREATE TABLE ddl_schema.t AS SELECT id FROM range(3)',
      'ALTER TABLE ddl_schema.t ADD COLUMN note STRING',
      'CREATE VIEW ddl_schema.v AS SELECT id FROM ddl_schema.t',
      'DROP VIEW ddl_schema.v',
    ]) {
      assert.deepEqual(await run(sql), { columns: [], rows: [], modified: undefined }, sql);
    }
    assert.deepEqual((await run('SELECT count(*) AS n FROM ddl_schema.t')).rows, [{ n: 3n }]);
  });

  test('resultRowLimit keeps that many rows of a larger result', async () => {
    const limited = await run('SELECT id FROM range(2000)', { resultRowLimit: 1000 });
    assert.equal(limited.rows.length, 1000);
    assert.deepEqual(limited.rows.at(-1), { id: 999n });
    const async = await local.connection.executeAsync('SELECT id FROM range(2000)', undefined, {
      resultRowLimit: 1000,
      directResults: false,
    });
    const rows = await (await async.getResults()).fetchAll();
    await async.close();
    assert.equal(rows.length, 1000);
    assert.equal((await run('SELECT id FROM range(20)', { resultRowLimit: 1000 })).rows.length, 20);
  });

  test('maxBytesPerBatch bounds the Arrow bytes of each batch', async () => {
    const execution = await local.connection.executeAsync('SELECT id FROM range(2000)', undefined, {
      maxBytesPerBatch: 1000,
      directResults: false,
    });
    const result = await execution.getResults();
    const sizes: number[] = [];
    let rows = 0;
    for await (const batch of result.arrowBatches()) {
      sizes.push(batch.data.byteLength);
      rows += batch.numRows;
    }
    await execution.close();
    assert.equal(rows, 2000);
    // 2,000 BIGINTs are 16,000 bytes: at most 1,000 bytes (125 rows) a batch
    assert.ok(sizes.length >= 16, `only ${sizes.length} batches`);
    assert.ok(Math.max(...sizes) <= 1000 + 64, `largest batch ${Math.max(...sizes)} bytes`);
  });

  test('literals and expressions are named as Databricks names them', async () => {
    const result = await local.connection.execute(
      "SELECT 'samsonite', upper('abc'), 1.5, 2, -3, true, DATE'2020-01-01', 1 + 2, 'a' || 'b', 7L, CAST('1' AS INT)",
    );
    await result.fetchAll();
    assert.deepEqual(
      result.columns.map((c) => c.name),
      [
        'samsonite',
        'upper(abc)',
        '1.5',
        '2',
        '-3',
        'true',
        "DATE '2020-01-01'",
        '(1 + 2)',
        'concat(a, b)',
        '7',
        'CAST(1 AS INT)',
      ],
    );
  });

  test('bad limits are refused before anything is sent, naming the option', async () => {
    for (const [name, value] of [
      ['resultRowLimit', 0],
      ['resultRowLimit', 1.5],
      ['maxBytesPerBatch', -1],
    ] as const) {
      await assert.rejects(local.connection.execute('SELECT 1', undefined, { [name]: value }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, name);
        assert.match(error.message, new RegExp(`${name} must be a positive integer, got ${value}`));
        return true;
      });
    }
  });
});
