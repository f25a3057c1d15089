/**
 * deliverResult on its own, with Arrow batches made here and a real directory sink: a small
 * result comes back inline, every row once and in order; a result whose Arrow form fits the
 * limit but whose JSON form does not goes to the overflow sink whole, rows seen so far included.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Int64, RecordBatch, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { deliverResult, type SinkTarget } from '../../activities/result-delivery.js';
import { DirectorySink } from '../../activities/sinks/index.js';
import { SqlType, type ColumnInfo } from '../../src/results/index.js';

const COLUMNS: ColumnInfo[] = [
  { name: 'id', typeName: 'BIGINT', typeId: SqlType.BIGINT },
  { name: 'label', typeName: 'STRING', typeId: SqlType.STRING },
];

/** Rows `from` to `to` (exclusive) as one batch: `{ id: n, label: 'row-n' }`. */
function batch(from: number, to: number): RecordBatch {
  const ids = Array.from({ length: to - from }, (_, i) => BigInt(from + i));
  const table = new Table({
    id: vectorFromArray(ids, new Int64()),
    label: vectorFromArray(
      ids.map((id) => `row-${id}`),
      new Utf8(),
    ),
  });
  return table.batches[0]!;
}

const expectedRows = (count: number) => Array.from({ length: count }, (_, i) => ({ id: String(i), label: `row-${i}` }));

describe('deliverResult', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'result-delivery-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  function overflow(name: string): SinkTarget & { opened: () => boolean } {
    let opened = false;
    return {
      sink: () => {
        opened = true;
        return Promise.resolve(new DirectorySink(join(scratch, name)));
      },
      identity: `${name}|jsonl|100000`,
      format: 'jsonl',
      partRows: 100_000,
      opened: () => opened,
    };
  }

  const deliver = (target: SinkTarget, inlineLimitBytes: number, ...list: RecordBatch[]) =>
    deliverResult({
      columns: COLUMNS,
      batches: Readable.from(list) as AsyncIterable<RecordBatch>,
      overflow: target,
      inlineLimitBytes,
      recordPart: () => Promise.resolve(),
      onProgress: () => undefined,
      checkCancelled: () => Promise.resolve(),
    });

  it('returns a small result inline: every row once, in order, as JSON values', async () => {
    const target = overflow('inline');
    const result = await deliver(target, 1024 * 1024, batch(0, 3), batch(3, 5));
    assert.deepEqual(result, {
      columns: [
        { name: 'id', typeName: 'BIGINT' },
        { name: 'label', typeName: 'STRING' },
      ],
      rowCount: 5,
      rows: expectedRows(5),
    });
    assert.equal(target.opened(), false, 'no sink opened for an inline result');
  });

  it('sends a result whose JSON outgrows the limit (its Arrow does not) to the overflow sink, whole', async () => {
    const first = batch(0, 200);
    const second = batch(200, 400);
    const arrowBytes = first.data.byteLength + second.data.byteLength;
    const jsonBytes = expectedRows(400).reduce((sum, row) => sum + JSON.stringify(row).length + 1, 0);
    // Between the two sizes: only the JSON form is over the limit.
    const limit = Math.floor((arrowBytes + jsonBytes) / 2);
    assert.ok(arrowBytes < limit && limit < jsonBytes, `arrow ${arrowBytes} < ${limit} < json ${jsonBytes}`);

    const target = overflow('overflow');
    const result = await deliver(target, limit, first, second);
    assert.equal(result.rows, undefined, 'not inline');
    assert.equal(result.rowCount, 400);
    const manifest = result.manifest!;
    assert.equal(manifest.rows, 400);
    const lines = (await readFile(join(scratch, 'overflow', manifest.parts[0]!.name), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      expectedRows(400),
    );
  });
});
