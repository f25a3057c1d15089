/**
 * Peers through cloud fetch: the official Python connector (cloud fetch on by default) and
 * @databricks/sql (`useCloudFetch: true`) read a large result from the local warehouse's
 * signed result links, and get the rows our driver gets inline.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DBSQLClient, LogLevel } from '@databricks/sql';
import { connect, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectOfficialNodeClient } from './support/official-node-client.js';
import { canonicalRows, type Canonical } from './support/canonical.js';
import { REPO_ROOT, run } from './support/processes.js';
import { provision } from './support/provision.js';

const ROWS = 400_000;
const STATEMENT = `SELECT id, CASE WHEN id % 7 = 0 THEN NULL ELSE 'label ' || id END AS label,
  CAST((id % 100000) / 4 AS DECIMAL(12,2)) AS amount FROM RANGE(${ROWS})`;

/** Some 14 MB of Arrow: far past a 1 MiB threshold, in files of about 1 MiB. */
const CLOUD_FETCH = { cloudFetchThresholdBytes: 1024 ** 2, cloudFetchFileBytes: 1024 ** 2 };

/** The text of one canonical value, as peer_cloud_fetch.py writes the connector's values. */
function text(value: Canonical): string {
  if (value === null) return '';
  if (typeof value === 'object' && 'int' in value) return value.int;
  if (typeof value === 'object' && 'decimal' in value) return value.decimal;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function digestOf(rows: Canonical[][]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.map(text).join('|')}\n`);
  return hash.digest('hex');
}

/** Our driver's rows, canonical: read inline (cloud fetch off), so the two paths are compared. */
async function ourRows(connection: Connection): Promise<{ rows: Canonical[][]; digest: string }> {
  const rs = await connection.execute(STATEMENT);
  const rows = canonicalRows(await rs.fetchAll(), rs.columns);
  return { rows, digest: digestOf(rows) };
}

const venv = await provision('python-venv.sh', [], ['python3']);

describe('cloud fetch: the official Python connector', { skip: venv.ok ? false : venv.skipReason }, () => {
  let warehouse: LocalWarehouse;
  let ours: Connection;
  before(async () => {
    warehouse = await startLocalWarehouse(CLOUD_FETCH);
    ours = await connect({ ...warehouse, results: { cloudFetch: false } });
  });
  after(async () => {
    await ours?.close();
    await warehouse?.close();
  });

  test('downloads the result files through the links and gets our rows', async () => {
    assert.ok(venv.ok);
    const peer = await run(venv.value, [join(REPO_ROOT, 'test/peers/python/peer_cloud_fetch.py')], {
      input: JSON.stringify({ uri: warehouse.url, token: warehouse.accessToken, sql: STATEMENT }),
      timeoutMs: 240_000,
    });
    assert.equal(peer.code, 0, `peer_cloud_fetch.py failed:\n${peer.stderr}`);
    const theirs = JSON.parse(peer.stdout) as { connector: string; rows: number; digest: string; downloads: number };
    assert.ok(theirs.downloads >= 10, `connector ${theirs.connector} downloaded ${theirs.downloads} files`);
    assert.equal(theirs.rows, ROWS);
    assert.equal(theirs.digest, (await ourRows(ours)).digest);
  });
});

describe('cloud fetch: @databricks/sql with useCloudFetch', () => {
  let warehouse: LocalWarehouse;
  let ours: Connection;
  let client: DBSQLClient;
  const downloads: string[] = [];
  before(async () => {
    warehouse = await startLocalWarehouse({ ...CLOUD_FETCH, tls: true });
    ours = await connect({ ...warehouse, ca: warehouse.caCertificate, results: { cloudFetch: false } });
    client = await connectOfficialNodeClient(warehouse, {
      // The client logs each file it downloads ("Result File Download speed ... <url>").
      logger: { log: (level: LogLevel, message: string) => void (/Download speed/.test(message) && downloads.push(message)) },
      preserveBigNumericPrecision: true,
    });
  });
  after(async () => {
    await client?.close();
    await ours?.close();
    await warehouse?.close();
  });

  test('downloads the result files through the links and gets our rows', async () => {
    const session = await client.openSession();
    const operation = await session.executeStatement(STATEMENT, { useCloudFetch: true });
    const rows = (await operation.fetchAll()) as Record<string, unknown>[];
    await operation.close();
    await session.close();
    const mine = await ourRows(ours);
    const rs = await ours.execute('SELECT * FROM (' + STATEMENT + ') LIMIT 0');
    await rs.fetchAll();
    const theirs = canonicalRows(rows, rs.columns);
    assert.ok(downloads.length >= 10, `downloaded ${downloads.length} files`);
    assert.equal(theirs.length, ROWS);
    assert.equal(digestOf(theirs), mine.digest);
  });
});
