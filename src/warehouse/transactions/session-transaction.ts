/**
 * A session's multi-statement transaction, as Databricks SQL runs one: `BEGIN TRANSACTION`
 * (or autocommit off) opens it, the session's statements then run on one DuckDB connection
 * inside one DuckDB transaction (read-your-own-writes; no other session sees them), and
 * `COMMIT` / `ROLLBACK` end it. A statement that fails aborts it: every later statement is
 * refused until ROLLBACK. A session closed or expired with a transaction open rolls it back.
 *
 * Outside a transaction each statement keeps its own connection (autocommit), so that a
 * cancel interrupts only it; inside one, statements run one at a time on the shared connection.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlStatementError } from '../errors.js';
import type { TransactionStatement } from './transaction-statements.js';

type Connect = () => Promise<DuckDBConnection>;

/** The transaction's connection, lent to one statement until its run ends. */
export interface TransactionLease {
  readonly connection: DuckDBConnection;
  /** The statement's run ended (or it never ran): the connection is free again; a failure aborts the transaction. */
  readonly release: (failed: boolean) => void;
}

/** Statement kinds Databricks runs inside a transaction (plus the session's USE and SET). */
const ALLOWED_IN_TRANSACTION = /^\s*(?:\(\s*)*(SELECT|WITH|VALUES|FROM|TABLE|INSERT|MERGE|UPDATE|DELETE|USE|SET)\b/i;

export class SessionTransaction {
  /** False once `SET AUTOCOMMIT = FALSE`: every statement runs in a transaction. */
  #autocommit = true;
  /** The connection holding the open DuckDB transaction. */
  #connection: DuckDBConnection | undefined;
  /** A statement failed (or COMMIT did): only ROLLBACK is accepted. */
  #aborted = false;
  /** A statement holds the connection. */
  #busy = false;
  /** The session ended while a statement held the connection: roll back once it is released. */
  #closing = false;

  /** Whether a transaction is open (or aborted and waiting for ROLLBACK). */
  get active(): boolean {
    return this.#connection !== undefined || this.#aborted;
  }

  /**
   * Carries out BEGIN, COMMIT, ROLLBACK or SET AUTOCOMMIT and returns the DuckDB query whose
   * rows answer it. Throws SqlStatementError with Databricks' error class when refused.
   */
  async control(statement: TransactionStatement, connect: Connect): Promise<string> {
    switch (statement.kind) {
      case 'begin':
        if (this.active || !this.#autocommit) {
          throw new SqlStatementError(
            '[TRANSACTION_NOT_SUPPORTED.NESTED_TRANSACTION] A transaction is already active in this session; interactive transactions do not nest. COMMIT or ROLLBACK it first.',
            '0A000',
          );
        }
        await this.#open(connect);
        return EMPTY;
      case 'commit':
        await this.#commit();
        return EMPTY;
      case 'rollback':
        this.#refuseWhileBusy('ROLLBACK');
        await this.#rollback();
        this.#aborted = false;
        return EMPTY;
      case 'autocommit':
        return this.#setAutocommit(statement);
    }
  }

  /**
   * The connection an ordinary statement runs on: the transaction's (opened now when
   * autocommit is off), or undefined when no transaction is open (a connection of its own).
   */
  async lease(sql: string, connect: Connect): Promise<TransactionLease | undefined> {
    if (this.#aborted) throw abortedError();
    if (this.#connection === undefined && this.#autocommit) return undefined;
    this.#refuseWhileBusy('Another statement');
    const command = ALLOWED_IN_TRANSACTION.exec(sql);
    if (!command) {
      this.#aborted = true;
      const word = /^\s*(\w+(?:\s+\w+)?)/.exec(sql)?.[1]?.toUpperCase() ?? 'this statement';
      throw new SqlStatementError(
        `[MULTI_STATEMENT_TRANSACTION_NOT_SUPPORTED.COMMAND] Command ${word} is not supported in a multi-statement transaction. Only SELECT / INSERT / MERGE / UPDATE / DELETE are supported.`,
        '0A000',
      );
    }
    const connection = this.#connection ?? (await this.#open(connect));
    this.#busy = true;
    return {
      connection,
      release: (failed) => {
        this.#aborted ||= failed;
        this.#busy = false;
        if (this.#closing) void this.close();
      },
    };
  }

  /** Rolls back an open transaction: the session was closed or expired. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#busy) {
      // The running statement is interrupted; its release() comes back here.
      try {
        this.#connection?.interrupt();
      } catch {
        // Already ended.
      }
      return;
    }
    await this.#rollback();
  }

  async #open(connect: Connect): Promise<DuckDBConnection> {
    const connection = await connect();
    try {
      await connection.run('BEGIN TRANSACTION');
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    this.#connection = connection;
    return connection;
  }

  async #commit(): Promise<void> {
    if (this.#aborted) throw abortedError();
    if (this.#connection === undefined) {
      // With autocommit off a transaction is always open, even one with no statement yet.
      if (!this.#autocommit) return;
      throw new SqlStatementError(
        '[NO_ACTIVE_TRANSACTION] There is no active transaction to COMMIT. Start one with BEGIN TRANSACTION or SET AUTOCOMMIT = FALSE.',
        '25000',
      );
    }
    this.#refuseWhileBusy('COMMIT');
    try {
      await this.#connection.run('COMMIT');
    } catch (error) {
      // A failed COMMIT aborts the transaction (DuckDB rolls it back); ROLLBACK resets it.
      await this.#rollback();
      this.#aborted = true;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SqlStatementError(
        `[TRANSACTION_ROLLBACK_REQUIRED_AFTER_ABORT] The current transaction has been aborted: COMMIT failed (${reason}). Please run ROLLBACK TRANSACTION before continuing.`,
        '40000',
      );
    }
    this.#connection.closeSync();
    this.#connection = undefined;
  }

  #setAutocommit(statement: Extract<TransactionStatement, { kind: 'autocommit' }>): string {
    if (statement.invalid !== undefined) {
      throw new SqlStatementError(
        `[INVALID_PARAMETER_VALUE] AUTOCOMMIT must be TRUE or FALSE, got ${statement.invalid}.`,
        '22023',
      );
    }
    if (statement.value === undefined) return `SELECT '${String(this.#autocommit)}' AS autocommit`;
    if (statement.value !== this.#autocommit && this.active) {
      throw new SqlStatementError(
        '[TRANSACTION_NOT_SUPPORTED.CHANGE_AUTOCOMMIT_IN_ACTIVE_TRANSACTION] AUTOCOMMIT cannot change while a transaction is active. COMMIT or ROLLBACK it first.',
        '0A000',
      );
    }
    this.#autocommit = statement.value;
    return EMPTY;
  }

  /** Rolls back the DuckDB transaction, if any, and closes its connection. */
  async #rollback(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined) return;
    try {
      await connection.run('ROLLBACK');
    } catch {
      // Nothing to roll back: DuckDB ended the transaction itself.
    } finally {
      connection.closeSync();
    }
  }

  #refuseWhileBusy(what: string): void {
    if (this.#busy) {
      throw new SqlStatementError(
        `${what} cannot run while a statement of this session's transaction is still running: a transaction runs one statement at a time. Wait for it or cancel it.`,
        '25000',
      );
    }
  }
}

/** A statement answered by no rows. */
const EMPTY = 'SELECT 1 WHERE false';

function abortedError(): SqlStatementError {
  return new SqlStatementError(
    '[TRANSACTION_ROLLBACK_REQUIRED_AFTER_ABORT.PREVIOUS_QUERY_FAILURE] The current transaction has been aborted. Please run ROLLBACK TRANSACTION before continuing. Abort reason: the previous query in the transaction failed.',
    '40000',
  );
}
