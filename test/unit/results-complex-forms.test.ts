/**
 * The three ways a server describes ARRAY, MAP and STRUCT columns, through real Thrift
 * encoding and real Arrow IPC bytes:
 * - HiveServer2's tree of arrayEntry/mapEntry/structEntry (covered by results-decoder.test.ts);
 * - Databricks: a primitiveEntry with ARRAY_TYPE/MAP_TYPE/STRUCT_TYPE, the full type in the
 *   Arrow field (`Spark:DataType:SqlName` metadata, and native nested Arrow types);
 * - Spark's Thrift server: the same bare ids, values as JSON text, nothing else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Field, RecordBatch, Schema, Struct, Table, Type, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { ResultDecodeError, RowSetDecoder, SqlType, batchToRows } from '../../src/results/index.js';
import { typeOf } from '../../src/spark-types/arrow-typing.js';
import { TRowSet, TTypeId } from '../../src/thrift/index.js';
import { ALL_TYPES, expectedRows, ROW_COUNT, wireBatch, type TypeCase } from '../support/results-all-types.js';
import {
  arrowMetadata,
  arrowWire,
  column,
  columnMetadata,
  columnRowSet,
  prim,
  tableSchema,
  throughThrift,
  type TypeSpec,
} from '../support/results-wire.js';

const SQL_NAME = 'Spark:DataType:SqlName';

/** The bare primitiveEntry Databricks and Spark send for a complex type. */
function familyOnly(spec: TypeSpec): TypeSpec {
  if ('array' in spec) return prim(TTypeId.ARRAY_TYPE);
  if ('map' in spec) return prim(TTypeId.MAP_TYPE);
  if ('struct' in spec) return prim(TTypeId.STRUCT_TYPE);
  return spec;
}

const treeSchema = tableSchema(ALL_TYPES.map((c) => [c.name, c.spec]));
const databricksSchema = tableSchema(ALL_TYPES.map((c) => [c.name, familyOnly(c.spec)]));

/** `batch` with each field's Spark type name in its metadata, as Databricks writes it. */
function withSqlNames(batch: RecordBatch, cases: readonly TypeCase[]): RecordBatch {
  const schema = new Schema(
    batch.schema.fields.map((f, i) => new Field(f.name, f.type, true, new Map([[SQL_NAME, cases[i]!.typeName]]))),
  );
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children }),
  );
}

function decodeArrow(thriftSchema: ReturnType<typeof tableSchema>, batches: RecordBatch[], lz4: boolean) {
  const wire = arrowWire(
    batches[0]!.schema,
    batches.map((b) => [b]),
    lz4,
  );
  const metadata = throughThrift(arrowMetadata(thriftSchema, wire.schemaMessage, lz4), () =>
    arrowMetadata(thriftSchema, new Uint8Array(), false),
  );
  const decoder = new RowSetDecoder(metadata);
  const decoded = decoder.decode(throughThrift(wire.rowSet, () => new TRowSet()));
  return { decoder, decoded, rows: decoded.flatMap((b) => batchToRows(b, decoder.columns)) };
}

function decodeColumns(thriftSchema: ReturnType<typeof tableSchema>, rowSet: TRowSet) {
  const decoder = new RowSetDecoder(throughThrift(columnMetadata(thriftSchema), () => columnMetadata(thriftSchema)));
  const decoded = decoder.decode(throughThrift(rowSet, () => new TRowSet()));
  return { decoder, decoded, rows: decoded.flatMap((b) => batchToRows(b, decoder.columns)) };
}

/** Arrow's own view of decoded batches, to compare tables built by different paths. */
function arrowView(decoder: RowSetDecoder, batches: RecordBatch[]): unknown {
  const table = new Table(decoder.arrowSchema, batches);
  return JSON.parse(JSON.stringify(table.toArray(), (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) as unknown;
}

const typeNames = (decoder: RowSetDecoder) => decoder.columns.map((c) => `${c.name} ${c.typeName} ${c.typeId}`);

describe('complex types described by a bare ARRAY_TYPE/MAP_TYPE/STRUCT_TYPE (Databricks) with Arrow', () => {
  const reference = decodeColumns(treeSchema, columnRowSet(ALL_TYPES.map((c) => c.wireColumn)));

  for (const form of ['native', 'text'] as const) {
    for (const lz4 of [false, true]) {
      it(`takes the full type from Spark:DataType:SqlName (${form} Arrow types, lz4 ${lz4}): same columns, rows and table as the tree form`, () => {
        const batches = [
          withSqlNames(wireBatch(ALL_TYPES, form, 0, 2), ALL_TYPES),
          withSqlNames(wireBatch(ALL_TYPES, form, 2, ROW_COUNT), ALL_TYPES),
        ];
        const { decoder, decoded, rows } = decodeArrow(databricksSchema, batches, lz4);
        assert.deepEqual(typeNames(decoder), typeNames(reference.decoder));
        assert.equal(String(decoder.arrowSchema), String(reference.decoder.arrowSchema));
        assert.deepStrictEqual(rows, expectedRows(ALL_TYPES));
        assert.deepEqual(arrowView(decoder, decoded), arrowView(reference.decoder, reference.decoded));
      });
    }
  }

  it('without the metadata, reads the full type from native nested Arrow types', () => {
    const { decoder, rows } = decodeArrow(databricksSchema, [wireBatch(ALL_TYPES, 'native')], false);
    assert.deepEqual(typeNames(decoder), typeNames(reference.decoder));
    assert.deepStrictEqual(rows, expectedRows(ALL_TYPES));
  });

  it('names the column whose Arrow field is of another family than its Thrift type', () => {
    const arr = ALL_TYPES.find((c) => c.name === 'arr')!;
    const st = ALL_TYPES.find((c) => c.name === 'st')!;
    const schema = tableSchema([['arr', prim(TTypeId.MAP_TYPE)]]);
    assert.throws(
      () => decodeArrow(schema, [wireBatch([arr], 'native')], false),
      (error: unknown) => error instanceof ResultDecodeError && /'arr'/.test(error.message) && /MAP/.test(error.message),
    );
    // Metadata of another family is ignored in favour of the Arrow type.
    const mislabelled = decodeArrow(
      tableSchema([['st', prim(TTypeId.STRUCT_TYPE)]]),
      [withSqlNames(wireBatch([st], 'native'), [arr])],
      false,
    );
    assert.equal(mislabelled.decoder.columns[0]!.typeName, 'STRUCT<a:INT,b:STRING>');
  });
});

/** Spark's Thrift server: JSON text in stringVal columns, bare ids, NULLs in the bitmap. */
const SPARK_COLUMNS: Array<[string, TTypeId, Array<string | null>]> = [
  ['arr', TTypeId.ARRAY_TYPE, ['[1,2,3]', '[]', null]],
  ['m', TTypeId.MAP_TYPE, ['{"a":1,"b":2}', '{1:"one",-2:null}', null]],
  ['st', TTypeId.STRUCT_TYPE, ['{"x":1,"y":"z"}', '{"x":null,"y":"\\"q\\""}', null]],
  ['nested', TTypeId.ARRAY_TYPE, ['[[1],[2,3]]', '[{"k":{"__proto__":1}},true,false,null]', null]],
  [
    'numbers',
    TTypeId.ARRAY_TYPE,
    ['[9007199254740991,9007199254740993,-9007199254740993,1.5,1e3,-0.25]', '[12345678901234567890123]', null],
  ],
  ['deep', TTypeId.STRUCT_TYPE, ['{"inner":{"flag":true},"when":"2024-01-02 03:04:05","dec":12.30}', '{}', null]],
];

const SPARK_ROWS = [
  {
    arr: [1, 2, 3],
    m: new Map([
      ['a', 1],
      ['b', 2],
    ]),
    st: { x: 1, y: 'z' },
    nested: [[1], [2, 3]],
    numbers: [9007199254740991, 9007199254740993n, -9007199254740993n, 1.5, 1000, -0.25],
    deep: { inner: { flag: true }, when: '2024-01-02 03:04:05', dec: 12.3 },
  },
  {
    arr: [],
    m: new Map<string, unknown>([
      ['1', 'one'],
      ['-2', null],
    ]),
    st: { x: null, y: '"q"' },
    nested: [{ k: Object.fromEntries([['__proto__', 1]]) }, true, false, null],
    numbers: [12345678901234567890123n],
    deep: {},
  },
  { arr: null, m: null, st: null, nested: null, numbers: null, deep: null },
];

const sparkSchema = tableSchema(SPARK_COLUMNS.map(([name, id]) => [name, prim(id)]));

describe("complex types from Spark's Thrift server: bare ids, JSON text, no element types", () => {
  const spark = decodeColumns(sparkSchema, columnRowSet(SPARK_COLUMNS.map(([, , values]) => column('stringVal', values))));

  it('names the columns ARRAY, MAP and STRUCT, with no element types to give', () => {
    assert.deepEqual(
      spark.decoder.columns.map((c) => [c.name, c.typeName, c.typeId]),
      [
        ['arr', 'ARRAY', SqlType.ARRAY],
        ['m', 'MAP', SqlType.MAP],
        ['st', 'STRUCT', SqlType.STRUCT],
        ['nested', 'ARRAY', SqlType.ARRAY],
        ['numbers', 'ARRAY', SqlType.ARRAY],
        ['deep', 'STRUCT', SqlType.STRUCT],
      ],
    );
  });

  it('reads the rows by their JSON types: numbers (bigint beyond 2^53), Map with string keys, objects', () => {
    assert.deepStrictEqual(spark.rows, SPARK_ROWS);
    const proto = (spark.rows[1]!['nested'] as Array<Record<string, Record<string, unknown>>>)[0]!['k']!;
    assert.deepEqual(Object.keys(proto), ['__proto__'], "'__proto__' stays an ordinary key");
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  });

  it('keeps the JSON text exactly as sent in the Arrow table (Utf8)', () => {
    const table = new Table(spark.decoder.arrowSchema, spark.decoded);
    for (const [name, , values] of SPARK_COLUMNS) {
      assert.equal(typeOf(table.schema.fields.find((f) => f.name === name)!).typeId, Type.Utf8, name);
      assert.deepEqual(table.getChild(name)!.toArray(), values, name);
    }
  });

  it('decodes the same from an Arrow set of Utf8 fields without usable metadata', () => {
    const fields = SPARK_COLUMNS.map(
      ([name], i) => new Field(name, new Utf8(), true, i === 0 ? new Map([[SQL_NAME, 'ARRAY<NOT A TYPE>']]) : undefined),
    );
    const schema = new Schema(fields);
    const children = SPARK_COLUMNS.map(([, , values]) => vectorFromArray(values, new Utf8()).data[0]!);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: 3, nullCount: 0, children }));
    const arrow = decodeArrow(sparkSchema, [batch], true);
    assert.deepEqual(typeNames(arrow.decoder), typeNames(spark.decoder));
    assert.deepStrictEqual(arrow.rows, SPARK_ROWS);
    assert.deepEqual(arrowView(arrow.decoder, arrow.decoded), arrowView(spark.decoder, spark.decoded));
  });

  it('names the column whose text is not JSON of its family', () => {
    for (const [id, text] of [
      [TTypeId.ARRAY_TYPE, '{"a":1}'],
      [TTypeId.STRUCT_TYPE, '[1]'],
      [TTypeId.MAP_TYPE, '{"a":'],
    ] as const) {
      assert.throws(
        () => decodeColumns(tableSchema([['bad', prim(id)]]), columnRowSet([column('stringVal', [text])])),
        (error: unknown) => error instanceof ResultDecodeError && error.column === 'bad' && error.message.includes(text),
        text,
      );
    }
  });
});
