/**
 * Multi-statement transactions through our driver against the local warehouse: BEGIN /
 * COMMIT / ROLLBACK and autocommit off, seen from the session itself and from another one,
 * with Databricks' error classes, and a session closed or expired mid-transaction rolling back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerOperationError, type Connection } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';
import { waitFor } from '../support/wait.js';

async function rows(connection: Connection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.execute(sql)).fetchAll();
}

async function ids(connection: Connection, table: string): Promise<number[]> {
  return (await rows(connection, `SELECT id FROM ${table} ORDER BY id`)).map((row) => row.id as number);
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
  let warehouse: LocalWarehouse;
  let mine: Connection;
  let other: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse({});
    mine = await connectTo(warehouse);
    other = await connectTo(warehouse);
  });
  after(async () => {
    await mine?.close();
    await other?.close();
    await warehouse?.close();
  });

  it('shows a transaction its own writes, other sessions none until COMMIT', async () => {
    await rows(mine, 'CREATE OR REPLACE TABLE accounts (id INT, balance INT)');
    await rows(mine, 'BEGIN TRANSACTION');
    await rows(mine, 'INSERT INTO accounts VALUES (1, 100), (2, 50)');
    await rows(mine, 'UPDATE accounts SET balance = balance - 30 WHERE id = 1');
    assert.deepEqual(await rows(mine, 'SELECT balance FROM accounts WHERE id = 1'), [{ balance: 70 }]);
    assert.deepEqual(await ids(other, 'accounts'), []);
    await rows(mine, 'COMMIT');
    assert.deepEqual(await ids(other, 'accounts'), [1, 2]);
  });

  it('discards every change of a rolled-back transaction', async () => {
    await rows(mine, 'CREATE OR REPLACE TABLE events (id INT)');
    await rows(mine, 'INSERT INTO events VALUES (1)');
    await rows(mine, 'BEGIN WORK');
    await rows(mine, 'INSERT INTO events VALUES (2)');
    await rows(mine, 'DELETE FROM events WHERE id = 1');
    assert.deepEqual(await ids(mine, 'events'), [2]);
    await rows(mine, 'ROLLBACK');
    assert.deepEqual(await ids(mine, 'events'), [1]);
    assert.deepEqual(await ids(other, 'events'), [1]);
  });

  it('answers COMMIT without a transaction and a nested BEGIN with Databricks error classes; ROLLBACK is harmless', async () => {
    assert.deepEqual(await failure(rows(mine, 'COMMIT')), { sqlState: '25000', errorClass: 'NO_ACTIVE_TRANSACTION' });
    await rows(mine, 'ROLLBACK');
    await rows(mine, 'BEGIN TRANSACTION');
    assert.deepEqual(await failure(rows(mine, 'BEGIN TRANSACTION')), {
      sqlState: '0A000',
      errorClass: 'TRANSACTION_NOT_SUPPORTED.NESTED_TRANSACTION',
    });
    assert.equal(
      (await failure(rows(mine, 'CREATE TABLE t_in_tx (id INT)'))).errorClass,
      'MULTI_STATEMENT_TRANSACTION_NOT_SUPPORTED.COMMAND',
    );
    await rows(mine, 'ROLLBACK');
  });

  it('refuses every statement after a failed one until ROLLBACK, then works again', async () => {
    await rows(mine, 'CREATE OR REPLACE TABLE ledger (id INT)');
    await rows(mine, 'BEGIN TRANSACTION');
    await rows(mine, 'INSERT INTO ledger VALUES (1)');
    assert.equal((await failure(rows(mine, "INSERT INTO ledger SELECT CAST('x' AS INT)"))).errorClass, 'CAST_INVALID_INPUT');
    const refused = await failure(rows(mine, 'SELECT count(*) FROM ledger'));
    assert.equal(refused.sqlState, '40000');
    assert.match(refused.errorClass ?? '', /^TRANSACTION_ROLLBACK_REQUIRED_AFTER_ABORT/);
    assert.equal((await failure(rows(mine, 'COMMIT'))).sqlState, '40000');
    await rows(mine, 'ROLLBACK');
    assert.deepEqual(await ids(mine, 'ledger'), []);
    await rows(mine, 'INSERT INTO ledger VALUES (5)');
    assert.deepEqual(await ids(other, 'ledger'), [5]);
  });

  it('with SET AUTOCOMMIT = FALSE, groups statements until COMMIT and starts a new transaction after it', async () => {
    await rows(mine, 'CREATE OR REPLACE TABLE logs (id INT)');
    assert.deepEqual(await rows(mine, 'SET AUTOCOMMIT'), [{ autocommit: 'true' }]);
    await rows(mine, 'SET AUTOCOMMIT = FALSE');
    assert.deepEqual(await rows(mine, 'SET AUTOCOMMIT'), [{ autocommit: 'false' }]);
    await rows(mine, 'INSERT INTO logs VALUES (1)');
    assert.deepEqual(await ids(other, 'logs'), []);
    await rows(mine, 'COMMIT');
    await rows(mine, 'INSERT INTO logs VALUES (2)');
    assert.equal(
      (await failure(rows(mine, 'SET AUTOCOMMIT = TRUE'))).errorClass,
      'TRANSACTION_NOT_SUPPORTED.CHANGE_AUTOCOMMIT_IN_ACTIVE_TRANSACTION',
    );
    await rows(mine, 'ROLLBACK');
    await rows(mine, 'SET AUTOCOMMIT = TRUE');
    assert.deepEqual(await ids(other, 'logs'), [1]);
    assert.deepEqual(await failure(rows(mine, 'COMMIT')), { sqlState: '25000', errorClass: 'NO_ACTIVE_TRANSACTION' });
  });

  it('rolls back a transaction left open by a session that closes', async () => {
    const leaving = await connectTo(warehouse);
    await rows(leaving, 'CREATE OR REPLACE TABLE orders (id INT)');
    await rows(leaving, 'BEGIN TRANSACTION');
    await rows(leaving, 'INSERT INTO orders VALUES (1)');
    await leaving.close();
    assert.deepEqual(await ids(other, 'orders'), []);
    await rows(other, 'INSERT INTO orders VALUES (2)');
    assert.deepEqual(await ids(other, 'orders'), [2]);
  });
});

describe('a transaction in a session that expires', () => {
  it('is rolled back when the session expires', async () => {
    const warehouse = await startLocalWarehouse({ sessionIdleTimeoutMs: 1_500 });
    const idle = await connectTo(warehouse);
    const checker = await connectTo(warehouse);
    try {
      await rows(idle, "CREATE OR REPLACE TABLE shipments AS SELECT 1 AS id, 'new' AS state");
      await rows(idle, 'BEGIN TRANSACTION');
      await rows(idle, "UPDATE shipments SET state = 'held' WHERE id = 1");
      // While the idle session's transaction holds the row, another session's update conflicts.
      assert.ok(await failure(rows(checker, "UPDATE shipments SET state = 'sent' WHERE id = 1")));
      await waitFor(
        'the expired session to roll back',
        async () => {
          await rows(checker, "UPDATE shipments SET state = 'sent' WHERE id = 1").catch(() => undefined);
          return (await rows(checker, 'SELECT state FROM shipments'))[0]?.state === 'sent';
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
