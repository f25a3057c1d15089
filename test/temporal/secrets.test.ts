/** The worker's warehouse connection never shows the access token when it is logged. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { WarehouseConnection } from '../../activities/warehouse-connection.js';
import { startLocalWarehouse } from '../../src/warehouse/index.js';

test("console.log of the worker's warehouse connection shows no token, before and after it connects", async () => {
  const warehouse = await startLocalWarehouse({ port: 0 });
  const connection = new WarehouseConnection({
    serverHostname: warehouse.serverHostname,
    httpPath: warehouse.httpPath,
    accessToken: warehouse.accessToken,
  });
  try {
    assert.doesNotMatch(inspect(connection, { depth: 10, showHidden: true }), new RegExp(warehouse.accessToken));
    const rows = await connection.use(async (c) => (await c.execute('SELECT 1 AS one')).fetchAll());
    assert.deepEqual(rows, [{ one: 1 }]);
    assert.doesNotMatch(inspect(connection, { depth: 10, showHidden: true }), new RegExp(warehouse.accessToken));
  } finally {
    await connection.close();
    await warehouse.close();
  }
});
