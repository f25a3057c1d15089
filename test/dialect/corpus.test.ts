/**
 * The corpus: Databricks SQL statements with their documented results, run through our driver
 * against the local warehouse. It prints the pass rate with every miss, and fails when the
 * rate drops below the recorded floor (raise the floor when the rate rises).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';
import { CORPUS } from './corpus.js';
import { corpusReport, driverOutcomes, PASS_FLOOR } from './corpus-run.js';

describe('Databricks SQL corpus through the driver', () => {
  let warehouse: LocalWarehouse;
  let connection: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({});
    connection = await connectTo(warehouse);
  });
  after(async () => {
    await connection?.close();
    await warehouse?.close();
  });

  it(`gives Databricks' documented result for at least ${PASS_FLOOR * 100}% of ${CORPUS.length} statements`, async () => {
    const report = corpusReport(await driverOutcomes(connection));
    console.log(`corpus: ${report.text}`);
    assert.ok(CORPUS.length >= 150, 'the corpus holds at least 150 statements');
    assert.ok(
      report.rate >= PASS_FLOOR,
      `pass rate ${(report.rate * 100).toFixed(1)}% fell below the floor of ${PASS_FLOOR * 100}%`,
    );
  });
});
