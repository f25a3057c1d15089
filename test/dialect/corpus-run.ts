/**
 * Runs the corpus and judges each case, for every client that runs it: our driver
 * (corpus.test.ts) and the official Python connector (test/peers/python-corpus.test.ts). A
 * client's outcome for a case is the rows as Databricks displays them, or the failure.
 */
import { ServerOperationError, type Connection } from '../../src/index.js';
import { CORPUS, CORPUS_SETUP, type CorpusCase } from './corpus.js';
import { sparkDisplay } from './spark-display.js';

/** Passes needed, out of CORPUS.length: the rate this warehouse reached when last measured. */
export const PASS_FLOOR = 0.99;

/** What a case gave: the rows as displayed (columns joined by a tab), or how it failed. */
export interface CaseOutcome {
  readonly rows?: readonly string[];
  /** The SQLSTATE, when the client exposes it (the Python connector does not). */
  readonly sqlState?: string;
  readonly message?: string;
}

/** Every case run through our driver on `connection`, after CORPUS_SETUP, in corpus order. */
export async function driverOutcomes(connection: Connection): Promise<CaseOutcome[]> {
  for (const statement of CORPUS_SETUP) await (await connection.execute(statement)).fetchAll();
  const outcomes: CaseOutcome[] = [];
  for (const testCase of CORPUS) outcomes.push(await driverOutcome(connection, testCase));
  return outcomes;
}

async function driverOutcome(connection: Connection, testCase: CorpusCase): Promise<CaseOutcome> {
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

/**
 * Why an outcome is not Databricks' documented answer, or null when it is. A case Databricks
 * refuses passes on a failure with its SQLSTATE (on any failure for a client that hides it).
 */
export function verdict(testCase: CorpusCase, outcome: CaseOutcome): string | null {
  if (testCase.sqlState !== undefined) {
    if (outcome.rows === undefined && (outcome.sqlState === undefined || outcome.sqlState === testCase.sqlState)) return null;
    return `expected SQLSTATE ${testCase.sqlState}, got ${outcome.rows ? JSON.stringify(outcome.rows) : `${outcome.sqlState}: ${outcome.message}`}`;
  }
  const expected = typeof testCase.expect === 'string' ? [testCase.expect] : [...(testCase.expect ?? [])];
  if (outcome.rows === undefined) return `failed: ${outcome.sqlState ?? ''} ${outcome.message ?? ''}`;
  return JSON.stringify(outcome.rows) === JSON.stringify(expected)
    ? null
    : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(outcome.rows)}`;
}

/** The pass rate, per family and overall, with every miss: the report a corpus test prints. */
export function corpusReport(outcomes: readonly CaseOutcome[]): { passed: number; rate: number; text: string } {
  const misses: string[] = [];
  const byFamily = new Map<string, { pass: number; total: number }>();
  CORPUS.forEach((testCase, i) => {
    const why = verdict(testCase, outcomes[i]!);
    const family = byFamily.get(testCase.family) ?? { pass: 0, total: 0 };
    family.total++;
    if (why === null) family.pass++;
    else misses.push(`[${testCase.family}] ${testCase.sql}\n    ${why}`);
    byFamily.set(testCase.family, family);
  });
  const passed = CORPUS.length - misses.length;
  const rate = passed / CORPUS.length;
  const families = [...byFamily].map(([name, f]) => `${name} ${f.pass}/${f.total}`).join(', ');
  const text = `${passed}/${CORPUS.length} pass (${(rate * 100).toFixed(1)}%); ${families}\nmisses:\n${misses.join('\n')}`;
  return { passed, rate, text };
}
