/**
 * Peer: the official Python connector against the local warehouse for the protocol features
 * it drives itself: ARRAY and MAP parameters (it sends Python lists and dicts as typed
 * TSparkParameter arguments), cursor.rowcount after DML (numModifiedRows), an empty result
 * for DDL, and cursor(row_limit=...) (resultRowLimit). Each outcome is compared with what our
 * driver gets for the same statement from the same warehouse.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { canonicalRows, type Canonical } from './support/canonical.js';
import { provision } from './support/provision.js';
import { REPO_ROOT, run } from './support/processes.js';

interface StatementOutcome {
  rowcount: number;
  columns: [string, string][];
  rows: Canonical[][];
}
type Outcome = { statements: StatementOutcome[]; unexpected?: { error: string; message: string } };

const COMPLEX_SQL = 'SELECT :ids AS ids, :words AS words, :prices AS prices, :nested AS nested';
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
  { name: 'complex', kind: 'statements', statements: [COMPLEX_SQL], params: COMPLEX_PARAMS },
  { name: 'dml', kind: 'statements', statements: DML },
  { name: 'row_limit', kind: 'statements', statements: ['SELECT id FROM range(2000)'], row_limit: 1000 },
];

const venv = await provision('python-venv.sh', [], ['python3']);

if (!venv.ok) {
  test('Python connector protocol peer', { skip: `provisioning impossible: ${venv.skipReason}` }, () => {});
} else {
  describe('official Python connector: parameters, rowcount, row_limit', () => {
    let warehouse: LocalWarehouse;
    let ours: Connection;
    const outcomes: Record<string, Outcome> = {};

    before(async () => {
      warehouse = await startLocalWarehouse();
      const plan = { uri: warehouse.url, token: warehouse.accessToken, scenarios: SCENARIOS };
      const peer = await run(venv.value, [join(REPO_ROOT, 'test/peers/python/peer_python.py')], {
        input: JSON.stringify(plan),
        timeoutMs: 180_000,
      });
      assert.equal(peer.code, 0, `peer_python.py failed:\n${peer.stderr}`);
      Object.assign(outcomes, (JSON.parse(peer.stdout) as { results: Record<string, Outcome> }).results);
      ours = await connect({
        serverHostname: warehouse.serverHostname,
        httpPath: warehouse.httpPath,
        accessToken: warehouse.accessToken,
      });
    });

    after(async () => {
      await ours?.close();
      await warehouse?.close();
    });

    function outcome(name: string): StatementOutcome[] {
      const o = outcomes[name];
      assert.ok(o, `no outcome for scenario ${name}`);
      assert.equal(o.unexpected, undefined, `Python connector failed in ${name}: ${JSON.stringify(o.unexpected)}`);
      return o.statements;
    }

    test('lists and dicts bind as ARRAY and MAP parameters, with the values ours get', async () => {
      const [theirs] = outcome('complex');
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
      const result = await ours.execute(COMPLEX_SQL, {
        ...COMPLEX_PARAMS,
        prices: { type: 'MAP<STRING, DOUBLE>', value: COMPLEX_PARAMS.prices },
        nested: { type: 'ARRAY<ARRAY<INT>>', value: COMPLEX_PARAMS.nested },
      });
      assert.deepEqual(canonicalRows(await result.fetchAll(), result.columns), expected);
    });

    test('cursor.rowcount after DML is the modified-row count ours reports; DDL has no columns', async () => {
      const theirs = outcome('dml');
      const mine = [];
      for (const sql of DML.map((s) => s.replace(/\bpeer_dml\b/g, 'peer_dml_ours'))) {
        const result = await ours.execute(sql);
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
      const [theirs] = outcome('row_limit');
      assert.equal(theirs!.rows.length, 1000);
      const result = await ours.execute('SELECT id FROM range(2000)', undefined, { resultRowLimit: 1000 });
      assert.equal((await result.fetchAll()).length, theirs!.rows.length);
    });
  });
}
