/**
 * The official clients' telemetry endpoints: feature flags answer an empty list (so telemetry
 * stays off), uploads are accepted and dropped, the authenticated one needs the token, and
 * nothing else about the warehouse changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connect } from '../../src/index.js';

describe('local warehouse: client telemetry endpoints', () => {
  let warehouse: LocalWarehouse;
  const upload = JSON.stringify({ uploadTime: Date.now(), items: [], protoLogs: ['{"a":1}', '{"b":2}'] });

  before(async () => {
    warehouse = await startLocalWarehouse();
  });
  after(async () => {
    await warehouse?.close();
  });

  it('answers the feature-flag request of @databricks/sql with no flags', async () => {
    const response = await fetch(`${warehouse.serverHostname}/api/2.0/connector-service/feature-flags/NODEJS/2.1.0`, {
      headers: { Authorization: `Bearer ${warehouse.accessToken}` },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { flags: [], ttl_seconds: 900 });
  });

  it('accepts an authenticated upload with the token and refuses it without', async () => {
    const accepted = await fetch(`${warehouse.serverHostname}/telemetry-ext`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${warehouse.accessToken}`, 'Content-Type': 'application/json' },
      body: upload,
    });
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { errors: [], numSuccess: 2, numProtoSuccess: 0 });
    const refused = await fetch(`${warehouse.serverHostname}/telemetry-ext`, { method: 'POST', body: upload });
    assert.equal(refused.status, 401);
    await refused.text();
  });

  it('accepts an unauthenticated upload, refuses other methods and oversized bodies', async () => {
    const accepted = await fetch(`${warehouse.serverHostname}/telemetry-unauth`, { method: 'POST', body: upload });
    assert.equal(accepted.status, 200);
    assert.equal(((await accepted.json()) as { numSuccess: number }).numSuccess, 2);
    const wrongMethod = await fetch(`${warehouse.serverHostname}/telemetry-unauth`);
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.text();
    const huge = await fetch(`${warehouse.serverHostname}/telemetry-unauth`, {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    assert.equal(huge.status, 413);
    await huge.text();
  });

  it('keeps serving queries, and stores nothing it was sent', async () => {
    const connection = await connect({
      serverHostname: warehouse.serverHostname,
      httpPath: warehouse.httpPath,
      accessToken: warehouse.accessToken,
    });
    try {
      assert.deepEqual(await (await connection.execute('SELECT 1 AS one')).fetchAll(), [{ one: 1 }]);
    } finally {
      await connection.close();
    }
    assert.ok(!JSON.stringify(warehouse.history()).includes('protoLogs'));
  });
});
