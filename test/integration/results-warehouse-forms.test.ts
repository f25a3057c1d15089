/**
 * The local warehouse's three encodings of one result (column-based; Arrow with types as
 * text, LZ4; Arrow with native types) decode to identical rows: the wire contract between
 * src/warehouse and src/results, over real HTTP with the real Thrift client and DuckDB.
 * Except, by design, complex columns of the column-based set: as from Spark's Thrift server,
 * only their family and JSON text travel, so they decode by JSON types (src/results/json-values.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Int64 from 'node-int64';
import thrift from 'thrift';
import { Table } from 'apache-arrow';
import { RowSetDecoder, batchToRows, type Row } from '../../src/results/index.js';
import {
  TCLIServiceClient,
  TExecuteStatementReq,
  TFetchResultsReq,
  TGetResultSetMetadataReq,
  TOpenSessionReq,
  TProtocolVersion,
  TSparkArrowTypes,
  TSparkRowSetType,
  type TSessionHandle,
} from '../../src/thrift/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';

const SQL = `
  SELECT true AS b, CAST(-5 AS TINYINT) AS ti, CAST(7 AS SMALLINT) AS si, 42 AS i,
    CAST(9007199254740993 AS BIGINT) AS bi, CAST(1.5 AS FLOAT) AS f, CAST('NaN' AS DOUBLE) AS d,
    CAST(-12.3 AS DECIMAL(10,2)) AS dec,
    CAST('-99999999999999999999999999.999999999999' AS DECIMAL(38,12)) AS dec38,
    'héllo' AS s, X'00FF' AS bin, DATE '1969-07-20' AS dt,
    TIMESTAMP '1969-12-31 23:59:59.999999' AS ts, array(1, NULL, 3) AS arr,
    map('a', CAST(1 AS BIGINT), 'b', NULL) AS m, map(1, 'x', 2, NULL) AS mi, named_struct('a', 1, 'b', 'x') AS st,
    array(named_struct('d', CAST(-1.50 AS DECIMAL(5,2)), 't', TIMESTAMP '1900-01-01 00:00:00.000001',
      'bs', array(X'01FE'), 'f', CAST('Infinity' AS DOUBLE))) AS deep
  UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL`;

const EXPECTED_FIRST_ROW: Row = {
  b: true,
  ti: -5,
  si: 7,
  i: 42,
  bi: 9007199254740993n,
  f: 1.5,
  d: NaN,
  dec: '-12.30',
  dec38: '-99999999999999999999999999.999999999999',
  s: 'héllo',
  bin: Buffer.from([0, 255]),
  dt: '1969-07-20',
  ts: new Date('1969-12-31T23:59:59.999Z'),
  arr: [1, null, 3],
  m: new Map<string, bigint | null>([
    ['a', 1n],
    ['b', null],
  ]),
  mi: new Map([
    [1, 'x'],
    [2, null],
  ]),
  st: { a: 1, b: 'x' },
  deep: [{ d: '-1.50', t: new Date('1900-01-01T00:00:00.000Z'), bs: [Buffer.from([1, 254])], f: Infinity }],
};

/** The complex columns of the first row from the column-based set: JSON text read by JSON types. */
const COLUMN_COMPLEX_FIRST_ROW: Row = {
  arr: [1, null, 3],
  m: new Map<string, number | null>([
    ['a', 1],
    ['b', null],
  ]),
  mi: new Map([
    ['1', 'x'],
    ['2', null],
  ]),
  st: { a: 1, b: 'x' },
  deep: [{ d: -1.5, t: '1900-01-01 00:00:00.000001', bs: ['Af4='], f: 'Infinity' }],
};

/** That JSON text, both rows, as the decoded Arrow table keeps it (Utf8). */
const COLUMN_COMPLEX_TEXT: Record<string, Array<string | null>> = {
  arr: ['[1,null,3]', null],
  m: ['{"a":1,"b":null}', null],
  mi: ['{"1":"x","2":null}', null],
  st: ['{"a":1,"b":"x"}', null],
  deep: ['[{"d":-1.50,"t":"1900-01-01 00:00:00.000001","bs":["Af4="],"f":"Infinity"}]', null],
};

const FORMS: Record<string, Partial<TExecuteStatementReq>> = {
  'column-based': {},
  'Arrow, types as text, LZ4': {
    canReadArrowResult: true,
    canDecompressLZ4Result: true,
    useArrowNativeTypes: new TSparkArrowTypes({ timestampAsArrow: false, decimalAsArrow: false, complexTypesAsArrow: false }),
  },
  'Arrow, native types': {
    canReadArrowResult: true,
    useArrowNativeTypes: new TSparkArrowTypes({ timestampAsArrow: true, decimalAsArrow: true, complexTypesAsArrow: true }),
  },
};

describe('results of the local warehouse in every wire form', () => {
  let warehouse: LocalWarehouse;
  let client: TCLIServiceClient;
  let session: TSessionHandle;

  before(async () => {
    warehouse = await startLocalWarehouse();
    const url = new URL(warehouse.url);
    const connection = thrift.createHttpConnection(url.hostname, Number(url.port), {
      path: url.pathname,
      transport: thrift.TBufferedTransport,
      protocol: thrift.TBinaryProtocol,
      headers: { Authorization: `Bearer ${warehouse.accessToken}`, 'User-Agent': 'temporal-dbsql-results-test/0' },
    });
    client = thrift.createHttpClient(TCLIServiceClient, connection);
    const opened = await client.OpenSession(
      new TOpenSessionReq({ client_protocol: TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8 }),
    );
    session = opened.sessionHandle!;
  });

  after(async () => {
    await warehouse?.close();
  });

  async function fetchRows(
    form: Partial<TExecuteStatementReq>,
  ): Promise<{ format: number | undefined; rows: Row[]; table: Table }> {
    const request = new TExecuteStatementReq({ sessionHandle: session, statement: SQL, runAsync: false, ...form });
    const { operationHandle } = await client.ExecuteStatement(request);
    assert.ok(operationHandle, 'ExecuteStatement gives an operation handle');
    const metadata = await client.GetResultSetMetadata(new TGetResultSetMetadataReq({ operationHandle }));
    const decoder = new RowSetDecoder(metadata);
    const fetched = await client.FetchResults(new TFetchResultsReq({ operationHandle, orientation: 0, maxRows: new Int64(100) }));
    assert.ok(fetched.results, 'FetchResults gives a row set');
    const batches = decoder.decode(fetched.results);
    return {
      format: metadata.resultFormat,
      rows: batches.flatMap((b) => batchToRows(b, decoder.columns)),
      table: new Table(decoder.arrowSchema, batches),
    };
  }

  it('decodes each form to the same, documented rows (complex columns of the column-based set by JSON types)', async () => {
    const byForm = new Map<string, Row[]>();
    for (const [name, form] of Object.entries(FORMS)) {
      const { format, rows, table } = await fetchRows(form);
      const expectedFormat = form.canReadArrowResult ? TSparkRowSetType.ARROW_BASED_SET : TSparkRowSetType.COLUMN_BASED_SET;
      assert.equal(format, expectedFormat, name);
      byForm.set(name, rows);
      if (!form.canReadArrowResult) {
        for (const [column, texts] of Object.entries(COLUMN_COMPLEX_TEXT)) {
          assert.equal(String(table.schema.fields.find((f) => f.name === column)!.type), 'Utf8', column);
          assert.deepEqual(table.getChild(column)!.toArray(), texts, column);
        }
      }
    }
    for (const [name, rows] of byForm) {
      assert.equal(rows.length, 2, name);
      const expected = FORMS[name]!.canReadArrowResult
        ? EXPECTED_FIRST_ROW
        : { ...EXPECTED_FIRST_ROW, ...COLUMN_COMPLEX_FIRST_ROW };
      assert.deepStrictEqual(rows[0], expected, name);
      assert.ok(
        Object.values(rows[1]!).every((v) => v === null),
        name,
      );
    }
  });
});
