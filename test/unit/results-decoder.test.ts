/**
 * RowSetDecoder end to end on every SQL type: column-based sets, Arrow with native types,
 * Arrow with types as text, with and without LZ4, all decode to the same canonical Arrow
 * table and the same JS rows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Table, util, type RecordBatch } from 'apache-arrow';
import { ResultDecodeError, RowSetDecoder, SqlType, batchToRows } from '../../src/results/index.js';
import { TRowSet, TSparkArrowResultLink, TSparkRowSetType } from '../../src/thrift/index.js';
import { ALL_TYPES, expectedRows, wireBatch } from '../support/results-all-types.js';
import { arrowMetadata, arrowWire, columnMetadata, columnRowSet, tableSchema, throughThrift } from '../support/results-wire.js';

const schema = tableSchema(ALL_TYPES.map((c) => [c.name, c.spec]));

function decodeColumns(): { decoder: RowSetDecoder; batches: RecordBatch[] } {
  const decoder = new RowSetDecoder(throughThrift(columnMetadata(schema), () => columnMetadata(schema)));
  const rowSet = throughThrift(columnRowSet(ALL_TYPES.map((c) => c.wireColumn)), () => new TRowSet());
  return { decoder, batches: decoder.decode(rowSet) };
}

function decodeArrow(form: 'native' | 'text', lz4: boolean, groups: Array<Array<[number, number]>>) {
  const probe = wireBatch(ALL_TYPES, form);
  const wire = arrowWire(
    probe.schema,
    groups.map((g) => g.map(([from, to]) => wireBatch(ALL_TYPES, form, from, to))),
    lz4,
  );
  const metadata = arrowMetadata(schema, wire.schemaMessage, lz4);
  const decoder = new RowSetDecoder(throughThrift(metadata, () => arrowMetadata(schema, new Uint8Array(), false)));
  return { decoder, batches: decoder.decode(throughThrift(wire.rowSet, () => new TRowSet())) };
}

const rowsOf = (decoder: RowSetDecoder, batches: RecordBatch[]) => batches.flatMap((b) => batchToRows(b, decoder.columns));

/** Arrow's own view of a table, to compare tables built by different paths. */
function arrowView(decoder: RowSetDecoder, batches: RecordBatch[]): unknown {
  const table = new Table(decoder.arrowSchema, batches);
  return JSON.parse(JSON.stringify(table.toArray(), (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) as unknown;
}

describe('RowSetDecoder', () => {
  it('describes the columns with Spark type names', () => {
    const { decoder } = decodeColumns();
    assert.deepEqual(
      decoder.columns.map((c) => `${c.name} ${c.typeName}`),
      ALL_TYPES.map((c) => `${c.name} ${c.typeName}`),
    );
    assert.equal(decoder.columns.find((c) => c.name === 'dec38')?.typeId, SqlType.DECIMAL);
    assert.equal(decoder.columns.find((c) => c.name === 'n')?.typeId, SqlType.NULL);
    assert.equal(decoder.columns.find((c) => c.name === 'deep')?.typeId, SqlType.ARRAY);
    assert.equal(
      decoder.arrowSchema.fields.map((f) => `${f.name}: ${String(f.type)}`).join('\n'),
      [
        'b: Bool',
        'ti: Int8',
        'si: Int16',
        'i: Int32',
        'bi: Int64',
        'f: Float32',
        'd: Float64',
        'dec: Decimal[10e+2]',
        'dec38: Decimal[38e+10]',
        'dec0: Decimal[38e0]',
        's: Utf8',
        'bin: Binary',
        'dt: Date32<DAY>',
        'ts: Timestamp<MICROSECOND, UTC>',
        'arr: List<Int32>',
        'm: Map<{key:Utf8, value:Int64}>',
        'mi: Map<{key:Int32, value:Utf8}>',
        'st: Struct<{a:Int32, b:Utf8}>',
        'deep: List<Struct<{d:Decimal[5e+2], t:Timestamp<MICROSECOND, UTC>, days:List<Date32<DAY>>}>>',
        'n: Null',
        'iv: Utf8',
      ].join('\n'),
    );
  });

  it('decodes a column-based set of every type to the documented JS values', () => {
    const { decoder, batches } = decodeColumns();
    assert.equal(batches.length, 1);
    assert.ok(util.compareSchemas(batches[0]!.schema, decoder.arrowSchema));
    assert.deepStrictEqual(rowsOf(decoder, batches), expectedRows(ALL_TYPES));
  });

  for (const lz4 of [false, true]) {
    it(`decodes native Arrow batches of every type${lz4 ? ' (LZ4)' : ''} to the documented JS values`, () => {
      const { decoder, batches } = decodeArrow('native', lz4, [[[0, 4]]]);
      assert.ok(util.compareSchemas(batches[0]!.schema, decoder.arrowSchema));
      assert.deepStrictEqual(rowsOf(decoder, batches), expectedRows(ALL_TYPES));
    });

    it(`decodes Arrow batches with types sent as text${lz4 ? ' (LZ4)' : ''} to the same values`, () => {
      const { decoder, batches } = decodeArrow('text', lz4, [[[0, 4]]]);
      assert.ok(util.compareSchemas(batches[0]!.schema, decoder.arrowSchema));
      assert.deepStrictEqual(rowsOf(decoder, batches), expectedRows(ALL_TYPES));
    });
  }

  it('gives the same Arrow table from every wire form', () => {
    const fromColumns = decodeColumns();
    const reference = arrowView(fromColumns.decoder, fromColumns.batches);
    for (const [form, lz4] of [
      ['native', false],
      ['native', true],
      ['text', false],
      ['text', true],
    ] as const) {
      const { decoder, batches } = decodeArrow(form, lz4, [[[0, 4]]]);
      assert.deepStrictEqual(arrowView(decoder, batches), reference, `${form} lz4=${lz4}`);
    }
  });

  it('reads several IPC messages per TSparkArrowBatch and several TSparkArrowBatches', () => {
    const { decoder, batches } = decodeArrow('native', true, [
      [
        [0, 1],
        [1, 3],
      ],
      [[3, 4]],
    ]);
    assert.equal(batches.length, 3);
    assert.deepStrictEqual(rowsOf(decoder, batches), expectedRows(ALL_TYPES));
  });

  it('returns no batches for empty results in both formats', () => {
    const { decoder: columnDecoder } = decodeColumns();
    const emptyColumns = columnRowSet(ALL_TYPES.map((c) => ({ ...c.wireColumn }) as never));
    for (const column of emptyColumns.columns!) {
      const typed = Object.values(column).find((v) => v != null) as { values: unknown[]; nulls: Buffer };
      typed.values = [];
      typed.nulls = Buffer.alloc(0);
    }
    assert.deepEqual(columnDecoder.decode(emptyColumns), []);

    const { decoder, batches } = decodeArrow('native', false, [[[0, 0]]]);
    assert.deepEqual(batches, []);
    assert.deepEqual(decoder.decode(new TRowSet({ startRowOffset: 0 as never, rows: [], arrowBatches: [] })), []);
    assert.equal(new Table(decoder.arrowSchema, batches).numRows, 0);
    // An empty list of batches or columns is an empty page whatever the announced format.
    assert.deepEqual(decoder.decode(new TRowSet({ startRowOffset: 0 as never, rows: [], columns: [], arrowBatches: [] })), []);
    const withEmptyBatches = columnRowSet(ALL_TYPES.map((c) => c.wireColumn));
    withEmptyBatches.arrowBatches = [];
    assert.deepStrictEqual(rowsOf(columnDecoder, columnDecoder.decode(withEmptyBatches)), expectedRows(ALL_TYPES));
  });

  it('handles a result with no columns', () => {
    const noColumns = tableSchema([]);
    const decoder = new RowSetDecoder(columnMetadata(noColumns));
    assert.deepEqual(decoder.columns, []);
    assert.equal(decoder.arrowSchema.fields.length, 0);
    assert.deepEqual(decoder.decode(columnRowSet([])), []);
  });

  it('says a cloud-fetch result is downloaded, not decoded inline', () => {
    const metadata = columnMetadata(schema);
    metadata.resultFormat = TSparkRowSetType.URL_BASED_SET;
    const decoder = new RowSetDecoder(metadata);
    assert.equal(decoder.cloudFetch, true);
    assert.equal(new RowSetDecoder(columnMetadata(schema)).cloudFetch, false);
    const link = new TSparkArrowResultLink({ fileLink: 'https://files.example/f0' });
    assert.throws(
      () => decoder.decode(new TRowSet({ startRowOffset: 0 as never, rows: [], resultLinks: [link] })),
      (error: unknown) => error instanceof ResultDecodeError && /cloud-fetch links/.test(error.message),
    );
  });
});
