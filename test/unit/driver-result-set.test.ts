/**
 * ResultSet reading logic over held pages (the direct-result path): fetch methods continue
 * where the last one stopped across batch boundaries, offsets skip rows, close is idempotent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RecordBatch, tableFromArrays } from 'apache-arrow';
import { HeldPages, skipRows } from '../../src/client/page-source.js';
import { ResultSet } from '../../src/client/result-set.js';
import { ConnectionClosedError } from '../../src/errors.js';
import { type ColumnInfo, SqlType } from '../../src/results/index.js';

const COLUMNS: ColumnInfo[] = [{ name: 'n', typeName: 'INT', typeId: SqlType.INT }];

/** Batches of 3, 1 and 4 rows holding 0..7. */
function batches(): RecordBatch[] {
  const sizes = [3, 1, 4];
  let next = 0;
  return sizes.map((size) => {
    const values = Int32Array.from({ length: size }, () => next++);
    return tableFromArrays({ n: values }).batches[0] as RecordBatch;
  });
}

function resultSet(startRowOffset = 0, onClose: () => Promise<void> = async () => {}): ResultSet {
  const held = batches();
  const schema = held[0]!.schema;
  return ResultSet.create({ columns: COLUMNS, schema, source: new HeldPages(held, startRowOffset), onClose });
}

describe('ResultSet over held pages', () => {
  it('drops rows before an offset, across batches', () => {
    const kept = skipRows(batches(), 4);
    assert.deepEqual(
      kept.map((b) => b.numRows),
      [4],
    );
    assert.deepEqual(
      skipRows(batches(), 2).map((b) => b.numRows),
      [1, 1, 4],
    );
    assert.deepEqual(skipRows(batches(), 8), []);
  });

  it('continues across batch boundaries whatever method is used', async () => {
    const result = resultSet();
    assert.deepEqual(await result.fetchMany(2), [{ n: 0 }, { n: 1 }]);
    assert.deepEqual(await result.fetchMany(3), [{ n: 2 }, { n: 3 }, { n: 4 }]);
    assert.deepEqual(await result.fetchOne(), { n: 5 });
    const rest = await result.fetchArrow();
    assert.deepEqual(Array.from(rest.getChild('n')!), [6, 7]);
    assert.equal(await result.fetchOne(), null);
    assert.deepEqual(await result.fetchAll(), []);
  });

  it('starts at a row offset and iterates the rest', async () => {
    const seen: unknown[] = [];
    for await (const row of resultSet(5)) seen.push(row.n);
    assert.deepEqual(seen, [5, 6, 7]);
  });

  it('closes once and refuses reads afterwards', async () => {
    let closes = 0;
    const result = resultSet(0, () => {
      closes++;
      return Promise.resolve();
    });
    await result.fetchOne();
    await result.close();
    await result.close();
    assert.equal(closes, 1);
    await assert.rejects(result.fetchAll(), ConnectionClosedError);
    await assert.rejects(result.fetchMany(-1), /non-negative integer/);
  });

  it('gives the rest of each batch as a page, after rows read one by one', async () => {
    const result = resultSet();
    assert.deepEqual(await result.fetchMany(2), [{ n: 0 }, { n: 1 }]);
    const pages: unknown[][] = [];
    for await (const page of result.rowPages()) pages.push(page.map((row) => row.n));
    assert.deepEqual(pages, [[2], [3], [4, 5, 6, 7]]);
    assert.equal(await result.fetchOne(), null);
  });

  it('iterates row by row in step with fetchMany, and stops at a close', async () => {
    const result = resultSet();
    const iterator = result[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.next(), { done: false, value: { n: 0 } });
    assert.deepEqual(await result.fetchMany(3), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.deepEqual(await iterator.next(), { done: false, value: { n: 4 } });
    await result.close();
    await assert.rejects(iterator.next(), ConnectionClosedError);
  });

  it('fetchAll gives every row of every batch, in order', async () => {
    const result = resultSet();
    assert.deepEqual(await result.fetchOne(), { n: 0 });
    assert.deepEqual(
      (await result.fetchAll()).map((row) => row.n),
      [1, 2, 3, 4, 5, 6, 7],
    );
  });
});
