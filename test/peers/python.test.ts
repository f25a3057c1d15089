/**
 * Peer: the official Python connector (databricks-sql-connector, pinned in
 * scripts/peers/python-venv.sh) against our local warehouse over plain HTTP. It is the client
 * the asynchronous API was modelled on, so where it and we disagree it is the reference.
 *
 * One Python process runs every scenario (test/peers/python/peer_python.py) and prints
 * canonical rows; each test compares one scenario with what our driver gets for the same
 * statement from the same warehouse. Beyond rows: the protocol features the connector drives
 * itself (list and dict parameters as ARRAY and MAP, cursor.rowcount after DML, an empty
 * result for DDL, cursor(row_limit=...)), transactions, staging, and the error text it shows
 * when the warehouse refuses a request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { canonicalRows, type Canonical } from './support/canonical.js';
import { plainArrowValue, pyarrowTypeName } from './support/arrow-names.js';
import { typeOf } from '../../src/spark-types/arrow-typing.js';
import { provision } from './support/provision.js';
import { REPO_ROOT, run } from './support/processes.js';
import * as sql from './support/warehouse-statements.js';

/** The staging scenario's local files: the only directory the connector may read or write. */
const STAGING_DIR = await mkdtemp(join(tmpdir(), 'peer-staging-'));

type Outcome = Record<string, unknown> & { unexpected?: { error: string; message: string } };

/** One statement's outcome in a `statements` scenario. */
interface StatementOutcome {
  rowcount: number;
  columns: [string, string][];
  rows: Canonical[][];
}

const COMPLEX_PARAMS_SQL = 'SELECT :ids AS ids, :words AS words, :prices AS prices, :nested AS nested';
const COMPLEX_PARAMS = {
  ids: [3, 1, 2],
  words: ['a', null, "o'clock"],
  prices: { apple: 1.5, pear: 2.25 },
  nested: [[1, 2], [3]],
};
const DML = [
  'CREATE TABLE peer_dml (id BIGINT, state STRING)',
  "INSERT INTO peer_dml SELECT id, 'new' FROM range(5)",
  "UPDATE peer_dml SET state = 'paid' WHERE id >= 3",
  'DELETE FROM peer_dml WHERE id = 0',
  "MERGE INTO peer_dml t USING (SELECT 1 AS id UNION ALL SELECT 9) s ON t.id = s.id WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, state) VALUES (s.id, 'merged')",
  'SELECT count(*) AS n FROM peer_dml',
];

const SCENARIOS = [
  { name: 'scalars', kind: 'fetchall', sql: sql.ALL_SCALARS },
  { name: 'nulls', kind: 'fetchall', sql: sql.TYPED_NULLS },
  { name: 'complex', kind: 'fetchall', sql: sql.COMPLEX },
  { name: 'seed', kind: 'fetchall', sql: sql.SEED_RANGE, params: { param: 'foo' } },
  { name: 'named', kind: 'fetchall', sql: sql.NAMED_PARAMS, params: sql.NAMED_PARAM_VALUES },
  { name: 'positional', kind: 'fetchall', sql: 'SELECT ? AS a, ? AS b, ? AS c', params: ["o'clock", 7, false] },
  { name: 'fetchmany', kind: 'fetchmany', sql: sql.TWENTY_FIVE, size: 10 },
  { name: 'arrow_scalars', kind: 'arrow', sql: sql.ALL_SCALARS },
  { name: 'arrow_complex', kind: 'arrow', sql: sql.COMPLEX },
  { name: 'async', kind: 'async', sql: sql.SEED_RANGE, params: { param: 'foo' } },
  { name: 'cancel', kind: 'cancel', sql: sql.LONG_RUNNING },
  { name: 'error', kind: 'error', sql: sql.MISSING_TABLE },
  { name: 'async_error', kind: 'async_error', sql: sql.MISSING_TABLE },
  { name: 'submit', kind: 'submit', sql: sql.SEED_RANGE, params: { param: 'picked up' } },
  { name: 'plain_scalars', kind: 'fetchall', sql: sql.ALL_SCALARS, connection: 'plain' },
  { name: 'plain_complex', kind: 'fetchall', sql: sql.COMPLEX, connection: 'plain' },
  {
    name: 'transactions',
    kind: 'transactions',
    sql: 'SELECT id FROM peer_transactions ORDER BY id',
    table: 'peer_transactions',
    connection: 'transactions',
  },
  {
    name: 'staging',
    kind: 'staging',
    sql: 'staging',
    connection: 'staging',
    dir: STAGING_DIR,
    content: 'id,amount\n1,9.50\n',
    volume_file: '/Volumes/main/default/landing/peer.csv',
  },
  { name: 'list_dict_params', kind: 'statements', sql: 'statements', statements: [COMPLEX_PARAMS_SQL], params: COMPLEX_PARAMS },
  { name: 'dml', kind: 'statements', sql: 'statements', statements: DML },
  { name: 'row_limit', kind: 'statements', sql: 'statements', statements: ['SELECT id FROM range(2000)'], row_limit: 1000 },
];

/** Run by a second Python process, as if pyarrow were not installed: column-based results. */
const COLUMN_BASED_SCENARIOS = [
  { name: 'col_scalars', kind: 'fetchall', sql: sql.ALL_SCALARS },
  { name: 'col_nulls', kind: 'fetchall', sql: sql.TYPED_NULLS },
  { name: 'col_complex', kind: 'fetchall', sql: sql.COMPLEX },
  { name: 'col_seed', kind: 'fetchall', sql: sql.SEED_RANGE, params: { param: 'foo' } },
  // Column-based results carry the staging row's MAP of headers as JSON text, which the
  // connector parses (the Arrow run gets it as a map).
  {
    name: 'col_staging',
    kind: 'staging',
    sql: 'staging',
    connection: 'staging',
    dir: STAGING_DIR,
    content: 'id\n2\n',
    volume_file: '/Volumes/main/default/landing/peer-text.csv',
  },
];

/** The exact JSON text Spark's Thrift server writes for the values of sql.COMPLEX. */
const COMPLEX_AS_SPARK_TEXT = [
  '[1,2,3]',
  '{"a":1,"b":2}',
  '{"x":1,"y":"z"}',
  '[[1],[2,3]]',
  '[{"k":1.50,"when":"2020-02-29"}]',
  '{"1":[10,20]}',
  '[null,5]',
];

/** A second connection: Arrow without LZ4 and without native DECIMAL, TIMESTAMP, complex types. */
const CONNECTIONS = {
  plain: {
    enable_query_result_lz4_compression: false,
    _use_arrow_native_decimals: false,
    _use_arrow_native_timestamps: false,
    _use_arrow_native_complex_types: false,
  },
  // 4.9.0 ignores commit()/rollback()/autocommit unless told not to; autocommit read back by SET AUTOCOMMIT.
  transactions: { ignore_transactions: false, fetch_autocommit_from_server: true },
  staging: { staging_allowed_local_path: STAGING_DIR },
};

const venv = await provision('python-venv.sh', [], ['python3']);

if (!venv.ok) {
  test('Python connector peer', { skip: `provisioning impossible: ${venv.skipReason}` }, () => {});
} else {
  describe('official Python connector against the local warehouse', () => {
    let warehouse: LocalWarehouse;
    let ours: Connection;
    let connector = '';
    const outcomes: Record<string, Outcome> = {};

    before(async () => {
      console.log(`# python venv ready in ${venv.elapsedMs} ms: ${venv.value}`);
      warehouse = await startLocalWarehouse();
      // A connection with a wrong token: the warehouse answers 401.
      const refused = { name: 'refused', kind: 'refused', uri: warehouse.url, token: 'not-the-token' };
      const plan = {
        uri: warehouse.url,
        token: warehouse.accessToken,
        connections: CONNECTIONS,
        scenarios: [...SCENARIOS, refused],
      };
      const peer = await run(venv.value, [join(REPO_ROOT, 'test/peers/python/peer_python.py')], {
        input: JSON.stringify(plan),
        timeoutMs: 180_000,
      });
      assert.equal(peer.code, 0, `peer_python.py failed:\n${peer.stderr}`);
      console.log(`# python peer ran ${plan.scenarios.length} scenarios in ${peer.elapsedMs} ms`);
      const parsed = JSON.parse(peer.stdout) as { connector: string; results: Record<string, Outcome> };
      connector = parsed.connector;
      Object.assign(outcomes, parsed.results);
      const withoutArrow = await run(venv.value, [join(REPO_ROOT, 'test/peers/python/peer_python.py')], {
        input: JSON.stringify({ ...plan, scenarios: COLUMN_BASED_SCENARIOS }),
        env: { ...process.env, PEER_WITHOUT_PYARROW: '1' },
        timeoutMs: 180_000,
      });
      assert.equal(withoutArrow.code, 0, `peer_python.py without pyarrow failed:\n${withoutArrow.stderr}`);
      Object.assign(outcomes, (JSON.parse(withoutArrow.stdout) as { results: Record<string, Outcome> }).results);
      ours = await connect({
        serverHostname: warehouse.serverHostname,
        httpPath: warehouse.httpPath,
        accessToken: warehouse.accessToken,
      });
    });

    after(async () => {
      await ours?.close();
      await warehouse?.close();
      await rm(STAGING_DIR, { recursive: true, force: true });
    });

    function outcome(name: string): Outcome {
      const o = outcomes[name];
      assert.ok(o, `no outcome for scenario ${name}`);
      assert.equal(o.unexpected, undefined, `Python connector ${connector} failed in ${name}: ${JSON.stringify(o.unexpected)}`);
      return o;
    }

    function statements(name: string): StatementOutcome[] {
      return (outcome(name) as { statements: StatementOutcome[] }).statements;
    }

    async function ourRows(statement: string, params?: Record<string, unknown> | unknown[]) {
      const rs = await ours.execute(statement, params as never);
      const rows = await rs.fetchAll();
      return { columns: rs.columns, rows: canonicalRows(rows, rs.columns) };
    }

    for (const name of ['scalars', 'nulls', 'complex', 'seed', 'named', 'positional']) {
      test(`fetchall rows equal ours: ${name}`, async () => {
        const scenario = SCENARIOS.find((s) => s.name === name)!;
        const theirs = outcome(name) as { columns: [string, string][]; rows: Canonical[][] };
        const mine = await ourRows(scenario.sql, scenario.params);
        assert.deepEqual(
          mine.columns.map((c) => c.name),
          theirs.columns.map(([n]) => n),
        );
        if (name === 'complex') {
          // the connector's fetchall goes through pandas, which turns [NULL, 5] into [NaN, 5.0];
          // that column is compared through fetchall_arrow instead (docs/compatibility.md)
          const at = mine.columns.findIndex((c) => c.name === 'arr_with_null');
          assert.deepEqual(theirs.rows[0]![at], [{ nan: true }, 5]);
          for (const rows of [mine.rows, theirs.rows]) for (const row of rows) row.splice(at, 1);
        }
        // the connector's type_code is the Thrift type name, lower-cased, without _TYPE; it
        // binds a Python float as FLOAT where we bind a JS number as DOUBLE (compatibility.md)
        const floatParam = (i: number) => name === 'named' && mine.columns[i]!.name === 'f';
        assert.deepEqual(
          mine.columns.map((c, i) => (floatParam(i) ? 'float|double' : c.typeId.toLowerCase())),
          theirs.columns.map(([, code], i) => (floatParam(i) ? 'float|double' : code.toLowerCase())),
        );
        assert.deepEqual(mine.rows, theirs.rows);
      });
    }

    test('fetchmany pages like ours and holds the same rows', async () => {
      const theirs = outcome('fetchmany') as { batches: Canonical[][][] };
      assert.deepEqual(
        theirs.batches.map((b) => b.length),
        [10, 10, 5],
      );
      const rs = await ours.execute(sql.TWENTY_FIVE);
      const mine: Canonical[][][] = [];
      for (;;) {
        const batch = await rs.fetchMany(10);
        if (batch.length === 0) break;
        mine.push(canonicalRows(batch, rs.columns));
      }
      assert.deepEqual(mine, theirs.batches);
    });

    for (const [name, statement] of [
      ['arrow_scalars', sql.ALL_SCALARS],
      ['arrow_complex', sql.COMPLEX],
    ] as const) {
      test(`fetchall_arrow: same Arrow schema and values as our fetchArrow: ${name}`, async () => {
        const theirs = outcome(name) as { fields: [string, string][]; rows: Canonical[][] };
        const rs = await ours.execute(statement);
        const table = await rs.fetchArrow();
        const mineFields = table.schema.fields.map((f) => [f.name, pyarrowTypeName(typeOf(f))]);
        assert.deepEqual(mineFields, theirs.fields);
        const rows = table
          .toArray()
          .map((r) =>
            Object.fromEntries(
              table.schema.fields.map((f) => [f.name, plainArrowValue((r as Record<string, unknown>)[f.name], typeOf(f))]),
            ),
          );
        assert.deepEqual(canonicalRows(rows, rs.columns), theirs.rows);
      });
    }

    test('Arrow without LZ4 and native types: DECIMAL read back exactly, TIMESTAMP and complex types as Spark-style text', () => {
      const native = outcome('scalars') as { rows: Canonical[][] };
      const plain = outcome('plain_scalars') as { columns: [string, string][]; rows: Canonical[][] };
      const ts = plain.columns.findIndex(([n]) => n === 'ts');
      // the connector converts DECIMAL strings itself and leaves TIMESTAMP strings as they come
      assert.equal(plain.rows[0]![ts], '2024-01-02 03:04:05.123');
      assert.deepEqual(
        plain.rows[0]!.filter((_, i) => i !== ts),
        native.rows[0]!.filter((_, i) => i !== ts),
      );
      // complex values as JSON text, in the exact form Spark's Thrift server writes them
      const complex = outcome('plain_complex') as { rows: Canonical[][] };
      assert.deepEqual(complex.rows, [COMPLEX_AS_SPARK_TEXT]);
    });

    test('column-based results (connector without pyarrow): scalars, NULLs and parameters equal ours', async () => {
      for (const [name, statement, params] of [
        ['col_scalars', sql.ALL_SCALARS],
        ['col_nulls', sql.TYPED_NULLS],
        ['col_seed', sql.SEED_RANGE, { param: 'foo' }],
      ] as const) {
        const theirs = outcome(name) as { rows: Canonical[][] };
        const mine = await ourRows(statement, params);
        if (name === 'col_nulls') {
          // complex values reach this connector as JSON text, not parsed (as from Databricks)
          const arr = mine.columns.findIndex((c) => c.name === 'arr');
          assert.deepEqual(
            theirs.rows.map((r) => r[arr]),
            [null, '[1]'],
          );
          for (const rows of [mine.rows, theirs.rows]) for (const row of rows) row.splice(arr, 1);
        }
        assert.deepEqual(mine.rows, theirs.rows, name);
      }
    });

    test('column-based results (connector without pyarrow): complex values as Spark-style JSON text', () => {
      const theirs = outcome('col_complex') as { rows: Canonical[][] };
      assert.deepEqual(theirs.rows, [COMPLEX_AS_SPARK_TEXT]);
    });

    test('execute_async + get_query_state + get_async_execution_result: same rows as our AsyncExecution', async () => {
      const theirs = outcome('async') as { queryId: string; states: string[]; rows: Canonical[][] };
      assert.equal(theirs.states.at(-1), 'SUCCEEDED');
      // the query id the connector holds is the one the warehouse records (closed once fetched)
      const record = warehouse.history().find((q) => q.queryId === theirs.queryId);
      assert.ok(record?.state === 'FINISHED' || record?.state === 'CLOSED', `history says ${record?.state}`);
      assert.equal(record.statement, sql.SEED_RANGE);
      const execution = await ours.executeAsync(sql.SEED_RANGE, { param: 'foo' });
      const result = await execution.getResults();
      assert.deepEqual(canonicalRows(await result.fetchAll(), result.columns), theirs.rows);
    });

    test('pickup: our driver fetches a query the Python connector submitted, from its query_id:query_secret', async () => {
      const theirs = outcome('submit') as { serialized: string };
      const execution = await ours.getAsyncExecution(theirs.serialized);
      assert.equal(execution.returnedAsDirectResult, false);
      const result = await execution.getResults();
      const rows = canonicalRows(await result.fetchAll(), result.columns);
      assert.equal(rows.length, 10);
      assert.deepEqual(rows[3], ['picked up', { int: '3' }]);
      await execution.close();
    });

    test('cancel: the connector sees CANCELLED and cannot fetch; the warehouse history agrees', () => {
      const theirs = outcome('cancel') as { firstState: string; states: string[]; result: unknown };
      assert.equal(theirs.states.at(-1), 'CANCELLED');
      assert.match(JSON.stringify(theirs.result), /CANCEL/);
      const record = warehouse.history().find((q) => q.statement === sql.LONG_RUNNING);
      assert.equal(record?.state, 'CANCELED');
    });

    test('a failing statement raises ServerOperationError in both clients', async () => {
      const theirs = outcome('error') as { error: string; message: string };
      assert.equal(theirs.error, 'ServerOperationError');
      assert.match(theirs.message, /table_that_does_not_exist/);
      await assert.rejects(ours.execute(sql.MISSING_TABLE), (e: Error) => {
        assert.equal(e.name, 'ServerOperationError');
        assert.match(e.message, /table_that_does_not_exist/);
        return true;
      });
    });

    test('a failing statement submitted with execute_async fails at the first get_query_state, as ours at syncStatus', async () => {
      const theirs = outcome('async_error') as { at: string; error: string; message: string };
      assert.deepEqual([theirs.at, theirs.error], ['poll', 'ServerOperationError']);
      assert.match(theirs.message, /table_that_does_not_exist/);
      const execution = await ours.executeAsync(sql.MISSING_TABLE);
      assert.equal(await execution.syncStatus(), 'ABORTED');
      assert.match(execution.error?.message ?? '', /table_that_does_not_exist/);
      await assert.rejects(execution.getResults(), { name: 'ServerOperationError' });
    });

    test('transactions: autocommit off, commit() and rollback() keep exactly the committed row', async () => {
      const theirs = outcome('transactions') as {
        autocommit_off: boolean;
        autocommit_on: boolean;
        ids: number[];
        commit_without_transaction: { error: string; message: string };
      };
      assert.deepEqual([theirs.autocommit_off, theirs.autocommit_on, theirs.ids], [false, true, [1]]);
      assert.equal(theirs.commit_without_transaction.error, 'TransactionError');
      assert.match(theirs.commit_without_transaction.message, /NO_ACTIVE_TRANSACTION/);
      assert.deepEqual(await (await ours.execute('SELECT id FROM peer_transactions')).fetchAll(), [{ id: 1 }]);
    });

    test('staging: PUT, GET and REMOVE through the connector, local files only under staging_allowed_local_path', async () => {
      for (const [name, content] of [
        ['staging', 'id,amount\n1,9.50\n'],
        ['col_staging', 'id\n2\n'],
      ] as const) {
        const theirs = outcome(name) as {
          downloaded: string;
          outside_allowed_path: { error: string; message: string };
          after_remove: { error: string; message: string };
        };
        assert.equal(theirs.downloaded, content, name);
        assert.equal(theirs.outside_allowed_path.error, 'ProgrammingError');
        assert.match(theirs.outside_allowed_path.message, /staging_allowed_local_path/);
        assert.equal(theirs.after_remove.error, 'ServerOperationError');
        assert.match(theirs.after_remove.message, /PATH_NOT_FOUND/);
      }
      await assert.rejects(stat('/etc/not-allowed.csv'));
    });

    test('lists and dicts bind as ARRAY and MAP parameters, with the values ours get', async () => {
      const [theirs] = statements('list_dict_params');
      assert.deepEqual(
        theirs!.columns.map(([name]) => name),
        ['ids', 'words', 'prices', 'nested'],
      );
      const expected = [
        [
          [{ int: '3' }, { int: '1' }, { int: '2' }],
          ['a', null, "o'clock"],
          {
            map: [
              ['apple', 1.5],
              ['pear', 2.25],
            ],
          },
          [[{ int: '1' }, { int: '2' }], [{ int: '3' }]],
        ],
      ];
      assert.deepEqual(theirs!.rows, expected);
      const result = await ours.execute(COMPLEX_PARAMS_SQL, {
        ...COMPLEX_PARAMS,
        prices: { type: 'MAP<STRING, DOUBLE>', value: COMPLEX_PARAMS.prices },
        nested: { type: 'ARRAY<ARRAY<INT>>', value: COMPLEX_PARAMS.nested },
      });
      assert.deepEqual(canonicalRows(await result.fetchAll(), result.columns), expected);
    });

    test('cursor.rowcount after DML is the modified-row count ours reports; DDL has no columns', async () => {
      const theirs = statements('dml');
      const mine = [];
      for (const statement of DML.map((s) => s.replace(/\bpeer_dml\b/g, 'peer_dml_ours'))) {
        const result = await ours.execute(statement);
        mine.push({ modified: result.modifiedRowCount ?? -1, columns: result.columns.length });
        await result.fetchAll();
      }
      assert.deepEqual(
        theirs.map((t) => t.rowcount),
        [-1, 5, 2, 1, 2, -1],
      );
      assert.deepEqual(
        mine.map((m) => m.modified),
        theirs.map((t) => t.rowcount),
      );
      assert.deepEqual(
        theirs.map((t) => t.columns.length),
        mine.map((m) => m.columns),
      );
      assert.deepEqual(theirs[0]!.columns, []);
      assert.deepEqual(theirs[1]!.columns, [
        ['num_affected_rows', 'bigint'],
        ['num_inserted_rows', 'bigint'],
      ]);
      assert.deepEqual(theirs[5]!.rows, [[{ int: '4' }]]);
    });

    test('cursor(row_limit=1000) gets 1,000 rows of 2,000, as ours does with resultRowLimit', async () => {
      const [theirs] = statements('row_limit');
      assert.equal(theirs!.rows.length, 1000);
      const result = await ours.execute('SELECT id FROM range(2000)', undefined, { resultRowLimit: 1000 });
      assert.equal((await result.fetchAll()).length, theirs!.rows.length);
    });

    test("a wrong token: the connector shows the warehouse's reason (x-databricks-reason-phrase), as ours does", async () => {
      const theirs = outcome('refused') as { error: string; message: string; http_code: number };
      // The connector prefixes the reason header with ': ' when no other error header is set.
      assert.deepEqual(
        [theirs.error, theirs.http_code, theirs.message.trim()],
        ['RequestError', 401, 'Error during request to server: : Missing or invalid access token.'],
      );
      await assert.rejects(
        connect({ serverHostname: warehouse.serverHostname, httpPath: warehouse.httpPath, accessToken: 'not-the-token' }),
        (e: Error & { httpStatus?: number }) =>
          e.name === 'AuthenticationError' && e.httpStatus === 401 && /Missing or invalid access token/.test(e.message),
      );
    });
  });
}
