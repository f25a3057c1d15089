/**
 * Every type of the contract, sent as Arrow (native types, text types, LZ4) and as
 * column-based sets, read back with the project's results decoder: the values a user gets
 * must be the expected ones and the same whichever form travelled. The one intended
 * difference: a column-based set gives a complex column only its family (ARRAY, MAP, STRUCT)
 * and its values as JSON text, as Spark's Thrift server does, so the decoder reads those
 * values by their JSON types (see src/results/json-values.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataType, Table, tableFromIPC, Type } from 'apache-arrow';
import Int64 from 'node-int64';
import { arrowTypeName, typeOf } from '../../src/spark-types/arrow-typing.js';
import { batchToRows, RowSetDecoder, type Row } from '../../src/results/index.js';
import {
  TFetchResultsReq,
  TGetResultSetMetadataReq,
  TSparkArrowTypes,
  TSparkRowSetType,
  TTypeId,
} from '../../src/thrift/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import {
  assertSuccess,
  executeRequest,
  waitUntilDone,
  WarehouseTestClient,
  type ExecuteOptions,
} from '../support/warehouse-client.js';

const EVERY_TYPE = `
SELECT
  true AS b, CAST(-7 AS TINYINT) AS ti, CAST(300 AS SMALLINT) AS si, 70000 AS i,
  CAST(9007199254740993 AS BIGINT) AS bi, CAST(1.5 AS FLOAT) AS f, CAST(2.25 AS DOUBLE) AS d,
  CAST('-12.30' AS DECIMAL(10,2)) AS dec, CAST(12345678901234567890123456789.5 AS DECIMAL(38,1)) AS wide,
  'héllo' AS s, 'a string longer than twelve bytes ✓' AS ls, X'00FF6162' AS bin,
  X'000102030405060708090A0B0C0D' AS lbin, DATE '2024-02-29' AS dt,
  TIMESTAMP '2024-02-29 12:34:56.789' AS ts,
  array(1, NULL, 3) AS arr, map('k', CAST(1.5 AS DOUBLE)) AS m, named_struct('a', 1, 'b', 'x') AS st,
  CAST(NULL AS INT) AS nul, CAST(1 AS DECIMAL(38,0)) AS huge
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
`;

const TYPE_NAMES = {
  b: 'BOOLEAN',
  ti: 'TINYINT',
  si: 'SMALLINT',
  i: 'INT',
  bi: 'BIGINT',
  f: 'FLOAT',
  d: 'DOUBLE',
  dec: 'DECIMAL(10,2)',
  wide: 'DECIMAL(38,1)',
  s: 'STRING',
  ls: 'STRING',
  bin: 'BINARY',
  lbin: 'BINARY',
  dt: 'DATE',
  ts: 'TIMESTAMP',
  arr: 'ARRAY<INT>',
  m: 'MAP<STRING,DOUBLE>',
  st: 'STRUCT<a:INT,b:STRING>',
  nul: 'INT',
  huge: 'DECIMAL(38,0)',
};

const EXPECTED_FIRST: Row = {
  b: true,
  ti: -7,
  si: 300,
  i: 70000,
  bi: 9007199254740993n,
  f: 1.5,
  d: 2.25,
  dec: '-12.30',
  wide: '12345678901234567890123456789.5',
  s: 'héllo',
  ls: 'a string longer than twelve bytes ✓',
  bin: Buffer.from([0, 255, 0x61, 0x62]),
  lbin: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
  dt: '2024-02-29',
  ts: new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
  arr: [1, null, 3],
  m: new Map([['k', 1.5]]),
  st: { a: 1, b: 'x' },
  nul: null,
  huge: '1',
};

const COMPLEX_COLUMNS = ['arr', 'm', 'st'];

/** Column-based sets name only the family of a complex column and send its JSON text. */
const COLUMN_TYPE_NAMES = { ...TYPE_NAMES, arr: 'ARRAY', m: 'MAP', st: 'STRUCT' };

/** The complex values of the first row, read from that JSON text by JSON types. */
const COLUMN_COMPLEX_FIRST: Row = { arr: [1, null, 3], m: new Map([['k', 1.5]]), st: { a: 1, b: 'x' } };

/** The JSON text of each complex column, both rows, as the decoded Arrow table keeps it (Utf8). */
const COLUMN_COMPLEX_TEXT: Record<string, Array<string | null>> = {
  arr: ['[1,null,3]', null],
  m: ['{"k":1.5}', null],
  st: ['{"a":1,"b":"x"}', null],
};

const withoutComplex = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).filter(([name]) => !COMPLEX_COLUMNS.includes(name)));

describe('local warehouse: every type in every result format', () => {
  let warehouse: LocalWarehouse;
  let client: WarehouseTestClient;

  before(async () => {
    warehouse = await startLocalWarehouse();
    client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
  });
  after(async () => {
    await warehouse.close();
  });

  async function fetchAll(
    options: ExecuteOptions,
    arrowTypes?: TSparkArrowTypes,
  ): Promise<{ rows: Row[]; format: number; types: Record<string, DataType>; table: Table }> {
    const session = await client.openSession();
    const req = executeRequest(session, EVERY_TYPE, { ...options, direct: false });
    if (arrowTypes) req.useArrowNativeTypes = arrowTypes;
    const { operationHandle } = await client.call('ExecuteStatement', req);
    await waitUntilDone(client, operationHandle!);
    const metadata = await client.call(
      'GetResultSetMetadata',
      new TGetResultSetMetadataReq({ operationHandle: operationHandle! }),
    );
    assertSuccess(metadata.status);
    const fetched = await client.call(
      'FetchResults',
      new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(100) }),
    );
    assertSuccess(fetched.status);
    const decoder = new RowSetDecoder(metadata);
    const expectedNames = metadata.arrowSchema ? TYPE_NAMES : COLUMN_TYPE_NAMES;
    assert.deepEqual(Object.fromEntries(decoder.columns.map((c) => [c.name, c.typeName])), expectedNames);
    const batches = decoder.decode(fetched.results!);
    const rows = batches.flatMap((batch) => batchToRows(batch, decoder.columns));
    const types = Object.fromEntries(decoder.arrowSchema.fields.map((f) => [f.name, f.type]));
    if (metadata.arrowSchema) {
      // Each Arrow field names its Spark type, whatever Arrow type carries it.
      const fields = tableFromIPC(metadata.arrowSchema).schema.fields;
      assert.deepEqual(Object.fromEntries(fields.map((f) => [f.name, f.metadata.get('Spark:DataType:SqlName')])), TYPE_NAMES);
    }
    return { rows, format: metadata.resultFormat!, types, table: new Table(decoder.arrowSchema, batches) };
  }

  it('sends native Arrow types to a client that reads them, LZ4 or not', async () => {
    for (const lz4 of [false, true]) {
      const { rows, format } = await fetchAll({ arrow: true, lz4 });
      assert.equal(format, TSparkRowSetType.ARROW_BASED_SET);
      assert.deepEqual(rows[0], EXPECTED_FIRST, `lz4 ${lz4}`);
      assert.ok(
        Object.values(rows[1]!).every((v) => v === null),
        'the NULL row',
      );
    }
  });

  it('sends TIMESTAMP, DECIMAL and complex types as text to a client that asks for that', async () => {
    const { rows } = await fetchAll(
      { arrow: true },
      new TSparkArrowTypes({ timestampAsArrow: false, decimalAsArrow: false, complexTypesAsArrow: false }),
    );
    assert.deepEqual(rows[0], EXPECTED_FIRST);
    assert.ok(Object.values(rows[1]!).every((v) => v === null));
  });

  it('sends column-based sets to a client without Arrow: scalars decode to the same rows and Arrow types, complex columns as JSON text', async () => {
    const column = await fetchAll({ arrow: false });
    assert.equal(column.format, TSparkRowSetType.COLUMN_BASED_SET);
    const arrow = await fetchAll({ arrow: true });
    assert.deepEqual(column.rows.map(withoutComplex), arrow.rows.map(withoutComplex));
    assert.deepEqual(column.rows[0], { ...withoutComplex(EXPECTED_FIRST), ...COLUMN_COMPLEX_FIRST });
    assert.ok(
      Object.values(column.rows[1]!).every((v) => v === null),
      'the NULL row',
    );
    for (const [name, type] of Object.entries(arrow.types)) {
      if (COMPLEX_COLUMNS.includes(name)) continue;
      assert.equal(arrowTypeName(column.types[name]!), arrowTypeName(type), name);
    }
    assert.equal(arrow.types['ts']!.typeId, Type.Timestamp);
    for (const [name, texts] of Object.entries(COLUMN_COMPLEX_TEXT)) {
      assert.equal(column.types[name]!.typeId, Type.Utf8, name);
      assert.deepEqual(column.table.getChild(name)!.toArray(), texts, name);
    }
  });

  it('copies many strings, booleans and decimals of every storage width, with NULLs across DuckDB chunks', async () => {
    const session = await client.openSession();
    const sql =
      "SELECT CASE WHEN id % 7 = 0 THEN NULL ELSE repeat('é', id % 20) END AS s, " +
      'CASE WHEN id % 5 = 0 THEN NULL ELSE id % 3 = 0 END AS b, ' +
      'CAST((id - 5000) / 100 AS DECIMAL(4,2)) AS d16, CAST((id - 5000) * 1.5 AS DECIMAL(9,3)) AS d32, ' +
      'CAST((id - 5000) * 123456789 AS DECIMAL(18,2)) AS d64, ' +
      'CASE WHEN id % 11 = 0 THEN NULL ELSE CAST((id - 5000) AS DECIMAL(38,10)) * 1000000000000000 END AS d128 ' +
      'FROM RANGE(10000) ORDER BY id';
    const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, sql, { direct: false }));
    await waitUntilDone(client, operationHandle!);
    const metadata = await client.call(
      'GetResultSetMetadata',
      new TGetResultSetMetadataReq({ operationHandle: operationHandle! }),
    );
    const fetched = await client.call(
      'FetchResults',
      new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(20_000) }),
    );
    const decoder = new RowSetDecoder(metadata);
    const rows = decoder.decode(fetched.results!).flatMap((batch) => batchToRows(batch, decoder.columns));
    const decimal = (unscaled: bigint, scale: number): string => {
      const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
      return `${unscaled < 0n ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    };
    const expected = Array.from({ length: 10_000 }, (_, id) => ({
      s: id % 7 === 0 ? null : 'é'.repeat(id % 20),
      b: id % 5 === 0 ? null : id % 3 === 0,
      d16: decimal(BigInt(Math.round(((id - 5000) / 100) * 100)), 2),
      d32: decimal(BigInt(id - 5000) * 1500n, 3),
      d64: decimal(BigInt(id - 5000) * 12345678900n, 2),
      d128: id % 11 === 0 ? null : decimal(BigInt(id - 5000) * 10n ** 25n, 10),
    }));
    assert.deepEqual(rows, expected);
  });

  it('describes complex columns with one primitiveEntry in Arrow and column replies alike (as Databricks and Spark)', async () => {
    const session = await client.openSession();
    const sql =
      "SELECT array(1, 2) AS arr, map('k', CAST(1 AS BIGINT)) AS m, named_struct('a b', 1, 'c', 'x') AS st, CAST(NULL AS ARRAY<INT>) AS nul_arr, CAST(1.5 AS DECIMAL(5,2)) AS dec";
    const names = {
      arr: 'ARRAY<INT>',
      m: 'MAP<STRING,BIGINT>',
      st: 'STRUCT<`a b`:INT,c:STRING>',
      nul_arr: 'ARRAY<INT>',
      dec: 'DECIMAL(5,2)',
    };
    const expected: Row = { arr: [1, 2], m: new Map([['k', 1n]]), st: { 'a b': 1, c: 'x' }, nul_arr: null, dec: '1.50' };
    // Without an Arrow schema only the families are known; the values are read from JSON text.
    const columnNames = { arr: 'ARRAY', m: 'MAP', st: 'STRUCT', nul_arr: 'ARRAY', dec: 'DECIMAL(5,2)' };
    const columnExpected: Row = { arr: [1, 2], m: new Map([['k', 1]]), st: { 'a b': 1, c: 'x' }, nul_arr: null, dec: '1.50' };
    for (const arrow of [true, false]) {
      const { operationHandle } = await client.call('ExecuteStatement', executeRequest(session, sql, { arrow, direct: false }));
      await waitUntilDone(client, operationHandle!);
      const metadata = await client.call(
        'GetResultSetMetadata',
        new TGetResultSetMetadataReq({ operationHandle: operationHandle! }),
      );
      const descs = metadata.schema!.columns.map((c) => c.typeDesc.types);
      assert.deepEqual(
        descs.map((types) => [
          types.length,
          types[0]!.primitiveEntry?.type,
          types[0]!.arrayEntry ?? types[0]!.mapEntry ?? types[0]!.structEntry ?? null,
        ]),
        [
          [1, TTypeId.ARRAY_TYPE, null],
          [1, TTypeId.MAP_TYPE, null],
          [1, TTypeId.STRUCT_TYPE, null],
          [1, TTypeId.ARRAY_TYPE, null],
          [1, TTypeId.DECIMAL_TYPE, null],
        ],
        `arrow ${arrow}`,
      );
      const scale = descs[4]![0]!.primitiveEntry?.typeQualifiers?.qualifiers['scale']?.i32Value;
      assert.equal(scale, 2, 'DECIMAL keeps its qualifiers in both forms');
      if (arrow) {
        const fields = tableFromIPC(metadata.arrowSchema).schema.fields;
        assert.deepEqual(Object.fromEntries(fields.map((f) => [f.name, f.metadata.get('Spark:DataType:SqlName')])), names);
      } else {
        assert.equal(metadata.arrowSchema ?? undefined, undefined);
      }
      const fetched = await client.call(
        'FetchResults',
        new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(10) }),
      );
      const decoder = new RowSetDecoder(metadata);
      assert.deepEqual(
        Object.fromEntries(decoder.columns.map((c) => [c.name, c.typeName])),
        arrow ? names : columnNames,
        `arrow ${arrow}`,
      );
      const rows = decoder.decode(fetched.results!).flatMap((batch) => batchToRows(batch, decoder.columns));
      assert.deepEqual(rows, [arrow ? expected : columnExpected], `arrow ${arrow}`);
    }
  });

  it('sends nested values (dates, timestamps, decimals, binary, bigints inside complex types) alike in both Arrow forms, as JSON text in column sets', async () => {
    const session = await client.openSession();
    const sql =
      "SELECT array(DATE '2024-01-01', NULL) AS dates, named_struct('t', TIMESTAMP '2024-01-01 10:00:00.5', 'd', CAST(1.5 AS DECIMAL(5,2)), 'b', X'78') AS nested, " +
      "map(1, array(true, false)) AS m, array(array(1, 2), array(3)) AS nn, array(named_struct('a', CAST(9007199254740993 AS BIGINT))) AS sa, named_struct('f', CAST(1.25 AS FLOAT), 'g', 'q\"uote') AS st2";
    const expected: Row = {
      dates: ['2024-01-01', null],
      nested: { t: new Date(Date.UTC(2024, 0, 1, 10, 0, 0, 500)), d: '1.50', b: Buffer.from('x') },
      m: new Map([[1, [true, false]]]),
      nn: [[1, 2], [3]],
      sa: [{ a: 9007199254740993n }],
      st2: { f: 1.25, g: 'q"uote' },
    };
    // Column sets: Spark's JSON text (binary as base64), read back by JSON types.
    const columnTexts: Record<string, string> = {
      dates: '["2024-01-01",null]',
      nested: '{"t":"2024-01-01 10:00:00.5","d":1.50,"b":"eA=="}',
      m: '{"1":[true,false]}',
      nn: '[[1,2],[3]]',
      sa: '[{"a":9007199254740993}]',
      st2: '{"f":1.25,"g":"q\\"uote"}',
    };
    const columnExpected: Row = {
      dates: ['2024-01-01', null],
      nested: { t: '2024-01-01 10:00:00.5', d: 1.5, b: 'eA==' },
      m: new Map([['1', [true, false]]]),
      nn: [[1, 2], [3]],
      sa: [{ a: 9007199254740993n }],
      st2: { f: 1.25, g: 'q"uote' },
    };
    const forms: [boolean, TSparkArrowTypes | undefined][] = [
      [true, undefined],
      [true, new TSparkArrowTypes({ timestampAsArrow: false, decimalAsArrow: false, complexTypesAsArrow: false })],
      [false, undefined],
    ];
    for (const [arrow, arrowTypes] of forms) {
      const req = executeRequest(session, sql, { arrow, direct: false });
      if (arrowTypes) req.useArrowNativeTypes = arrowTypes;
      const { operationHandle } = await client.call('ExecuteStatement', req);
      await waitUntilDone(client, operationHandle!);
      const metadata = await client.call(
        'GetResultSetMetadata',
        new TGetResultSetMetadataReq({ operationHandle: operationHandle! }),
      );
      const fetched = await client.call(
        'FetchResults',
        new TFetchResultsReq({ operationHandle: operationHandle!, orientation: 0, maxRows: new Int64(10) }),
      );
      const decoder = new RowSetDecoder(metadata);
      const batches = decoder.decode(fetched.results!);
      const rows = batches.flatMap((batch) => batchToRows(batch, decoder.columns));
      const form = `arrow ${arrow}, native types ${arrowTypes ? 'off' : 'on'}`;
      assert.deepEqual(rows, [arrow ? expected : columnExpected], form);
      if (!arrow) {
        const table = new Table(decoder.arrowSchema, batches);
        const texts = Object.fromEntries(
          table.schema.fields.map((f) => [
            f.name,
            typeOf(f).typeId === Type.Utf8 ? table.getChild(f.name)!.get(0) : arrowTypeName(typeOf(f)),
          ]),
        );
        assert.deepEqual(texts, columnTexts, form);
      }
    }
  });
});
