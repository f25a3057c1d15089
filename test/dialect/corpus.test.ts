/**
 * The corpus: Databricks SQL statements with their documented results, run through our driver
 * against the local warehouse. It prints the pass rate with every miss, and fails when the
 * rate drops below the recorded floor (raise the floor when the rate rises).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerOperationError, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';
import { CORPUS, CORPUS_SETUP, type CorpusCase } from './corpus.js';
import { sparkDisplay } from './spark-display.js';

/** Passes needed, out of CORPUS.length: the rate this warehouse reached when last measured. */
const PASS_FLOOR = 0.86;

/** What a case gave: the rows as displayed, or the SQLSTATE it failed with. */
async function outcomeOf(
  connection: Connection,
  testCase: CorpusCase,
): Promise<{ rows?: string[]; sqlState?: string; message?: string }> {
  try {
    for (const statement of testCase.setup ?? []) await (await connection.execute(statement)).fetchAll();
    const result = await connection.execute(testCase.sql);
    const rows = await result.fetchAll();
    return { rows: rows.map((row) => result.columns.map((c) => sparkDisplay(row[c.name] ?? null, c.typeName)).join('\t')) };
  } catch (error) {
    if (error instanceof ServerOperationError) return { sqlState: error.sqlState ?? '', message: error.message.split('\n')[0] };
    return { message: error instanceof Error ? error.message : String(error) };
  }
}

function verdict(testCase: CorpusCase, outcome: Awaited<ReturnType<typeof outcomeOf>>): string | null {
  if (testCase.sqlState !== undefined) {
    return outcome.sqlState === testCase.sqlState
      ? null
      : `expected SQLSTATE ${testCase.sqlState}, got ${outcome.rows ? JSON.stringify(outcome.rows) : `${outcome.sqlState}: ${outcome.message}`}`;
  }
  const expected = typeof testCase.expect === 'string' ? [testCase.expect] : [...(testCase.expect ?? [])];
  if (outcome.rows === undefined) return `failed: ${outcome.sqlState ?? ''} ${outcome.message ?? ''}`;
  return JSON.stringify(outcome.rows) === JSON.stringify(expected)
    ? null
    : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(outcome.rows)}`;
}

describe('Databricks SQL corpus through the driver', () => {
  let warehouse: LocalWarehouse;
  let connection: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({});
    connection = await connectTo(warehouse);
    for (const statement of CORPUS_SETUP) await (await connection.execute(statement)).fetchAll();
  });
  after(async () => {
    await connection?.close();
    await warehouse?.close();
  });

  it(`gives Databricks' documented result for at least ${PASS_FLOOR * 100}% of ${CORPUS.length} statements`, async () => {
    const misses: string[] = [];
    const byFamily = new Map<string, { pass: number; total: number }>();
    for (const testCase of CORPUS) {
      const why = verdict(testCase, await outcomeOf(connection, testCase));
      const family = byFamily.get(testCase.family) ?? { pass: 0, total: 0 };
      family.total++;
      if (why === null) family.pass++;
      else misses.push(`[${testCase.family}] ${testCase.sql}\n    ${why}`);
      byFamily.set(testCase.family, family);
    }
    const passed = CORPUS.length - misses.length;
    const rate = passed / CORPUS.length;
    const families = [...byFamily].map(([name, f]) => `${name} ${f.pass}/${f.total}`).join(', ');
    console.log(
      `corpus: ${passed}/${CORPUS.length} pass (${(rate * 100).toFixed(1)}%); ${families}\nmisses:\n${misses.join('\n')}`,
    );
    assert.ok(CORPUS.length >= 150, 'the corpus holds at least 150 statements');
    assert.ok(rate >= PASS_FLOOR, `pass rate ${(rate * 100).toFixed(1)}% fell below the floor of ${PASS_FLOOR * 100}%`);
  });
});
