/**
 * Multi-statement transactions through our driver against the local warehouse: BEGIN /
 * COMMIT / ROLLBACK and autocommit off, seen from the session itself and from another one,
 * with Databricks' error classes, and a session closed or expired mid-transaction rolling back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerOperationError, type Connection } from '../../src/index.js';
import { startLocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo, rowsOf, useLocalWarehouse } from '../support/driver-fixtures.js';
import { waitFor } from '../support/wait.js';

async function ids(connection: Connection, table: string): Promise<number[]> {
  return (await rowsOf(connection, `SELECT id FROM ${table} ORDER BY id`)).map((row) => row.id as number);
}

/** The error a statement fails with: its SQLSTATE and its message's error class. */
async function failure(promise: Promise<unknown>): Promise<{ sqlState?: string; errorClass?: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ServerOperationError)) throw error;
    return { sqlState: error.sqlState, errorClass: /\[([A-Z_.]+)\]/.exec(error.message)?.[1] };
  }
  assert.fail('the statement succeeded');
}

describe('transactions on the local warehouse', () => {
  const local = useLocalWarehouse({ sessions: 2 });

  it('shows a transaction its own writes, other sessions none until COMMIT', async () => {
    await rowsOf(local.connection, 'CREATE OR REPLACE TABLE accounts (id INT, balance INT)');
    await rowsOf(local.connection, 'BEGIN TRANSACTION');
    await rowsOf(local.connection, 'INSERT INTO accounts VALUES (1, 100), (2, 50)');
    await rowsOf(local.connection, 'UPDATE accounts SET balance = balance - 30 WHERE id = 1');
    assert.deepEqual(await rowsOf(local.connection, 'SELECT balance FROM accounts WHERE id = 1'), [{ balance: 70 }]);
    assert.deepEqual(await ids(local.otherConnection, 'accounts'), []);
    await rowsOf(local.connection, 'COMMIT');
    assert.deepEqual(await ids(local.otherConnection, 'accounts'), [1, 2]);
  });

  it('discards every change of a rolled-back transaction', async () => {
    await rowsOf(local.connection, 'CREATE OR REPLACE TABLE events (id INT)');
    await rowsOf(local.connection, 'INSERT INTO events VALUES (1)');
    await rowsOf(local.connection, 'BEGIN WORK');
    await rowsOf(local.connection, 'INSERT INTO events VALUES (2)');
    await rowsOf(local.connection, 'DELETE FROM events WHERE id = 1');
    assert.deepEqual(await ids(local.connection, 'events'), [2]);
    await rowsOf(local.connection, 'ROLLBACK');
    assert.deepEqual(await ids(local.connection, 'events'), [1]);
    assert.deepEqual(await ids(local.otherConnection, 'events'), [1]);
  });

  it('answers COMMIT without a transaction and a nested BEGIN with Databricks error classes; ROLLBACK is harmless', async () => {
    assert.deepEqual(await failure(rowsOf(local.connection, 'COMMIT')), {
      sqlState: '25000',
      errorClass: 'NO_ACTIVE_TRANSACTION',
    });
    await rowsOf(local.connection, 'ROLLBACK');
    await rowsOf(local.connection, 'BEGIN TRANSACTION');
    assert.deepEqual(await failure(rowsOf(local.connection, 'BEGIN TRANSACTION')), {
      sqlState: '0A000',
      errorClass: 'TRANSACTION_NOT_SUPPORTED.NESTED_TRANSACTION',
    });
    assert.equal(
      (await failure(rowsOf(local.connection, 'CREATE TABLE t_in_tx (id INT)'))).errorClass,
      'MULTI_STATEMENT_TRANSACTION_NOT_SUPPORTED.COMMAND',
    );
    await rowsOf(local.connection, 'ROLLBACK');
  });

  it('refuses every statement after a failed one until ROLLBACK, then works again', async () => {
    await rowsOf(local.connection, 'CREATE OR REPLACE TABLE ledger (id INT)');
    await rowsOf(local.connection, 'BEGIN TRANSACTION');
    await rowsOf(local.connection, 'INSERT INTO ledger VALUES (1)');
    assert.equal(
      (await failure(rowsOf(local.connection, "INSERT INTO ledger SELECT CAST('x' AS INT)"))).errorClass,
      'CAST_INVALID_INPUT',
    );
    const refused = await failure(rowsOf(local.connection, 'SELECT count(*) FROM ledger'));
    assert.equal(refused.sqlState, '40000');
    assert.match(refused.errorClass ?? '', /^TRANSACTION_ROLLBACK_REQUIRED_AFTER_ABORT/);
    assert.equal((await failure(rowsOf(local.connection, 'COMMIT'))).sqlState, '40000');
    await rowsOf(local.connection, 'ROLLBACK');
    assert.deepEqual(await ids(local.connection, 'ledger'), []);
    await rowsOf(local.connection, 'INSERT INTO ledger VALUES (5)');
    assert.deepEqual(await ids(local.otherConnection, 'ledger'), [5]);
  });

  it('with SET AUTOCOMMIT = FALSE, groups statements until COMMIT and starts a new transaction after it', async () => {
    await rowsOf(local.connection, 'CREATE OR REPLACE TABLE logs (id INT)');
    assert.deepEqual(await rowsOf(local.connection, 'SET AUTOCOMMIT'), [{ autocommit: 'true' }]);
    await rowsOf(local.connection, 'SET AUTOCOMMIT = FALSE');
    assert.deepEqual(await rowsOf(local.connection, 'SET AUTOCOMMIT'), [{ autocommit: 'false' }]);
    await rowsOf(local.connection, 'INSERT INTO logs VALUES (1)');
    assert.deepEqual(await ids(local.otherConnection, 'logs'), []);
    await rowsOf(local.connection, 'COMMIT');
    await rowsOf(local.connection, 'INSERT INTO logs VALUES (2)');
    assert.equal(
      (await failure(rowsOf(local.connection, 'SET AUTOCOMMIT = TRUE'))).errorClass,
      'TRANSACTION_NOT_SUPPORTED.CHANGE_AUTOCOMMIT_IN_ACTIVE_TRANSACTION',
    );
    await rowsOf(local.connection, 'ROLLBACK');
    await rowsOf(local.connection, 'SET AUTOCOMMIT = TRUE');
    assert.deepEqual(await ids(local.otherConnection, 'logs'), [1]);
    assert.deepEqual(await failure(rowsOf(local.connection, 'COMMIT')), {
      sqlState: '25000',
      errorClass: 'NO_ACTIVE_TRANSACTION',
    });
  });

  it('rolls back a transaction left open by a session that closes', async () => {
    const leaving = await connectTo(local.warehouse);
    await rowsOf(leaving, 'CREATE OR REPLACE TABLE orders (id INT)');
    await rowsOf(leaving, 'BEGIN TRANSACTION');
    await rowsOf(leaving, 'INSERT INTO orders VALUES (1)');
    await leaving.close();
    assert.deepEqual(await ids(local.otherConnection, 'orders'), []);
    await rowsOf(local.otherConnection, 'INSERT INTO orders VALUES (2)');
    assert.deepEqual(await ids(local.otherConnection, 'orders'), [2]);
  });
});

describe('a transaction in a session that expires', () => {
  it('is rolled back when the session expires', async () => {
    const warehouse = await startLocalWarehouse({ sessionIdleTimeoutMs: 1_500 });
    const idle = await connectTo(warehouse);
    const checker = await connectTo(warehouse);
    try {
      await rowsOf(idle, "CREATE OR REPLACE TABLE shipments AS SELECT 1 AS id, 'new' AS state");
      await rowsOf(idle, 'BEGIN TRANSACTION');
      await rowsOf(idle, "UPDATE shipments SET state = 'held' WHERE id = 1");
      // While the idle session's transaction holds the row, another session's update conflicts.
      assert.ok(await failure(rowsOf(checker, "UPDATE shipments SET state = 'sent' WHERE id = 1")));
      await waitFor(
        'the expired session to roll back',
        async () => {
          await rowsOf(checker, "UPDATE shipments SET state = 'sent' WHERE id = 1").catch(() => undefined);
          return (await rowsOf(checker, 'SELECT state FROM shipments'))[0]?.state === 'sent';
        },
        { timeoutMs: 30_000 },
      );
    } finally {
      await idle.close().catch(() => undefined);
      await checker.close();
      await warehouse.close();
    }
  });
});
