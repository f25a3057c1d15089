/**
 * OAuth machine-to-machine against the local warehouse's real token endpoint: the driver
 * exchanges a service principal's id and secret for short-lived tokens, replaces them before
 * they expire and when one is rejected; wrong secrets fail clearly; access tokens keep working.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { request } from 'undici';
import { AuthenticationError, connect } from '../../src/index.js';
import { optionsFromEnvironment } from '../../src/client/options.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy.js';

const CLIENT_ID = 'sp-etl-reports';
const CLIENT_SECRET = 'dose-oauth-secret-5b1c0f7e9a2d4c68';
const TOKEN_LIFETIME_MS = 4_000;

describe('OAuth M2M', () => {
  let warehouse: LocalWarehouse;
  let proxy: RecordingProxy;
  before(async () => {
    warehouse = await startLocalWarehouse({
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenLifetimeMs: TOKEN_LIFETIME_MS },
      directResultsWaitMs: 200,
    });
    proxy = await startRecordingProxy(warehouse.serverHostname);
  });
  after(async () => {
    await proxy?.close();
    await warehouse?.close();
  });

  const oauthOptions = (clientSecret = CLIENT_SECRET) => ({
    serverHostname: proxy.serverHostname,
    httpPath: warehouse.httpPath,
    oauth: { clientId: CLIENT_ID, clientSecret },
  });
  const tokenRequests = () => proxy.exchanges.filter((e) => e.path === '/oidc/v1/token');
  const thriftCalls = () => proxy.exchanges.filter((e) => e.path === warehouse.httpPath);

  it('the token endpoint issues a bearer token for the client credentials, as Databricks does', async () => {
    const response = await request(`${warehouse.serverHostname}/oidc/v1/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=all-apis',
    });
    assert.equal(response.statusCode, 200);
    const body = (await response.body.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, TOKEN_LIFETIME_MS / 1000);
    assert.ok(body.access_token.length >= 32);
    // The issued token opens the Thrift endpoint like an access token.
    const connection = await connect({
      serverHostname: warehouse.serverHostname,
      httpPath: warehouse.httpPath,
      accessToken: body.access_token,
    });
    try {
      assert.deepEqual(await (await connection.execute('SELECT 1 AS one')).fetchAll(), [{ one: 1 }]);
    } finally {
      await connection.close();
    }
  });

  it('the token endpoint refuses a wrong secret, another grant, and another scope', async () => {
    const post = (user: string, body: string) =>
      request(`${warehouse.serverHostname}/oidc/v1/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(user).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
    const wrong = await post(`${CLIENT_ID}:not-the-secret`, 'grant_type=client_credentials&scope=all-apis');
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(((await wrong.body.json()) as { error: string }).error, 'invalid_client');
    const grant = await post(`${CLIENT_ID}:${CLIENT_SECRET}`, 'grant_type=password&scope=all-apis');
    assert.equal(grant.statusCode, 400);
    assert.equal(((await grant.body.json()) as { error: string }).error, 'unsupported_grant_type');
    const scope = await post(`${CLIENT_ID}:${CLIENT_SECRET}`, 'grant_type=client_credentials&scope=sql');
    assert.equal(scope.statusCode, 400);
    assert.equal(((await scope.body.json()) as { error: string }).error, 'invalid_scope');
  });

  it('runs queries with a short-lived token, fetching the next one before the last expires', async () => {
    proxy.exchanges.length = 0;
    const connection = await connect(oauthOptions());
    try {
      // Until three tokens have been used (three lifetimes at least), whatever this machine's speed.
      const deadline = Date.now() + 120_000;
      let queries = 0;
      while (new Set(thriftCalls().map((e) => e.bearer)).size < 3) {
        assert.ok(Date.now() < deadline, 'three tokens within two minutes');
        const rows = await (await connection.execute('SELECT :n AS n', { n: queries })).fetchAll();
        assert.deepEqual(rows, [{ n: queries }]);
        queries++;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await connection.close();
    }
    assert.deepEqual(
      thriftCalls().filter((e) => e.status !== 200),
      [],
      'no call was refused: tokens were replaced in time',
    );
    const tokens = new Set(thriftCalls().map((e) => e.bearer));
    assert.equal(tokenRequests().length, tokens.size, 'one token request per token');
    assert.ok(tokenRequests().every((e) => e.status === 200));
  });

  it('a token the server rejects (401) is replaced and the call made again, once', async () => {
    const connection = await connect(oauthOptions());
    try {
      proxy.exchanges.length = 0;
      proxy.rejectNext(warehouse.httpPath);
      const rows = await (await connection.execute('SELECT 2 AS two')).fetchAll();
      assert.deepEqual(rows, [{ two: 2 }]);
    } finally {
      await connection.close();
    }
    const [refused, retried] = thriftCalls();
    assert.equal(refused?.status, 401);
    assert.equal(retried?.status, 200);
    assert.notEqual(retried?.bearer, refused?.bearer, 'the retry carried a new token');
    assert.equal(tokenRequests().length, 1);
  });

  it('a wrong client secret fails with an AuthenticationError naming the client id, not the secret', async () => {
    const wrongSecret = 'wrong-secret-0000-1111-2222';
    await assert.rejects(connect(oauthOptions(wrongSecret)), (error: unknown) => {
      assert.ok(error instanceof AuthenticationError, String(error));
      assert.match(error.message, new RegExp(`refused the OAuth client credentials of client id '${CLIENT_ID}'.*invalid_client`));
      assert.ok(!inspect(error).includes(wrongSecret), 'the secret is not in the error');
      return true;
    });
  });

  it('access tokens keep working beside OAuth', async () => {
    const connection = await connect(warehouse);
    try {
      assert.deepEqual(await (await connection.execute('SELECT 3 AS three')).fetchAll(), [{ three: 3 }]);
    } finally {
      await connection.close();
    }
  });

  it('a connection does not show the client secret or its token', async () => {
    const connection = await connect(oauthOptions());
    try {
      await (await connection.execute('SELECT 1')).fetchAll();
      const shown = inspect(connection, { depth: 10, showHidden: true });
      assert.ok(!shown.includes(CLIENT_SECRET));
      for (const { bearer } of thriftCalls()) assert.ok(!bearer || !shown.includes(bearer));
    } finally {
      await connection.close();
    }
  });

  it('reads DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET, and refuses them beside DATABRICKS_TOKEN', () => {
    const base = { DATABRICKS_HOST: 'h', DATABRICKS_HTTP_PATH: '/p' };
    assert.deepEqual(optionsFromEnvironment({ ...base, DATABRICKS_CLIENT_ID: 'id', DATABRICKS_CLIENT_SECRET: 's' }), {
      serverHostname: 'h',
      httpPath: '/p',
      oauth: { clientId: 'id', clientSecret: 's' },
    });
    assert.throws(() => optionsFromEnvironment({ ...base, DATABRICKS_CLIENT_ID: 'id' }), /DATABRICKS_CLIENT_SECRET is not set/);
    assert.throws(
      () => optionsFromEnvironment({ ...base, DATABRICKS_TOKEN: 't', DATABRICKS_CLIENT_ID: 'id', DATABRICKS_CLIENT_SECRET: 's' }),
      /both DATABRICKS_TOKEN and DATABRICKS_CLIENT_ID/,
    );
  });
});
