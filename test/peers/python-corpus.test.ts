/**
 * Peer: the SQL corpus (test/dialect/corpus.ts) through the official Python connector, as
 * issue 14 asks, against the same kind of local warehouse our driver's corpus test uses. One
 * Python process runs every statement on one cursor; its rows are judged against the same
 * documented results, and compared case by case with what our driver gets, so a value the
 * two clients read differently (types, decimals, timestamps) shows up here.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { CORPUS, CORPUS_SETUP } from '../dialect/corpus.js';
import { corpusReport, driverOutcomes, PASS_FLOOR, type CaseOutcome } from '../dialect/corpus-run.js';
import { canonicalDisplay } from '../dialect/spark-display.js';
import type { Canonical } from './support/canonical.js';
import { REPO_ROOT, run } from './support/processes.js';
import { provision } from './support/provision.js';

type PythonCase = { types: string[]; rows: Canonical[][] } | { error: string; message: string };

const venv = await provision('python-venv.sh', [], ['python3']);

if (!venv.ok) {
  test('SQL corpus through the Python connector', { skip: `provisioning impossible: ${venv.skipReason}` }, () => {});
} else {
  const python = venv.value;
  describe('SQL corpus through the official Python connector', () => {
    // One warehouse per client, so the two runs go side by side without sharing tables.
    const warehouses: LocalWarehouse[] = [];
    let ours: Connection | undefined;
    let connector = '';
    let theirs: CaseOutcome[] = [];
    let mine: CaseOutcome[] = [];

    async function connectorOutcomes(warehouse: LocalWarehouse): Promise<CaseOutcome[]> {
      const scenario = {
        name: 'corpus',
        kind: 'corpus',
        setup: CORPUS_SETUP,
        cases: CORPUS.map((c) => ({ sql: c.sql, setup: c.setup ?? [] })),
      };
      // Without telemetry the connector skips its feature-flag request to the workspace host,
      // which, unanswered here, costs about 34 s of retries.
      const connections = { default: { enable_telemetry: false } };
      const plan = { uri: warehouse.url, token: warehouse.accessToken, connections, scenarios: [scenario] };
      const peer = await run(python, [join(REPO_ROOT, 'test/peers/python/peer_python.py')], {
        input: JSON.stringify(plan),
        timeoutMs: 180_000,
      });
      assert.equal(peer.code, 0, `peer_python.py failed:\n${peer.stderr}`);
      console.log(`# python connector ran ${CORPUS.length} corpus statements in ${peer.elapsedMs} ms`);
      const parsed = JSON.parse(peer.stdout) as {
        connector: string;
        results: { corpus: { cases?: PythonCase[]; unexpected?: unknown } };
      };
      connector = parsed.connector;
      assert.ok(parsed.results.corpus.cases, `the corpus run failed: ${JSON.stringify(parsed.results.corpus.unexpected)}`);
      return parsed.results.corpus.cases.map((outcome) =>
        'error' in outcome
          ? {
              message:
                outcome.error === 'ServerOperationError'
                  ? outcome.message.split('\n')[0]
                  : `${outcome.error}: ${outcome.message}`,
            }
          : { rows: outcome.rows.map((row) => row.map((v, i) => canonicalDisplay(v, outcome.types[i]!)).join('\t')) },
      );
    }

    before(async () => {
      warehouses.push(await startLocalWarehouse(), await startLocalWarehouse());
      const [forThem, forUs] = warehouses as [LocalWarehouse, LocalWarehouse];
      ours = await connect({ serverHostname: forUs.serverHostname, httpPath: forUs.httpPath, accessToken: forUs.accessToken });
      [theirs, mine] = await Promise.all([connectorOutcomes(forThem), driverOutcomes(ours)]);
    });
    after(async () => {
      await ours?.close();
      for (const warehouse of warehouses) await warehouse.close();
    });

    test(`gives Databricks' documented result for at least ${PASS_FLOOR * 100}% of the corpus`, () => {
      assert.equal(theirs.length, CORPUS.length);
      const report = corpusReport(theirs);
      console.log(`corpus through the Python connector ${connector}: ${report.text}`);
      assert.ok(report.rate >= PASS_FLOOR, `pass rate ${(report.rate * 100).toFixed(1)}% fell below ${PASS_FLOOR * 100}%`);
    });

    test('gives the same rows as our driver, or fails with the same message', () => {
      const differing = CORPUS.flatMap((testCase, i) => {
        const [a, b] = [mine[i]!, theirs[i]!];
        const same = a.rows || b.rows ? JSON.stringify(a.rows) === JSON.stringify(b.rows) : a.message === b.message;
        return same ? [] : [`${testCase.sql}\n    ours ${JSON.stringify(a)}\n    theirs ${JSON.stringify(b)}`];
      });
      assert.deepEqual(differing, [], `the clients differ on ${differing.length} cases:\n${differing.join('\n')}`);
    });
  });
}
