/**
 * One small result holding every SQL type (with NULLs, edge values, nested types), in every
 * form a server may send it: column-based TColumns, Arrow with native types, and Arrow with
 * timestamps, decimals and nested values as text (useArrowNativeTypes off). Each column also
 * states the JS row values a user must get, written out by hand.
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  Null,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { TTypeId, type TColumn } from '../../src/thrift/index.js';
import { column, prim, type TypeSpec } from './results-wire.js';

export interface TypeCase {
  name: string;
  spec: TypeSpec;
  typeName: string;
  /** What batchToRows must give, row by row. */
  rows: unknown[];
  /** The column as a column-based set carries it. */
  wireColumn: TColumn;
  /** The column as native Arrow (names of nested fields as a writer other than ours picks). */
  native: Data;
  /** The column with useArrowNativeTypes off (text for timestamps, decimals, nested). */
  text: Data;
}

/** Decimal128 words of an unscaled value (what Arrow's Decimal builder takes). */
export function decimalWords(unscaled: bigint): Uint32Array {
  const words = new BigUint64Array([BigInt.asUintN(64, unscaled), BigInt.asUintN(64, unscaled >> 64n)]);
  return new Uint32Array(words.buffer);
}

const vec = (values: unknown[], type: DataType): Data => vectorFromArray(values as never[], type as never).data[0]!;
const texts = (values: Array<string | null>): Data => vec(values, new Utf8());

/** Timestamp(us) data straight from microsecond counts (Arrow's builder only takes ms). */
function micros(values: Array<bigint | null>, timezone: string | null): Data {
  const type = new Timestamp(TimeUnit.MICROSECOND, timezone);
  const validity = vec(
    values.map((v) => v !== null),
    new Bool(),
  ); // borrow a bitmap builder
  return makeData({
    type,
    length: values.length,
    nullCount: values.filter((v) => v === null).length,
    nullBitmap: (validity.values as Uint8Array).slice(),
    data: BigInt64Array.from(values, (v) => v ?? 0n),
  });
}

function decimals(values: Array<bigint | null>, precision: number, scale: number): Data {
  return vec(
    values.map((v) => (v === null ? null : decimalWords(v))),
    new Decimal(scale, precision, 128),
  );
}

function mapType(key: DataType, value: DataType): DataType {
  const entries = new Struct<{ key: DataType; value: DataType }>([new Field('key', key, false), new Field('value', value, true)]);
  return new Map_(new Field('entries', entries, false));
}

const D38 = 10n ** 38n - 1n;
const ts = (iso: string) => new Date(iso);

export const DEC_38_10 = ['9999999999999999999999999999.9999999999', '-9999999999999999999999999999.9999999999', '0.0000000001'];

export const ALL_TYPES: TypeCase[] = [
  {
    name: 'b',
    spec: prim(TTypeId.BOOLEAN_TYPE),
    typeName: 'BOOLEAN',
    rows: [true, false, true, null],
    wireColumn: column('boolVal', [true, false, true, null]),
    native: vec([true, false, true, null], new Bool()),
    text: vec([true, false, true, null], new Bool()),
  },
  {
    name: 'ti',
    spec: prim(TTypeId.TINYINT_TYPE),
    typeName: 'TINYINT',
    rows: [-128, 0, 127, null],
    wireColumn: column('byteVal', [-128, 0, 127, null]),
    native: vec([-128, 0, 127, null], new Int8()),
    text: vec([-128, 0, 127, null], new Int8()),
  },
  {
    name: 'si',
    spec: prim(TTypeId.SMALLINT_TYPE),
    typeName: 'SMALLINT',
    rows: [-32768, 1, 32767, null],
    wireColumn: column('i16Val', [-32768, 1, 32767, null]),
    native: vec([-32768, 1, 32767, null], new Int16()),
    text: vec([-32768, 1, 32767, null], new Int16()),
  },
  {
    name: 'i',
    spec: prim(TTypeId.INT_TYPE),
    typeName: 'INT',
    rows: [-2147483648, 42, 2147483647, null],
    wireColumn: column('i32Val', [-2147483648, 42, 2147483647, null]),
    native: vec([-2147483648, 42, 2147483647, null], new Int32()),
    text: vec([-2147483648, 42, 2147483647, null], new Int32()),
  },
  {
    name: 'bi',
    spec: prim(TTypeId.BIGINT_TYPE),
    typeName: 'BIGINT',
    rows: [-(2n ** 63n), 9007199254740993n, 2n ** 63n - 1n, null],
    wireColumn: column('i64Val', [-(2n ** 63n), 9007199254740993n, 2n ** 63n - 1n, null]),
    native: vec([-(2n ** 63n), 9007199254740993n, 2n ** 63n - 1n, null], new Int64()),
    text: vec([-(2n ** 63n), 9007199254740993n, 2n ** 63n - 1n, null], new Int64()),
  },
  {
    name: 'f',
    spec: prim(TTypeId.FLOAT_TYPE),
    typeName: 'FLOAT',
    rows: [1.5, Math.fround(1.1), -Infinity, null],
    wireColumn: column('doubleVal', [1.5, Math.fround(1.1), -Infinity, null]),
    native: vec([1.5, 1.1, -Infinity, null], new Float32()),
    text: vec([1.5, 1.1, -Infinity, null], new Float32()),
  },
  {
    name: 'd',
    spec: prim(TTypeId.DOUBLE_TYPE),
    typeName: 'DOUBLE',
    rows: [0.1, -1e300, NaN, null],
    wireColumn: column('doubleVal', [0.1, -1e300, NaN, null]),
    native: vec([0.1, -1e300, NaN, null], new Float64()),
    text: vec([0.1, -1e300, NaN, null], new Float64()),
  },
  {
    name: 'dec',
    spec: { decimal: [10, 2] },
    typeName: 'DECIMAL(10,2)',
    rows: ['12.30', '-0.05', '-12345678.90', null],
    wireColumn: column('stringVal', ['12.30', '-0.05', '-12345678.90', null]),
    native: decimals([1230n, -5n, -1234567890n, null], 10, 2),
    text: texts(['12.30', '-0.05', '-12345678.90', null]),
  },
  {
    name: 'dec38',
    spec: { decimal: [38, 10] },
    typeName: 'DECIMAL(38,10)',
    rows: [...DEC_38_10, null],
    wireColumn: column('stringVal', [...DEC_38_10, null]),
    native: decimals([D38, -D38, 1n, null], 38, 10),
    text: texts([...DEC_38_10, null]),
  },
  {
    name: 'dec0',
    spec: { decimal: [38, 0] },
    typeName: 'DECIMAL(38,0)',
    rows: [D38.toString(), '-1', '0', null],
    wireColumn: column('stringVal', [D38.toString(), '-1', '0', null]),
    native: decimals([D38, -1n, 0n, null], 38, 0),
    text: texts([D38.toString(), '-1', '0', null]),
  },
  {
    name: 's',
    spec: prim(TTypeId.STRING_TYPE),
    typeName: 'STRING',
    rows: ['héllo ✓ 🎉', '', 'x', null],
    wireColumn: column('stringVal', ['héllo ✓ 🎉', '', 'x', null]),
    native: texts(['héllo ✓ 🎉', '', 'x', null]),
    text: texts(['héllo ✓ 🎉', '', 'x', null]),
  },
  {
    name: 'bin',
    spec: prim(TTypeId.BINARY_TYPE),
    typeName: 'BINARY',
    rows: [Buffer.from([0, 1, 255]), Buffer.alloc(0), Buffer.from('abc'), null],
    wireColumn: column('binaryVal', [Buffer.from([0, 1, 255]), Buffer.alloc(0), Buffer.from('abc'), null]),
    native: vec([Uint8Array.of(0, 1, 255), new Uint8Array(0), Buffer.from('abc'), null], new Binary()),
    text: vec([Uint8Array.of(0, 1, 255), new Uint8Array(0), Buffer.from('abc'), null], new Binary()),
  },
  {
    name: 'dt',
    spec: prim(TTypeId.DATE_TYPE),
    typeName: 'DATE',
    rows: ['2024-02-29', '1969-12-31', '0001-01-01', null],
    wireColumn: column('stringVal', ['2024-02-29', '1969-12-31', '0001-01-01', null]),
    native: vec([ts('2024-02-29'), ts('1969-12-31'), ts('0001-01-01'), null], new DateDay()),
    text: vec([ts('2024-02-29'), ts('1969-12-31'), ts('0001-01-01'), null], new DateDay()),
  },
  {
    name: 'ts',
    spec: prim(TTypeId.TIMESTAMP_TYPE),
    typeName: 'TIMESTAMP',
    rows: [ts('2024-01-02T03:04:05.123Z'), ts('1969-12-31T23:59:59.999Z'), ts('1900-01-01T00:00:00.000Z'), null],
    wireColumn: column('stringVal', ['2024-01-02 03:04:05.123456', '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00', null]),
    native: micros([1704164645123456n, -1n, -2208988800000000n, null], 'Etc/UTC'),
    text: texts(['2024-01-02 03:04:05.123456', '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00', null]),
  },
  {
    name: 'arr',
    spec: { array: prim(TTypeId.INT_TYPE) },
    typeName: 'ARRAY<INT>',
    rows: [[1, null, 3], [], [7], null],
    wireColumn: column('stringVal', ['[1,null,3]', '[]', '[7]', null]),
    native: vec([[1, null, 3], [], [7], null], new List(new Field('item', new Int32(), true))),
    text: texts(['[1,null,3]', '[]', '[7]', null]),
  },
  {
    name: 'm',
    spec: { map: [prim(TTypeId.STRING_TYPE), prim(TTypeId.BIGINT_TYPE)] },
    typeName: 'MAP<STRING,BIGINT>',
    rows: [
      new Map([
        ['a', 1n],
        ['b', null],
      ]),
      new Map(),
      new Map([['k', 9007199254740993n]]),
      null,
    ],
    wireColumn: column('stringVal', ['{"a":1,"b":null}', '{}', '{"k":9007199254740993}', null]),
    native: vec(
      [
        new Map([
          ['a', 1n],
          ['b', null],
        ]),
        new Map(),
        new Map([['k', 9007199254740993n]]),
        null,
      ],
      mapType(new Utf8(), new Int64()),
    ),
    text: texts(['{"a":1,"b":null}', '{}', '{"k":9007199254740993}', null]),
  },
  {
    name: 'mi',
    spec: { map: [prim(TTypeId.INT_TYPE), prim(TTypeId.STRING_TYPE)] },
    typeName: 'MAP<INT,STRING>',
    rows: [
      new Map([
        [1, 'one'],
        [-2, 'two "quoted"'],
      ]),
      new Map(),
      new Map([[3, null]]),
      null,
    ],
    // Spark writes non-string map keys bare.
    wireColumn: column('stringVal', ['{1:"one",-2:"two \\"quoted\\""}', '{}', '{3:null}', null]),
    native: vec(
      [
        new Map([
          [1, 'one'],
          [-2, 'two "quoted"'],
        ]),
        new Map(),
        new Map([[3, null]]),
        null,
      ],
      mapType(new Int32(), new Utf8()),
    ),
    text: texts(['{1:"one",-2:"two \\"quoted\\""}', '{}', '{3:null}', null]),
  },
  {
    name: 'st',
    spec: {
      struct: [
        ['a', prim(TTypeId.INT_TYPE)],
        ['b', prim(TTypeId.STRING_TYPE)],
      ],
    },
    typeName: 'STRUCT<a:INT,b:STRING>',
    rows: [{ a: 1, b: 'x' }, { a: null, b: null }, { a: 3, b: 'z' }, null],
    wireColumn: column('stringVal', ['{"a":1,"b":"x"}', '{"a":null,"b":null}', '{"a":3,"b":"z"}', null]),
    native: vec(
      [{ a: 1, b: 'x' }, { a: null, b: null }, { a: 3, b: 'z' }, null],
      new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
    ),
    text: texts(['{"a":1,"b":"x"}', '{"a":null,"b":null}', '{"a":3,"b":"z"}', null]),
  },
  {
    name: 'deep',
    spec: {
      array: {
        struct: [
          ['d', { decimal: [5, 2] }],
          ['t', prim(TTypeId.TIMESTAMP_TYPE)],
          ['days', { array: prim(TTypeId.DATE_TYPE) }],
        ],
      },
    },
    typeName: 'ARRAY<STRUCT<d:DECIMAL(5,2),t:TIMESTAMP,days:ARRAY<DATE>>>',
    rows: [
      [{ d: '-1.50', t: ts('2024-01-02T03:04:05.123Z'), days: ['1969-07-20', null] }, null],
      [{ d: null, t: null, days: [] }],
      [],
      null,
    ],
    wireColumn: column('stringVal', [
      '[{"d":-1.50,"t":"2024-01-02 03:04:05.123","days":["1969-07-20",null]},null]',
      '[{"d":null,"t":null,"days":[]}]',
      '[]',
      null,
    ]),
    native: vec(
      [
        [{ d: decimalWords(-150n), t: Date.UTC(2024, 0, 2, 3, 4, 5, 123), days: [ts('1969-07-20'), null] }, null],
        [{ d: null, t: null, days: [] }],
        [],
        null,
      ],
      new List(
        new Field(
          'element',
          new Struct([
            new Field('d', new Decimal(2, 5, 128), true),
            new Field('t', new Timestamp(TimeUnit.MICROSECOND, 'UTC'), true),
            new Field('days', new List(new Field('element', new DateDay(), true)), true),
          ]),
          true,
        ),
      ),
    ),
    text: texts([
      '[{"d":-1.50,"t":"2024-01-02 03:04:05.123","days":["1969-07-20",null]},null]',
      '[{"d":null,"t":null,"days":[]}]',
      '[]',
      null,
    ]),
  },
  {
    name: 'n',
    spec: prim(TTypeId.NULL_TYPE),
    typeName: 'VOID',
    rows: [null, null, null, null],
    // Spark sends a VOID column as an all-NULL string column.
    wireColumn: column('stringVal', [null, null, null, null]),
    native: vec([null, null, null, null], new Null()),
    text: vec([null, null, null, null], new Null()),
  },
  {
    name: 'iv',
    spec: prim(TTypeId.INTERVAL_DAY_TIME_TYPE),
    typeName: 'INTERVAL DAY TO SECOND',
    rows: ['1 02:03:04.000000000', '-0 00:00:00.000001000', '0 00:00:00.000000000', null],
    wireColumn: column('stringVal', ['1 02:03:04.000000000', '-0 00:00:00.000001000', '0 00:00:00.000000000', null]),
    native: texts(['1 02:03:04.000000000', '-0 00:00:00.000001000', '0 00:00:00.000000000', null]),
    text: texts(['1 02:03:04.000000000', '-0 00:00:00.000001000', '0 00:00:00.000000000', null]),
  },
];

export const ROW_COUNT = 4;

/** A record batch of the given columns in the given form, rows [from, to). */
export function wireBatch(cases: TypeCase[], form: 'native' | 'text', from = 0, to = ROW_COUNT): RecordBatch {
  const children = cases.map((c) => c[form].slice(from, to - from));
  const schema = new Schema(cases.map((c, i) => new Field(c.name, children[i]!.type, true)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: to - from, nullCount: 0, children }));
}

/** The rows of ALL_TYPES as a user must get them. */
export function expectedRows(cases: TypeCase[], from = 0, to = ROW_COUNT): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let r = from; r < to; r++) rows.push(Object.fromEntries(cases.map((c) => [c.name, c.rows[r]])));
  return rows;
}
