/**
 * Peer: our driver against Apache Spark's Thrift server (spark-hive-thriftserver from Maven
 * Central, scripts/peers/spark-thriftserver.sh): the HiveServer2 protocol with none of the
 * Databricks extensions, HTTP transport, HTTP Basic auth. The driver must negotiate down to
 * a HIVE protocol version, read column-based row sets, bind parameters client-side, and still
 * offer the asynchronous API (README, "Asynchronous execution"). Expected values are what the Spark SQL literals denote.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncExecutionStatus, connect, type Connection } from '../../src/index.js';
import { canonicalRows, type Canonical } from './support/canonical.js';
import { provision } from './support/provision.js';
import { startSparkThriftServer, type SparkThriftServer } from './support/spark-server.js';
import { waitFor } from './support/processes.js';

const HIVE_CLI_SERVICE_PROTOCOL_V10 = 9;
const FIRST_SPARK_PROTOCOL = 0xa501;

const ALL_SCALARS = `SELECT
  CAST(1 AS TINYINT) AS t, CAST(-2 AS SMALLINT) AS s, CAST(3 AS INT) AS i,
  CAST(9007199254740993 AS BIGINT) AS b, CAST(1.5 AS FLOAT) AS f, CAST(2.25 AS DOUBLE) AS d,
  CAST('12.30' AS DECIMAL(10,2)) AS dec, CAST('-123456789012345678.000001' AS DECIMAL(38,6)) AS dec_wide,
  'héllo, wörld' AS str, TRUE AS bool, DATE'2024-01-02' AS dt,
  TIMESTAMP'2024-01-02 03:04:05.123' AS ts, CAST('ab' AS BINARY) AS bin, NULL AS n`;

const TYPED_NULLS = `SELECT CAST(NULL AS INT) AS i, CAST(NULL AS BIGINT) AS b, CAST(NULL AS DOUBLE) AS d,
  CAST(NULL AS DECIMAL(10,2)) AS dec, CAST(NULL AS STRING) AS str, CAST(NULL AS BOOLEAN) AS bool,
  CAST(NULL AS DATE) AS dt, CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS BINARY) AS bin,
  CAST(NULL AS ARRAY<INT>) AS arr, CAST(NULL AS MAP<STRING,INT>) AS m`;

const COMPLEX = `SELECT array(1, 2, 3) AS arr, map('a', 1, 'b', 2) AS m, named_struct('x', 1, 'y', 'z') AS st,
  array(array(1), array(2, 3)) AS nested, array('p', CAST(NULL AS STRING)) AS strs_with_null,
  named_struct('inner', named_struct('flag', true)) AS deep`;

const LONG_RUNNING = 'SELECT sum(id * 2) FROM range(1000000000000)';

const provisioned = await provision('spark-thriftserver.sh', ['fetch'], ['java', 'mvn']);

if (!provisioned.ok) {
  test('Spark Thrift server peer', { skip: `provisioning impossible: ${provisioned.skipReason}` }, () => {});
} else {
  describe("our driver against Apache Spark's Thrift server (HiveServer2 protocol, HTTP, Basic auth)", () => {
    let server: SparkThriftServer;
    let conn: Connection;
    const auth = { username: 'peer', password: 'any password: authentication is NONE' };

    function connectToSpark(): Promise<Connection> {
      return connect({ serverHostname: server.serverHostname, httpPath: server.httpPath, auth });
    }

    async function rows(statement: string, params?: Record<string, unknown> | unknown[]) {
      const rs = await conn.execute(statement, params as never);
      return { columns: rs.columns, rows: canonicalRows(await rs.fetchAll(), rs.columns) };
    }

    before(async () => {
      console.log(`# spark jars ready in ${provisioned.elapsedMs} ms`);
      server = await startSparkThriftServer();
      console.log(`# spark thrift server answered after ${server.startupMs} ms`);
      conn = await connectToSpark();
    });

    after(async () => {
      await conn?.close();
      await server?.close();
    });

    test('negotiates down to a HIVE protocol version', () => {
      assert.ok(conn.serverProtocolVersion < FIRST_SPARK_PROTOCOL, `got ${conn.serverProtocolVersion}`);
      assert.equal(conn.serverProtocolVersion, HIVE_CLI_SERVICE_PROTOCOL_V10);
    });

    test('HTTP Basic with any password is accepted (authentication NONE); a bearer token is refused with 401', async () => {
      const other = await connect({
        serverHostname: server.serverHostname,
        httpPath: server.httpPath,
        auth: { username: 'someone', password: 'else' },
      });
      await other.close();
      await assert.rejects(
        connect({ serverHostname: server.serverHostname, httpPath: server.httpPath, accessToken: 'not-a-basic-credential' }),
        { name: 'AuthenticationError' },
      );
    });

    test('every scalar type, read from column-based row sets', async () => {
      const result = await rows(ALL_SCALARS);
      assert.deepEqual(
        result.columns.map((c) => [c.name, c.typeName]),
        [
          ['t', 'TINYINT'],
          ['s', 'SMALLINT'],
          ['i', 'INT'],
          ['b', 'BIGINT'],
          ['f', 'FLOAT'],
          ['d', 'DOUBLE'],
          ['dec', 'DECIMAL(10,2)'],
          ['dec_wide', 'DECIMAL(38,6)'],
          ['str', 'STRING'],
          ['bool', 'BOOLEAN'],
          ['dt', 'DATE'],
          ['ts', 'TIMESTAMP'],
          ['bin', 'BINARY'],
          ['n', result.columns[13]!.typeName],
        ],
      );
      assert.equal(result.columns[13]!.typeId, 'NULL');
      const expected: Canonical[] = [
        { int: '1' },
        { int: '-2' },
        { int: '3' },
        { int: '9007199254740993' },
        1.5,
        2.25,
        { decimal: '12.30' },
        { decimal: '-123456789012345678.000001' },
        'héllo, wörld',
        true,
        { date: '2024-01-02' },
        { timestamp: '2024-01-02T03:04:05.123000Z' },
        { binary: '6162' },
        null,
      ];
      assert.deepEqual(result.rows, [expected]);
    });

    test('the other Spark types: TIMESTAMP_NTZ, CHAR, VARCHAR, intervals (as their text)', async () => {
      const result = await rows(`SELECT TIMESTAMP_NTZ'2024-01-02 03:04:05.5' AS ntz, CAST('x' AS VARCHAR(5)) AS vc,
        CAST('y' AS CHAR(3)) AS ch, INTERVAL '1 02:03:04' DAY TO SECOND AS dt_i, INTERVAL '2-3' YEAR TO MONTH AS ym_i`);
      assert.deepEqual(
        result.columns.map((c) => c.typeId),
        ['TIMESTAMP', 'STRING', 'STRING', 'INTERVAL', 'INTERVAL'],
      );
      assert.deepEqual(result.rows, [
        [
          // Spark's own text for intervals; a CHAR cast outside a table is not padded in Spark 3.5
          { timestamp: '2024-01-02T03:04:05.500000Z' },
          'x',
          'y',
          '1 02:03:04.000000000',
          '2-3',
        ],
      ]);
    });

    test('typed NULLs of every type are null', async () => {
      const result = await rows(TYPED_NULLS);
      assert.deepEqual(result.rows, [result.columns.map(() => null)]);
    });

    test('ARRAY, MAP, STRUCT (Spark sends them as JSON text without element types)', async () => {
      const result = await rows(COMPLEX);
      assert.deepEqual(
        result.columns.map((c) => c.typeId),
        ['ARRAY', 'MAP', 'STRUCT', 'ARRAY', 'ARRAY', 'STRUCT'],
      );
      assert.deepEqual(result.rows, [
        [
          [{ int: '1' }, { int: '2' }, { int: '3' }],
          {
            map: [
              ['a', { int: '1' }],
              ['b', { int: '2' }],
            ],
          },
          { struct: { x: { int: '1' }, y: 'z' } },
          [[{ int: '1' }], [{ int: '2' }, { int: '3' }]],
          ['p', null],
          { struct: { inner: { struct: { flag: true } } } },
        ],
      ]);
    });

    test('named parameters are bound client-side, quotes and backslashes intact', async () => {
      const tricky = "it's a \\'trap\\' -- not a comment\nline 2";
      const result = await rows('SELECT :s AS s, :i AS i, :big AS big, :f AS f, :flag AS flag, :nothing AS nothing', {
        s: tricky,
        i: 42,
        big: 9007199254740993n,
        f: 0.5,
        flag: false,
        nothing: null,
      });
      assert.deepEqual(result.rows, [[tricky, { int: '42' }, { int: '9007199254740993' }, 0.5, false, null]]);
    });

    test('typed parameters: DECIMAL, DATE, TIMESTAMP', async () => {
      const result = await rows('SELECT :d AS d, :day AS day, :at AS at', {
        d: { type: 'DECIMAL(10,2)', value: '1.25' },
        day: { type: 'DATE', value: '2024-02-29' },
        at: new Date('2024-01-02T03:04:05.678Z'),
      });
      assert.deepEqual(
        result.columns.map((c) => c.typeId),
        ['DECIMAL', 'DATE', 'TIMESTAMP'],
      );
      assert.deepEqual(result.rows, [
        [{ decimal: '1.25' }, { date: '2024-02-29' }, { timestamp: '2024-01-02T03:04:05.678000Z' }],
      ]);
    });

    test('positional parameters are bound client-side', async () => {
      const result = await rows('SELECT ? AS a, ? AS b', ["o'clock", 7]);
      assert.deepEqual(result.rows, [["o'clock", { int: '7' }]]);
    });

    test('several fetches: 2500 rows arrive whole and in order', async () => {
      const rs = await conn.execute('SELECT id FROM range(2500)');
      let expected = 0n;
      for await (const row of rs) {
        assert.equal(BigInt(row.id as bigint), expected);
        expected += 1n;
      }
      assert.equal(expected, 2500n);
    });

    test("the seed's async flow: executeAsync, syncStatus until done, getResults", async () => {
      const execution = await conn.executeAsync('SELECT :param AS p, * FROM RANGE(10)', { param: 'foo' });
      assert.equal(execution.returnedAsDirectResult, false, 'Spark has no direct results');
      await waitFor('the query to finish', async () => (await execution.syncStatus()) !== AsyncExecutionStatus.RUNNING, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      assert.equal(execution.status, 'FINISHED');
      const rs = await execution.getResults();
      const got = canonicalRows(await rs.fetchAll(), rs.columns);
      assert.deepEqual(
        got,
        Array.from({ length: 10 }, (_, i) => ['foo', { int: String(i) }]),
      );
      await execution.close();
    });

    test('cancel: a running statement becomes CANCELED and its results are unrecoverable', async () => {
      const execution = await conn.executeAsync(LONG_RUNNING);
      assert.equal(await execution.syncStatus(), AsyncExecutionStatus.RUNNING);
      await execution.cancel();
      await waitFor('the cancel to show', async () => (await execution.syncStatus()) !== AsyncExecutionStatus.RUNNING, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      assert.equal(execution.status, 'CANCELED');
      await assert.rejects(execution.getResults(), { name: 'AsyncExecutionUnrecoverableResultError' });
      await execution.cancel(); // idempotent
    });

    test('getResults again, and from a row offset, on a picked-up query (FETCH_FIRST, rows skipped client-side)', async () => {
      const execution = await conn.executeAsync('SELECT id FROM range(7)');
      await waitFor('the query to finish', async () => (await execution.syncStatus()) !== AsyncExecutionStatus.RUNNING, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const ids = async (rs: Awaited<ReturnType<typeof execution.getResults>>) => (await rs.fetchAll()).map((r) => Number(r.id));
      const first = await execution.getResults();
      assert.deepEqual(await first.fetchMany(3).then((rows) => rows.map((r) => Number(r.id))), [0, 1, 2]);
      assert.deepEqual(await ids(await execution.getResults()), [0, 1, 2, 3, 4, 5, 6]);
      const other = await connectToSpark();
      try {
        const picked = await other.getAsyncExecution(execution.serialize());
        assert.deepEqual(await ids(await picked.getResults({ startRowOffset: 4 })), [4, 5, 6]);
      } finally {
        await other.close();
      }
      await execution.close();
    });

    test('pickup from another connection while the submitting one is open', async () => {
      const execution = await conn.executeAsync("SELECT 'picked up' AS p, id FROM range(5)");
      const other = await connectToSpark();
      try {
        const picked = await other.getAsyncExecution(execution.serialize());
        assert.equal(picked.queryId, execution.queryId);
        const rs = await picked.getResults();
        const got = canonicalRows(await rs.fetchAll(), rs.columns);
        assert.deepEqual(
          got,
          Array.from({ length: 5 }, (_, i) => ['picked up', { int: String(i) }]),
        );
      } finally {
        await other.close();
      }
    });

    test('pickup after the submitting connection closed: Spark closed the query with its session', async () => {
      const first = await connectToSpark();
      const execution = await first.executeAsync('SELECT id FROM range(3)');
      const serialized = execution.serialize();
      await first.close();
      const other = await connectToSpark();
      try {
        await assert.rejects(other.getAsyncExecution(serialized), { name: 'QueryNotFoundError' });
      } finally {
        await other.close();
      }
    });

    test('a failing statement is a ServerOperationError with its SQLSTATE', async () => {
      await assert.rejects(conn.execute('SELECT * FROM table_that_does_not_exist'), (e: Error & { sqlState?: string }) => {
        assert.equal(e.name, 'ServerOperationError');
        assert.match(e.message, /table_that_does_not_exist/i);
        assert.equal(e.sqlState, '42P01');
        return true;
      });
    });
  });
}
