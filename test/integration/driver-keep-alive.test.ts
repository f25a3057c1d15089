/**
 * A statement sent right after the event loop was held for longer than the keep-alive limits
 * (as by a large synchronous decode) must not go out on a connection the server is closing:
 * ExecuteStatement is never retried. Found in the peer suite: ECONNRESET on the TLS warehouse
 * after the official client's large read in the same process.
 *
 * When the loop is held, both undici's keep-alive timer for an idle connection and the
 * server's idle timer come due, but neither has run yet; undici's own check of an idle
 * connection before reuse waits for the check phase only, not for timers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';

/** Longer than the warehouse's idle limit: Node's announced 5 s plus its 1 s buffer. */
const HELD_MS = 7_500;

function hold(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // The event loop is held, as by a large synchronous decode.
  }
}

describe('keep-alive connections after a held event loop', () => {
  let warehouse: LocalWarehouse;
  let connection: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({ tls: true });
    connection = await connect({ ...warehouse, ca: warehouse.caCertificate });
  });

  after(async () => {
    await connection?.close();
    await warehouse?.close();
  });

  it('sends the next statement on a live connection', async () => {
    const first = await connection.execute('SELECT 1 AS one');
    assert.deepEqual(await first.fetchAll(), [{ one: 1 }]);
    // Resumed from the socket's read (poll phase): held here, then the statement at once.
    hold(HELD_MS);
    const second = await connection.execute('SELECT 2 AS two');
    assert.deepEqual(await second.fetchAll(), [{ two: 2 }]);
  });
});
