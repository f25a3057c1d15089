/**
 * Peer: what a lost session means on Apache Spark's Thrift server, checked by restarting the
 * server at the same address under an open connection of our driver. The next statement finds
 * the session gone ("Invalid SessionHandle") and runs on a reopened one; a query of the old
 * session is gone with it ("Invalid OperationHandle": QueryNotFoundError). README, "Lost sessions".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncExecutionStatus, connect, type Connection, QueryNotFoundError } from '../../src/index.js';
import { freePort } from './support/processes.js';
import { provision } from './support/provision.js';
import { startSparkThriftServer, type SparkThriftServer } from './support/spark-server.js';

const LONG_RUNNING = 'SELECT sum(id * 2) FROM range(1000000000000)';

const provisioned = await provision('spark-thriftserver.sh', ['fetch'], ['java', 'mvn']);

if (!provisioned.ok) {
  test('Spark Thrift server: lost sessions', { skip: `provisioning impossible: ${provisioned.skipReason}` }, () => {});
} else {
  describe("a lost session on Apache Spark's Thrift server", () => {
    let port: number;
    let server: SparkThriftServer;
    let conn: Connection;

    before(async () => {
      port = await freePort();
      server = await startSparkThriftServer(port);
      conn = await connect({
        serverHostname: server.serverHostname,
        httpPath: server.httpPath,
        auth: { username: 'peer', password: 'authentication is NONE' },
      });
    });
    after(async () => {
      await conn?.close().catch(() => undefined);
      await server?.close();
    });

    test('after a restart: the query of the lost session is not found, the next statement runs on a new session', async () => {
      const running = await conn.executeAsync(LONG_RUNNING);
      assert.equal(await running.syncStatus(), AsyncExecutionStatus.RUNNING);

      await server.close();
      server = await startSparkThriftServer(port);
      console.log(`# spark thrift server restarted in ${server.startupMs} ms`);

      await assert.rejects(running.syncStatus(), (error: unknown) => {
        assert.ok(error instanceof QueryNotFoundError, `got ${String(error)}`);
        assert.match(error.message, /Invalid OperationHandle/);
        return true;
      });
      const rows = await (await conn.execute('SELECT 1 AS one')).fetchAll();
      assert.deepEqual(rows, [{ one: 1 }]);
    });
  });
}
