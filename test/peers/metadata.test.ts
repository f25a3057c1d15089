/**
 * Peers for catalog metadata: the official Python connector's cursor.catalogs(), schemas(),
 * tables(), columns() and @databricks/sql's getCatalogs/getSchemas/getTables/getColumns
 * against the local warehouse, rows compared with what our driver gets for the same call; and
 * our driver's catalog calls against Apache Spark's Thrift server, compared with what the
 * local warehouse answers for the same tables.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DBSQLClient } from '@databricks/sql';
import { connect, type Connection, type ResultSet } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectOfficialNodeClient } from './support/official-node-client.js';
import { canonicalRows, type Canonical } from './support/canonical.js';
import { provision } from './support/provision.js';
import { REPO_ROOT, run } from './support/processes.js';
import { startSparkThriftServer, type SparkThriftServer } from './support/spark-server.js';

type IDBSQLSession = Awaited<ReturnType<DBSQLClient['openSession']>>;

/** Tables both warehouses get, in Databricks SQL that Spark 3.5 also runs. */
const SETUP = [
  'CREATE SCHEMA meta_peer',
  'CREATE TABLE meta_peer.orders (id BIGINT, amount DECIMAL(10,2), placed TIMESTAMP, day DATE, note STRING, ok BOOLEAN, ratio DOUBLE, tags ARRAY<STRING>)',
  'CREATE VIEW meta_peer.big_orders AS SELECT id FROM meta_peer.orders',
];

/** The calls made through each client, by name: [Python cursor method, its kwargs, our call]. */
const CALLS = {
  catalogs: ['catalogs', {}, (c: Connection) => c.getCatalogs()],
  schemas: ['schemas', { schema_name: 'meta%' }, (c: Connection) => c.getSchemas({ schemaName: 'meta%' })],
  all_schemas: ['schemas', {}, (c: Connection) => c.getSchemas()],
  tables: ['tables', { schema_name: 'meta_peer' }, (c: Connection) => c.getTables({ schemaName: 'meta_peer' })],
  views: [
    'tables',
    { schema_name: 'meta_peer', table_types: ['VIEW'] },
    (c: Connection) => c.getTables({ schemaName: 'meta_peer', tableTypes: ['VIEW'] }),
  ],
  escaped: ['tables', { table_name: 'big\\_orders' }, (c: Connection) => c.getTables({ tableName: 'big\\_orders' })],
  columns: [
    'columns',
    { schema_name: 'meta_peer', table_name: 'orders' },
    (c: Connection) => c.getColumns({ schemaName: 'meta_peer', tableName: 'orders' }),
  ],
  one_column: [
    'columns',
    { table_name: 'ord%', column_name: 'AM_UNT' },
    (c: Connection) => c.getColumns({ tableName: 'ord%', columnName: 'AM_UNT' }),
  ],
} as const;

type Outcome = { columns: [string, string][]; rows: Canonical[][]; unexpected?: { error: string; message: string } };

async function canonical(result: Promise<ResultSet>) {
  const rs = await result;
  return { columns: rs.columns, rows: canonicalRows(await rs.fetchAll(), rs.columns) };
}

async function runAll(connection: Connection, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await (await connection.execute(sql)).fetchAll();
}

const venv = await provision('python-venv.sh', [], ['python3']);
const spark = await provision('spark-thriftserver.sh', ['fetch'], ['java', 'mvn']);
// The JVM starts while the other peers run: it is most of this file's time.
const sparkStarting = spark.ok ? startSparkThriftServer() : undefined;
sparkStarting?.catch(() => undefined);

if (!venv.ok) {
  test('Python connector metadata peer', { skip: `provisioning impossible: ${venv.skipReason}` }, () => {});
} else {
  describe('Python connector catalog calls against the local warehouse', () => {
    let warehouse: LocalWarehouse;
    let ours: Connection;
    const outcomes: Record<string, Outcome> = {};

    before(async () => {
      warehouse = await startLocalWarehouse();
      ours = await connect({
        serverHostname: warehouse.serverHostname,
        httpPath: warehouse.httpPath,
        accessToken: warehouse.accessToken,
      });
      await runAll(ours, SETUP);
      const scenarios = Object.entries(CALLS).map(([name, [call, args]]) => ({ name, kind: 'metadata', call, args }));
      // the Python session's own temporary view, listed to it (and to nobody else)
      scenarios.push({ name: 'temp_view', kind: 'metadata', call: 'tables', args: { table_name: 'py_recent' } });
      const plan = {
        uri: warehouse.url,
        token: warehouse.accessToken,
        scenarios: scenarios.map((s) =>
          s.name === 'temp_view' ? { ...s, setup: ['CREATE TEMPORARY VIEW py_recent AS SELECT 1 AS one'] } : s,
        ),
      };
      const peer = await run(venv.value, [join(REPO_ROOT, 'test/peers/python/peer_python.py')], {
        input: JSON.stringify(plan),
        timeoutMs: 60_000,
      });
      assert.equal(peer.code, 0, `peer_python.py failed:\n${peer.stderr}`);
      Object.assign(outcomes, (JSON.parse(peer.stdout) as { results: Record<string, Outcome> }).results);
    });

    after(async () => {
      await ours?.close();
      await warehouse?.close();
    });

    for (const [name, [, , ourCall]] of Object.entries(CALLS)) {
      test(`cursor.${CALLS[name as keyof typeof CALLS][0]}() rows equal ours: ${name}`, async () => {
        const theirs = outcomes[name];
        assert.ok(theirs, `no outcome for ${name}`);
        assert.equal(theirs.unexpected, undefined, JSON.stringify(theirs.unexpected));
        const mine = await canonical(ourCall(ours));
        assert.deepEqual(
          mine.columns.map((c) => [c.name, c.typeId.toLowerCase()]),
          theirs.columns,
        );
        assert.deepEqual(mine.rows, theirs.rows);
        assert.ok(mine.rows.length > 0, 'the call found something');
      });
    }

    test("the Python session's temporary view is listed to it, not to our session", async () => {
      const theirs = outcomes.temp_view!;
      assert.equal(theirs.unexpected, undefined, JSON.stringify(theirs.unexpected));
      assert.deepEqual(
        theirs.rows.map((r) => r.slice(0, 4)),
        [[null, null, 'py_recent', 'VIEW']],
      );
      assert.deepEqual((await canonical(ours.getTables({ tableName: 'py_recent' }))).rows, []);
    });
  });
}

describe('@databricks/sql catalog calls against the local warehouse (TLS)', () => {
  let warehouse: LocalWarehouse;
  let client: DBSQLClient;
  let session: IDBSQLSession;
  let ours: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({ tls: true });
    client = await connectOfficialNodeClient(warehouse);
    session = await client.openSession();
    ours = await connect({
      serverHostname: warehouse.serverHostname,
      httpPath: warehouse.httpPath,
      accessToken: warehouse.accessToken,
      ca: warehouse.caCertificate,
    });
    await runAll(ours, SETUP);
  });

  after(async () => {
    await ours?.close();
    await session?.close();
    await client?.close();
    await warehouse?.close();
  });

  const NODE_CALLS = {
    getCatalogs: [(s: IDBSQLSession) => s.getCatalogs(), (c: Connection) => c.getCatalogs()],
    getSchemas: [
      (s: IDBSQLSession) => s.getSchemas({ schemaName: 'meta%' }),
      (c: Connection) => c.getSchemas({ schemaName: 'meta%' }),
    ],
    getTables: [
      (s: IDBSQLSession) => s.getTables({ schemaName: 'meta_peer', tableTypes: ['TABLE'] }),
      (c: Connection) => c.getTables({ schemaName: 'meta_peer', tableTypes: ['TABLE'] }),
    ],
    getColumns: [
      (s: IDBSQLSession) => s.getColumns({ schemaName: 'meta_peer', tableName: 'orders' }),
      (c: Connection) => c.getColumns({ schemaName: 'meta_peer', tableName: 'orders' }),
    ],
  } as const;

  for (const [name, [theirCall, ourCall]] of Object.entries(NODE_CALLS)) {
    test(`session.${name}() rows equal ours`, async () => {
      const operation = await theirCall(session);
      const theirs = (await operation.fetchAll()) as Record<string, unknown>[];
      await operation.close();
      const rs = await ourCall(ours);
      const mine = (await rs.fetchAll()) as Record<string, unknown>[];
      assert.ok(mine.length > 0, 'the call found something');
      assert.deepEqual(theirs, mine);
    });
  }
});

if (!spark.ok) {
  test('Spark Thrift server metadata peer', { skip: `provisioning impossible: ${spark.skipReason}` }, () => {});
} else if (sparkStarting) {
  describe("our driver's catalog calls against Apache Spark's Thrift server, compared with the local warehouse", () => {
    let server: SparkThriftServer;
    let warehouse: LocalWarehouse;
    let atSpark: Connection;
    let local: Connection;

    before(async () => {
      const started = Date.now();
      [server, warehouse] = await Promise.all([sparkStarting, startLocalWarehouse()]);
      console.log(`# spark server ready ${Date.now() - started} ms after this suite began (started ${server.startupMs} ms)`);
      atSpark = await connect({
        serverHostname: server.serverHostname,
        httpPath: server.httpPath,
        auth: { username: 'peer', password: 'authentication is NONE' },
      });
      local = await connect({
        serverHostname: warehouse.serverHostname,
        httpPath: warehouse.httpPath,
        accessToken: warehouse.accessToken,
      });
      const setup = Date.now();
      await Promise.all([runAll(atSpark, SETUP), runAll(local, SETUP)]);
      console.log(`# tables made in ${Date.now() - setup} ms`);
    });

    after(async () => {
      await atSpark?.close();
      await local?.close();
      await warehouse?.close();
      await server?.close();
    });

    /** The named columns of every row of a call, from both servers. */
    async function both(call: (c: Connection) => Promise<ResultSet>, names: readonly string[]) {
      const pick = async (c: Connection) => {
        const rs = await call(c);
        const rows = (await rs.fetchAll()) as Record<string, unknown>[];
        return { columns: rs.columns.map((col) => [col.name, col.typeName]), rows: rows.map((r) => names.map((n) => r[n])) };
      };
      return { spark: await pick(atSpark), ours: await pick(local) };
    }

    test('GetTypeInfo: the same rows, column for column', async () => {
      const { spark, ours } = await both((c) => c.getTypeInfo(), TYPE_INFO_NAMES);
      assert.deepEqual(ours.columns, spark.columns);
      assert.deepEqual(ours.rows, spark.rows);
    });

    test('GetColumns: the same result columns and, per column, the same type facts', async () => {
      const facts = ['TABLE_SCHEM', 'TABLE_NAME', 'COLUMN_NAME', 'DATA_TYPE', 'TYPE_NAME', 'COLUMN_SIZE', 'DECIMAL_DIGITS'];
      const more = ['NUM_PREC_RADIX', 'NULLABLE', 'ORDINAL_POSITION', 'IS_NULLABLE', 'IS_AUTO_INCREMENT'];
      const { spark, ours } = await both(
        (c) => c.getColumns({ schemaName: 'meta_peer', tableName: 'orders' }),
        [...facts, ...more],
      );
      assert.deepEqual(ours.columns, spark.columns);
      assert.equal(spark.rows.length, 8);
      assert.deepEqual(ours.rows, spark.rows);
    });

    test('GetTables and GetSchemas: the same result columns and the same tables and views', async () => {
      const tables = await both((c) => c.getTables({ schemaName: 'meta_peer' }), ['TABLE_SCHEM', 'TABLE_NAME', 'TABLE_TYPE']);
      assert.deepEqual(tables.ours.columns, tables.spark.columns);
      const sorted = (rows: unknown[][]) => rows.map((r) => r.join('.')).sort();
      assert.deepEqual(sorted(tables.ours.rows), sorted(tables.spark.rows));
      const schemas = await both((c) => c.getSchemas({ schemaName: 'meta%' }), ['TABLE_SCHEM']);
      assert.deepEqual(schemas.ours.columns, schemas.spark.columns);
      assert.deepEqual(schemas.ours.rows, schemas.spark.rows);
    });

    test('GetCatalogs, GetTableTypes, GetFunctions: the same result columns', async () => {
      for (const call of [
        (c: Connection) => c.getCatalogs(),
        (c: Connection) => c.getTableTypes(),
        (c: Connection) => c.getFunctions({ functionName: 'upper' }),
      ]) {
        const { spark, ours } = await both(call, []);
        assert.deepEqual(ours.columns, spark.columns);
      }
      // Spark lists a built-in function once per schema, we once (without a schema)
      const fn = await both((c) => c.getFunctions({ functionName: 'upper' }), ['FUNCTION_NAME']);
      const distinct = (rows: unknown[][]) => [...new Set(rows.map((r) => String(r[0])))];
      assert.deepEqual(distinct(fn.ours.rows), distinct(fn.spark.rows));
    });
  });
}

const TYPE_INFO_NAMES: readonly string[] = [
  'TYPE_NAME',
  'DATA_TYPE',
  'PRECISION',
  'LITERAL_PREFIX',
  'LITERAL_SUFFIX',
  'CREATE_PARAMS',
  'NULLABLE',
  'CASE_SENSITIVE',
  'SEARCHABLE',
  'UNSIGNED_ATTRIBUTE',
  'FIXED_PREC_SCALE',
  'AUTO_INCREMENT',
  'LOCAL_TYPE_NAME',
  'MINIMUM_SCALE',
  'MAXIMUM_SCALE',
  'SQL_DATA_TYPE',
  'SQL_DATETIME_SUB',
  'NUM_PREC_RADIX',
];
