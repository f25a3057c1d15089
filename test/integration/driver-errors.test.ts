/**
 * Failures a user meets, against the local warehouse over real HTTP: SQL errors with their
 * sqlState, a wrong token (401), an overloaded server (503 storm) ridden out, https with a
 * private CA, and the token kept out of every error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  AuthenticationError,
  ConnectionClosedError,
  type Connection,
  DatabaseError,
  QueryNotFoundError,
  RequestError,
  ServerOperationError,
  connect,
} from '../../src/index.js';
import { type LocalWarehouse, startLocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo, startProxy } from '../support/driver-fixtures.js';

/** Fails if `error` shows `token` in its message, stack, JSON form or cause. */
function assertNoToken(error: unknown, token: string): void {
  assert.ok(error instanceof DatabaseError, String(error));
  const text = [error.message, error.stack ?? '', JSON.stringify(error), inspect(error.cause)].join('\n');
  assert.ok(!text.includes(token), `${error.name} shows the token`);
}

describe('errors', () => {
  let warehouse: LocalWarehouse;
  let connection: Connection;

  /** The error `promise` rejects with, checked on the spot for the warehouse's access token. */
  async function failure(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      assertNoToken(error, warehouse.accessToken);
      return error;
    }
    assert.fail('expected a failure');
  }

  before(async () => {
    warehouse = await startLocalWarehouse();
    connection = await connectTo(warehouse);
  });

  after(async () => {
    await connection.close();
    await warehouse.close();
  });

  it('throws ServerOperationError with the sqlState of a failed statement', async () => {
    const missing = await failure(connection.execute('SELECT * FROM no_such_table'));
    assert.ok(missing instanceof ServerOperationError);
    assert.equal(missing.name, 'ServerOperationError');
    assert.match(missing.message, /no_such_table/);
    assert.equal(missing.sqlState, '42P01');
    const syntax = await failure(connection.execute('SELEC 1'));
    assert.ok(syntax instanceof ServerOperationError);
    assert.equal(syntax.sqlState, '42601');
    const runtime = await failure(connection.execute("SELECT CAST(x AS INT) AS n FROM (SELECT 'abc' AS x)"));
    assert.ok(runtime instanceof ServerOperationError, String(runtime));
    assert.equal(runtime.sqlState, '22018');
  });

  it('throws AuthenticationError for a wrong token, without retrying and without the token', async () => {
    const proxy = await startProxy(warehouse.serverHostname);
    const wrongToken = 'dapi-wrong-token-never-to-be-printed-0001';
    try {
      const error = await failure(connect({ serverHostname: proxy.url, httpPath: warehouse.httpPath, accessToken: wrongToken }));
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.httpStatus, 401);
      assert.ok(!error.message.includes(wrongToken));
      assert.equal(proxy.seen, 1);
    } finally {
      await proxy.close();
    }
  });

  it('rides out a storm of 503 answers with Retry-After, on every kind of call', async () => {
    const proxy = await startProxy(warehouse.serverHostname);
    try {
      // Three 503s before every fourth request gets through.
      proxy.setPlan((n) => (n % 4 === 0 ? 'forward' : { status: 503, retryAfter: '0' }));
      const stormy = await connectTo(warehouse, { serverHostname: proxy.url, maxRowsPerFetch: 400 });
      try {
        const query = await stormy.executeAsync('SELECT * FROM RANGE(1000)', undefined, { directResults: false });
        const rows = await (await query.getResults()).fetchAll();
        assert.equal(rows.length, 1000);
        await query.close();
      } finally {
        await stormy.close();
      }
      assert.ok(proxy.refused >= 3 * 6, `503 answers: ${proxy.refused}`);
    } finally {
      await proxy.close();
    }
  });

  it('gives up on a server that stays overloaded, with the HTTP status', async () => {
    const proxy = await startProxy(warehouse.serverHostname, () => ({ status: 503 }));
    try {
      const error = await failure(
        connectTo(warehouse, { serverHostname: proxy.url, retry: { minDelayMs: 10, maxDelayMs: 20, maxAttempts: 4 } }),
      );
      assert.ok(error instanceof RequestError);
      assert.equal(error.httpStatus, 503);
      assert.equal(error.retryable, true);
      assert.equal(proxy.seen, 4);
    } finally {
      await proxy.close();
    }
  });

  it('connects over https with the certificate authority given in `ca`', async () => {
    const secure = await startLocalWarehouse({ tls: true });
    try {
      assert.ok(secure.serverHostname.startsWith('https://'));
      const untrusted = await failure(connectTo(secure, { retry: { maxAttempts: 1 } }));
      assert.ok(untrusted instanceof RequestError, String(untrusted));
      const trusted = await connectTo(secure, { ca: secure.caCertificate });
      try {
        assert.deepEqual(await (await trusted.execute('SELECT 1 AS one')).fetchAll(), [{ one: 1 }]);
      } finally {
        await trusted.close();
      }
    } finally {
      await secure.close();
    }
  });

  it('refuses calls on a closed connection', async () => {
    const closing = await connectTo(warehouse);
    await closing.close();
    await closing.close();
    const error = await failure(closing.execute('SELECT 1'));
    assert.ok(error instanceof ConnectionClosedError);
  });

  it('never shows the access token in a message, a serialized error or a stack', async () => {
    // One error of each kind a caller meets with the real token in play (failure() checks each).
    const sqlError = await failure(connection.execute('SELECT * FROM no_such_table'));
    assert.ok(sqlError instanceof ServerOperationError);
    const unknownQuery = await failure(
      connection.getAsyncExecution('00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000001'),
    );
    assert.ok(unknownQuery instanceof QueryNotFoundError, String(unknownQuery));
    const badHandle = await failure(connection.getAsyncExecution('bad', 'worse'));
    assert.ok(badHandle instanceof DatabaseError, String(badHandle));
    const closing = await connectTo(warehouse);
    await closing.close();
    assert.ok((await failure(closing.execute('SELECT 1'))) instanceof ConnectionClosedError);
    const proxy = await startProxy(warehouse.serverHostname, () => ({ status: 503 }));
    try {
      const overloaded = await failure(connectTo(warehouse, { serverHostname: proxy.url, retry: { maxAttempts: 1 } }));
      assert.ok(overloaded instanceof RequestError, String(overloaded));
    } finally {
      await proxy.close();
    }
  });

  it('never shows the access token when a connection or query is logged', async () => {
    const query = await connection.executeAsync('SELECT 1 AS one');
    const results = await query.getResults();
    for (const logged of [connection, query, results]) {
      const text = inspect(logged, { depth: Infinity, showHidden: true });
      assert.ok(!text.includes(warehouse.accessToken), `${logged.constructor.name} shows the token`);
    }
    await results.close();
    await query.close();
  });
});
