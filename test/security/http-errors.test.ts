/**
 * Failed HTTP requests say why, the way Databricks does: the warehouse puts the reason in the
 * headers the official connectors read, and our driver shows those headers in its errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { AuthenticationError, connect } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy.js';

describe('HTTP error reasons', () => {
  let warehouse: LocalWarehouse;
  let proxy: RecordingProxy;
  before(async () => {
    warehouse = await startLocalWarehouse();
    proxy = await startRecordingProxy(warehouse.serverHostname);
  });
  after(async () => {
    await proxy?.close();
    await warehouse?.close();
  });

  it('the warehouse states a bad token in x-databricks-reason-phrase and a bad body in x-thriftserver-error-message', async () => {
    const badToken = await request(warehouse.url, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: 'x' });
    await badToken.body.dump();
    assert.equal(badToken.statusCode, 401);
    assert.match(String(badToken.headers['x-databricks-reason-phrase']), /invalid access token/i);
    const badBody = await request(warehouse.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${warehouse.accessToken}` },
      body: 'not thrift',
    });
    await badBody.body.dump();
    assert.equal(badBody.statusCode, 400);
    assert.match(String(badBody.headers['x-thriftserver-error-message']), /not a valid Thrift message/);
  });

  it('the driver shows the reason a server gives only in headers', async () => {
    const connection = await connect({ ...warehouse, serverHostname: proxy.serverHostname });
    try {
      proxy.rejectNext(warehouse.httpPath); // 401, empty body, x-databricks-reason-phrase: Token is revoked
      await assert.rejects(connection.execute('SELECT 1'), (error: unknown) => {
        assert.ok(error instanceof AuthenticationError, String(error));
        assert.match(error.message, /HTTP 401.*Token is revoked/);
        return true;
      });
    } finally {
      await connection.close();
    }
  });
});
