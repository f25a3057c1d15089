/**
 * batchToRows on its own: sliced batches (Arrow offsets), duplicate column names, and a
 * 1,000,000-row BIGINT result through both wire formats (correctness only; speed is benched).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Decimal,
  Int64 as ArrowInt64,
  RecordBatch,
  Schema,
  Field,
  Struct,
  TimeUnit,
  Timestamp,
  makeData,
  type DataType,
} from 'apache-arrow';
import { RowSetDecoder, SqlType, batchToRows, type ColumnInfo } from '../../src/results/index.js';
import { TRowSet, TTypeId } from '../../src/thrift/index.js';
import { ALL_TYPES, expectedRows } from '../support/results-all-types.js';
import {
  arrowMetadata,
  arrowWire,
  column,
  columnMetadata,
  columnRowSet,
  prim,
  tableSchema,
  throughThrift,
} from '../support/results-wire.js';

describe('batchToRows', () => {
  it('reads a sliced batch (non-zero Arrow offsets) of every type', () => {
    const schema = tableSchema(ALL_TYPES.map((c) => [c.name, c.spec]));
    const decoder = new RowSetDecoder(columnMetadata(schema));
    const [batch] = decoder.decode(columnRowSet(ALL_TYPES.map((c) => c.wireColumn)));
    for (const [from, to] of [
      [1, 3],
      [2, 4],
      [3, 4],
    ] as const) {
      assert.deepStrictEqual(batchToRows(batch!.slice(from, to), decoder.columns), expectedRows(ALL_TYPES, from, to));
    }
  });

  it('lets the later of two same-named columns win and checks the column count', () => {
    const schema = tableSchema([
      ['x', prim(TTypeId.INT_TYPE)],
      ['x', prim(TTypeId.STRING_TYPE)],
    ]);
    const decoder = new RowSetDecoder(columnMetadata(schema));
    const [batch] = decoder.decode(columnRowSet([column('i32Val', [1]), column('stringVal', ['one'])]));
    assert.deepStrictEqual(batchToRows(batch!, decoder.columns), [{ x: 'one' }]);
    assert.equal(batch!.getChildAt(0)!.get(0), 1); // the Arrow batch keeps both
    assert.throws(() => batchToRows(batch!, decoder.columns.slice(1)), /The batch has 2 columns but 1 were described/);
  });

  it('gives one empty row per row of a batch without columns', () => {
    const batch = new RecordBatch(new Schema([]), makeData({ type: new Struct([]), length: 3, nullCount: 0, children: [] }));
    assert.deepStrictEqual(batchToRows(batch, []), [{}, {}, {}]);
  });
});

/** A one-column batch of 64-bit words (two per value for Decimal128), the last value NULL. */
function wordBatch(type: DataType, name: string, words: bigint[], wordsPerValue: number): RecordBatch {
  const length = words.length / wordsPerValue + 1;
  const data = new BigUint64Array(length * wordsPerValue);
  words.forEach((word, i) => (data[i] = BigInt.asUintN(64, word)));
  const nullBitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  nullBitmap[(length - 1) >> 3]! &= ~(1 << ((length - 1) & 7));
  const child = makeData({ type, length, nullCount: 1, nullBitmap, data: new Uint32Array(data.buffer) } as never);
  const struct = makeData({ type: new Struct([new Field(name, type, true)]), length, nullCount: 0, children: [child] });
  return new RecordBatch(new Schema([new Field(name, type, true)]), struct);
}

describe('batchToRows: 64- and 128-bit cells read as 32-bit halves', () => {
  const edges = [0n, 1n, -1n, 5n, -5n, 999n, -999n, -1000n, -1001n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1001n];
  const values = [...edges, ...edges.map((v) => -v), 2n ** 64n + 7n, -(2n ** 70n), 123_456_789_012_345_678n];

  it('formats DECIMAL exactly, within and beyond what a double holds', () => {
    for (const scale of [0, 2, 5]) {
      const words = values.flatMap((v) => [BigInt.asUintN(64, v), BigInt.asUintN(64, v >> 64n)]);
      const column: ColumnInfo = { name: 'm', typeName: `DECIMAL(38,${scale})`, typeId: SqlType.DECIMAL };
      const rows = batchToRows(wordBatch(new Decimal(scale, 38, 128), 'm', words, 2), [column]);
      const expected = values.map((v) => {
        const digits = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
        const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
        return { m: v < 0n ? `-${text}` : text };
      });
      assert.deepStrictEqual(rows, [...expected, { m: null }]);
    }
  });

  it('makes TIMESTAMP Dates floored to the millisecond, within and beyond 2^53 microseconds', () => {
    const micros = values.filter((v) => v < 2n ** 63n && v >= -(2n ** 63n) && (v < 0n ? -v : v) < 8_640_000_000_000_000n);
    const column: ColumnInfo = { name: 't', typeName: 'TIMESTAMP', typeId: SqlType.TIMESTAMP };
    const rows = batchToRows(wordBatch(new Timestamp(TimeUnit.MICROSECOND), 't', micros, 1), [column]);
    const floorMs = (t: bigint) => Number(t / 1000n - (t % 1000n < 0n ? 1n : 0n));
    assert.deepStrictEqual(rows, [...micros.map((t) => ({ t: new Date(floorMs(t)) })), { t: null }]);
  });

  it('keeps a column named __proto__ as an own field of the row', () => {
    const schema = tableSchema([
      ['__proto__', prim(TTypeId.INT_TYPE)],
      ['y', prim(TTypeId.INT_TYPE)],
    ]);
    const decoder = new RowSetDecoder(columnMetadata(schema));
    const [batch] = decoder.decode(columnRowSet([column('i32Val', [1]), column('i32Val', [2])]));
    const [row] = batchToRows(batch!, decoder.columns);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(Object.entries(row!), [
      ['__proto__', 1],
      ['y', 2],
    ]);
  });
});

describe('a 1,000,000-row BIGINT result', () => {
  const N = 1_000_000;
  const valueAt = (i: number): bigint | null => (i % 1000 === 999 ? null : BigInt(i) * 9_007_199_254_741n - 2n ** 62n);
  const values = Array.from({ length: N }, (_, i) => valueAt(i));
  const schema = tableSchema([['id', prim(TTypeId.BIGINT_TYPE)]]);

  function checkRows(rows: Array<Record<string, unknown>>): void {
    assert.equal(rows.length, N);
    let sum = 0n;
    let nulls = 0;
    for (let i = 0; i < N; i++) {
      const v = rows[i]!['id'];
      if (v === null) nulls++;
      else sum += v as bigint;
    }
    let expectedSum = 0n;
    for (const v of values) if (v !== null) expectedSum += v;
    assert.equal(nulls, 1000);
    assert.equal(sum, expectedSum);
    for (const i of [0, 1, 998, 999, 123_456, N - 1]) assert.equal(rows[i]!['id'], values[i]);
  }

  it('decodes from a column-based set of node-int64 values', () => {
    const rowSet = throughThrift(columnRowSet([column('i64Val', values)]), () => new TRowSet());
    const decoder = new RowSetDecoder(columnMetadata(schema));
    checkRows(decoder.decode(rowSet).flatMap((b) => batchToRows(b, decoder.columns)));
  });

  it('decodes from LZ4-compressed Arrow batches', () => {
    const type = new ArrowInt64();
    const arrowSchema = new Schema([new Field('id', type, true)]);
    const groups: RecordBatch[][] = [];
    for (let start = 0; start < N; start += 250_000) {
      const chunk = values.slice(start, start + 250_000);
      const bitmap = new Uint8Array((chunk.length + 7) >> 3);
      chunk.forEach((v, i) => {
        if (v !== null) bitmap[i >> 3]! |= 1 << (i & 7);
      });
      const data = makeData({
        type,
        length: chunk.length,
        nullCount: chunk.filter((v) => v === null).length,
        nullBitmap: bitmap,
        data: BigInt64Array.from(chunk, (v) => v ?? 0n),
      });
      const struct = makeData({ type: new Struct(arrowSchema.fields), length: chunk.length, nullCount: 0, children: [data] });
      groups.push([new RecordBatch(arrowSchema, struct)]);
    }
    const wire = arrowWire(arrowSchema, groups, true);
    const decoder = new RowSetDecoder(arrowMetadata(schema, wire.schemaMessage, true));
    const batches = decoder.decode(wire.rowSet);
    assert.equal(batches.length, 4);
    checkRows(batches.flatMap((b) => batchToRows(b, decoder.columns)));
  });
});
