/** What the results layer says when a server sends something it cannot decode. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Int64 from 'node-int64';
import { Field, Int32, RecordBatch, Schema, Struct, TimeMillisecond, makeData, vectorFromArray } from 'apache-arrow';
import { DatabaseError } from '../../src/errors.js';
import { ResultDecodeError, RowSetDecoder, parseTableSchema } from '../../src/results/index.js';
import {
  TArrayTypeEntry,
  TColumnDesc,
  TRow,
  TRowSet,
  TSparkArrowBatch,
  TTableSchema,
  TTypeDesc,
  TTypeEntry,
  TTypeId,
} from '../../src/thrift/index.js';
import { arrowMetadata, arrowWire, column, columnMetadata, columnRowSet, prim, tableSchema } from '../support/results-wire.js';

// Decode errors are DatabaseErrors too: one catch covers every error of the driver.
const decodeError = (pattern: RegExp) => (error: unknown) =>
  error instanceof ResultDecodeError &&
  error instanceof DatabaseError &&
  error.name === 'ResultDecodeError' &&
  pattern.test(error.message);

function intBatch(values: number[]): RecordBatch {
  const schema = new Schema([new Field('n', new Int32(), true)]);
  const data = vectorFromArray(values, new Int32()).data[0]!;
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: values.length, nullCount: 0, children: [data] }),
  );
}

describe('result decode errors', () => {
  const intSchema = tableSchema([['n', prim(TTypeId.INT_TYPE)]]);

  it('names the column and the value that is not valid text', () => {
    const decoder = new RowSetDecoder(columnMetadata(tableSchema([['price', { decimal: [10, 2] }]])));
    assert.throws(
      () => decoder.decode(columnRowSet([column('stringVal', ['1.00', '12,3'])])),
      (error: unknown) =>
        decodeError(/Cannot decode column 'price' \(DECIMAL\(10,2\)\): '12,3' is not a decimal number/)(error) &&
        (error as ResultDecodeError).column === 'price',
    );
  });

  it('rejects a row set whose column count differs from the schema', () => {
    const decoder = new RowSetDecoder(columnMetadata(intSchema));
    assert.throws(
      () => decoder.decode(columnRowSet([column('i32Val', [1]), column('i32Val', [2])])),
      decodeError(/The row set has 2 columns but the result schema has 1/),
    );
  });

  it('rejects columns of different lengths', () => {
    const decoder = new RowSetDecoder(
      columnMetadata(
        tableSchema([
          ['a', prim(TTypeId.INT_TYPE)],
          ['b', prim(TTypeId.INT_TYPE)],
        ]),
      ),
    );
    assert.throws(
      () => decoder.decode(columnRowSet([column('i32Val', [1, 2]), column('i32Val', [1])])),
      decodeError(/Column 'b' has 1 values but column 'a' has 2/),
    );
  });

  it('rejects corrupt Arrow bytes and a wrong LZ4 flag', () => {
    const wire = arrowWire(intBatch([1]).schema, [[intBatch([1, 2])]], false);
    const corrupt = new TRowSet({
      startRowOffset: new Int64(0),
      rows: [],
      arrowBatches: [new TSparkArrowBatch({ batch: Buffer.from('not arrow at all'), rowCount: new Int64(1) })],
    });
    assert.throws(
      () => new RowSetDecoder(arrowMetadata(intSchema, wire.schemaMessage, false)).decode(corrupt),
      decodeError(/Arrow batch 0 cannot be read/),
    );
    assert.throws(
      () => new RowSetDecoder(arrowMetadata(intSchema, wire.schemaMessage, true)).decode(wire.rowSet),
      decodeError(/Arrow batch 0 cannot be read \(LZ4-compressed\)/),
    );
  });

  it('rejects a batch whose row count differs from the one announced', () => {
    const wire = arrowWire(intBatch([1]).schema, [[intBatch([1, 2])]], false);
    wire.rowSet.arrowBatches![0]!.rowCount = new Int64(3);
    const decoder = new RowSetDecoder(arrowMetadata(intSchema, wire.schemaMessage, false));
    assert.throws(() => decoder.decode(wire.rowSet), decodeError(/Arrow batch 0 announces 3 rows but holds 2/));
  });

  it('rejects Arrow batches without an arrowSchema, and row-based sets', () => {
    const wire = arrowWire(intBatch([1]).schema, [[intBatch([1])]], false);
    assert.throws(() => new RowSetDecoder(columnMetadata(intSchema)).decode(wire.rowSet), decodeError(/no arrowSchema/));
    const rowBased = new TRowSet({ startRowOffset: new Int64(0), rows: [new TRow({ colVals: [] })] });
    assert.throws(() => new RowSetDecoder(columnMetadata(intSchema)).decode(rowBased), decodeError(/Row-based row sets/));
  });

  it('names the column whose Arrow type cannot become its SQL type', () => {
    const type = new TimeMillisecond();
    const schema = new Schema([new Field('n', type, true)]);
    const data = makeData({ type, length: 1, nullCount: 0, data: Int32Array.of(5) });
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [data] }),
    );
    const wire = arrowWire(schema, [[batch]], false);
    const decoder = new RowSetDecoder(arrowMetadata(intSchema, wire.schemaMessage, false));
    assert.throws(
      () => decoder.decode(wire.rowSet),
      (error: unknown) =>
        decodeError(/Cannot decode column 'n' \(INT\) from Arrow Time/)(error) && (error as ResultDecodeError).column === 'n',
    );
  });

  it('rejects a type description with a dangling or cyclic pointer', () => {
    const schemaOf = (types: TTypeEntry[]) =>
      new TTableSchema({ columns: [new TColumnDesc({ columnName: 'xs', typeDesc: new TTypeDesc({ types }), position: 1 })] });
    const dangling = [new TTypeEntry({ arrayEntry: new TArrayTypeEntry({ objectTypePtr: 5 }) })];
    assert.throws(
      () => parseTableSchema(schemaOf(dangling)),
      decodeError(/Column 'xs' has a malformed type description \(entry 5 of 1 is missing\)/),
    );
    const cyclic = [new TTypeEntry({ arrayEntry: new TArrayTypeEntry({ objectTypePtr: 0 }) })];
    assert.throws(() => parseTableSchema(schemaOf(cyclic)), decodeError(/entry 0 of 1 is part of a cycle/));
  });
});
