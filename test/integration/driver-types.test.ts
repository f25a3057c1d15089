/**
 * Every SQL type, NULLs, parameters of every JS type, and empty results, through the driver and
 * the local warehouse over real HTTP; Arrow (Spark protocol) and column-based (HIVE protocol)
 * results must give the same rows, except that complex columns of column-based results carry
 * only their family and JSON text (as Spark's Thrift server sends them), read by JSON types.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Connection, ServerOperationError } from '../../src/index.js';
import { TProtocolVersion } from '../../src/thrift/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';

const ALL_TYPES = `SELECT true AS b, CAST(1 AS TINYINT) AS ti, CAST(2 AS SMALLINT) AS si, 3 AS i, CAST(4 AS BIGINT) AS bi,
  CAST(1.5 AS FLOAT) AS f, CAST(2.5 AS DOUBLE) AS d, CAST(12.30 AS DECIMAL(10,2)) AS dec, 'x' AS s, X'00FF' AS bin,
  DATE '2024-02-29' AS dt, TIMESTAMP '2024-02-29 12:34:56.789' AS ts, array(1, 2) AS arr,
  map('a', 1) AS m, named_struct('x', 1, 'y', 'z') AS st`;

const EXPECTED_ROW = {
  b: true,
  ti: 1,
  si: 2,
  i: 3,
  bi: 4n,
  f: 1.5,
  d: 2.5,
  dec: '12.30',
  s: 'x',
  bin: Buffer.from([0, 255]),
  dt: '2024-02-29',
  ts: new Date('2024-02-29T12:34:56.789Z'),
  arr: [1, 2],
  m: new Map([['a', 1]]),
  st: { x: 1, y: 'z' },
};

const COMPLEX_COLUMNS = ['arr', 'm', 'st'];

/** Complex columns of a column-based result: the JSON text, and its values by JSON types. */
const HIVE_COMPLEX = {
  typeNames: ['ARRAY', 'MAP', 'STRUCT'],
  row: { arr: [1, 2], m: new Map([['a', 1]]), st: { x: 1, y: 'z' } },
  texts: { arr: ['[1,2]', null], m: ['{"a":1}', null], st: ['{"x":1,"y":"z"}', null] } as Record<string, Array<string | null>>,
};

const scalarsOf = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).filter(([name]) => !COMPLEX_COLUMNS.includes(name)));

describe('types, NULLs, parameters and empty results', () => {
  let warehouse: LocalWarehouse;
  let spark: Connection;
  let hive: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse();
    spark = await connectTo(warehouse);
    hive = await connectTo(warehouse, { protocolVersion: TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
  });

  after(async () => {
    await Promise.allSettled([spark.close(), hive.close()]);
    await warehouse.close();
  });

  it('decodes every type to its documented JS type', async () => {
    const result = await spark.execute(ALL_TYPES);
    assert.deepEqual(
      result.columns.map((c) => c.typeName),
      [
        'BOOLEAN',
        'TINYINT',
        'SMALLINT',
        'INT',
        'BIGINT',
        'FLOAT',
        'DOUBLE',
        'DECIMAL(10,2)',
        'STRING',
        'BINARY',
        'DATE',
        'TIMESTAMP',
        'ARRAY<INT>',
        'MAP<STRING,INT>',
        'STRUCT<x:INT,y:STRING>',
      ],
    );
    assert.deepEqual(await result.fetchAll(), [EXPECTED_ROW]);
  });

  it('gives the same scalar rows and Arrow columns from column-based (HIVE) results as from Arrow (Spark) results, complex ones as JSON', async () => {
    assert.ok(spark.serverProtocolVersion >= Number(TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8));
    assert.equal(hive.serverProtocolVersion, TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
    const sql = `${ALL_TYPES} UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`;
    const sparkResult = await spark.execute(sql);
    const hiveResult = await hive.execute(sql);
    assert.deepEqual(
      hiveResult.columns.map((c) => c.typeName),
      [...sparkResult.columns.filter((c) => !COMPLEX_COLUMNS.includes(c.name)).map((c) => c.typeName), ...HIVE_COMPLEX.typeNames],
    );
    const fromSpark = await sparkResult.fetchAll();
    const fromHive = await hiveResult.fetchAll();
    assert.deepEqual(fromHive.map(scalarsOf), fromSpark.map(scalarsOf));
    assert.deepEqual(fromSpark[0], EXPECTED_ROW);
    assert.deepEqual(fromHive[0], { ...EXPECTED_ROW, ...HIVE_COMPLEX.row });
    assert.ok(Object.values(fromSpark[1] ?? {}).every((value) => value === null));
    assert.ok(Object.values(fromHive[1] ?? {}).every((value) => value === null));
    const sparkTable = await (await spark.execute(sql)).fetchArrow();
    const hiveTable = await (await hive.execute(sql)).fetchArrow();
    assert.equal(hiveTable.numRows, 2);
    for (const field of sparkTable.schema.fields) {
      const hiveField = hiveTable.schema.fields.find((f) => f.name === field.name);
      if (COMPLEX_COLUMNS.includes(field.name)) {
        assert.equal(String(hiveField?.type), 'Utf8', `column ${field.name}`);
        assert.deepEqual(hiveTable.getChild(field.name)?.toArray(), HIVE_COMPLEX.texts[field.name], `column ${field.name}`);
        continue;
      }
      assert.equal(String(hiveField), String(field), `column ${field.name}`);
      const values = (table: typeof sparkTable): unknown[] => Array.from(table.getChild(field.name) ?? [], plain);
      assert.deepEqual(values(hiveTable), values(sparkTable), `column ${field.name}`);
    }
  });

  it('sends parameters of every JS type as native typed parameters', async () => {
    const when = new Date('2024-05-06T07:08:09.123Z');
    const result = await spark.execute(
      'SELECT :s AS s, :i AS i, :big AS big, :d AS d, :b AS b, :t AS t, :bin AS bin, :n AS n, :dec AS dec, :day AS day',
      {
        s: "it's",
        i: 42,
        big: 2n ** 62n,
        d: 0.25,
        b: false,
        t: when,
        bin: Buffer.from('hi'),
        n: null,
        dec: { type: 'DECIMAL(6,3)', value: '1.5' },
        day: { type: 'DATE', value: '2024-01-31' },
      },
    );
    const columns = Object.fromEntries(result.columns.map((c) => [c.name, c.typeName]));
    assert.equal(columns.i, 'INT');
    assert.equal(columns.big, 'BIGINT');
    assert.equal(columns.dec, 'DECIMAL(6,3)');
    assert.deepEqual(await result.fetchAll(), [
      {
        s: "it's",
        i: 42,
        big: 2n ** 62n,
        d: 0.25,
        b: false,
        t: when,
        bin: Buffer.from('hi'),
        n: null,
        dec: '1.500',
        day: '2024-01-31',
      },
    ]);
  });

  it('binds positional parameters', async () => {
    const rows = await (await spark.execute('SELECT ? AS a, ? AS b', ['x', 7])).fetchAll();
    assert.deepEqual(rows, [{ a: 'x', b: 7 }]);
  });

  it('binds parameters on the client for a HIVE-protocol session', async () => {
    const rows = await (await hive.execute('SELECT :param AS p, :n AS n, * FROM RANGE(2)', { param: 'foo', n: 5 })).fetchAll();
    assert.deepEqual(rows, [
      { p: 'foo', n: 5, id: 0n },
      { p: 'foo', n: 5, id: 1n },
    ]);
  });

  it('names a missing parameter', async () => {
    await assert.rejects(spark.execute('SELECT :missing AS m', { other: 1 }), (error: unknown) => {
      return error instanceof ServerOperationError && /missing/.test(error.message);
    });
  });

  it('returns empty results with their columns', async () => {
    const result = await spark.execute('SELECT * FROM RANGE(0)');
    assert.deepEqual(
      result.columns.map((c) => [c.name, c.typeName]),
      [['id', 'BIGINT']],
    );
    assert.equal(await result.fetchOne(), null);
    assert.deepEqual(await result.fetchMany(10), []);
    const table = await (await spark.execute('SELECT * FROM RANGE(0)')).fetchArrow();
    assert.equal(table.numRows, 0);
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ['id'],
    );
    const rows = [];
    for await (const row of await spark.execute('SELECT * FROM RANGE(0)')) rows.push(row);
    assert.deepEqual(rows, []);
  });

  it('mixes fetchOne, fetchMany, fetchArrow and iteration, each continuing where the last stopped', async () => {
    const result = await spark.execute('SELECT * FROM RANGE(10)');
    assert.deepEqual(await result.fetchOne(), { id: 0n });
    assert.deepEqual(
      (await result.fetchMany(3)).map((r) => r.id),
      [1n, 2n, 3n],
    );
    const seen: bigint[] = [];
    for await (const row of result) {
      seen.push(row.id as bigint);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [4n, 5n]);
    const rest = await result.fetchArrow();
    assert.deepEqual(rest.getChild('id')?.toArray(), BigInt64Array.from([6n, 7n, 8n, 9n]));
    assert.deepEqual(await result.fetchAll(), []);
  });
});

/** Arrow values (vectors, struct rows, maps) as plain JS, for comparing two tables' contents. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, plain);
  if (Array.isArray(value)) return value.map(plain);
  const withJson = value as { toJSON?: () => unknown; [Symbol.iterator]?: () => Iterator<unknown> };
  if (typeof withJson.toJSON === 'function') return plain(withJson.toJSON());
  if (typeof withJson[Symbol.iterator] === 'function') return Array.from(value as Iterable<unknown>, plain);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}
