/**
 * One prepared, bound statement on its own DuckDB connection: run once into a ResultStore,
 * cancel at any moment (waiting, held or running).
 */
import { StatementType, type DuckDBConnection, type DuckDBDataChunk, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Schema } from 'apache-arrow';
import { canonicalSchema, chunksToBatch } from '../encoding/chunk-to-arrow.js';
import { databricksErrorOf } from '../dialect/error-classes.js';
import { countModified, summaryQuery, type ResultShape } from './dml-results.js';
import { SqlStatementError } from '../errors.js';
import type { ResultStore } from '../result-storage/result-store.js';
import type { StatementSlots } from './statement-slots.js';
import { sparkTypeOf, type ResultColumn } from '../types.js';

/** Rows per stored Arrow batch: DuckDB chunks (2048 rows) are gathered up to this. */
const ROWS_PER_BATCH = 65_536;

/** Makes the (spooled) store a run fills, once the result's columns are known. */
export type StoreFactory = (columns: readonly ResultColumn[], schema: Schema) => Promise<ResultStore>;

/** Calls a run makes on its way. */
export interface RunHooks {
  /** Called once the statement has a slot and is about to run. */
  readonly onStart: () => void;
  /** Awaited after `onStart`, before DuckDB executes the statement; a cancel ends the wait. */
  readonly hold?: () => Promise<void>;
  /** Keep at most this many rows (the client's resultRowLimit); the rest are never read. */
  readonly rowLimit?: number;
}

/** A prepared, bound statement; `run` executes it once, `cancel` interrupts it. */
export class PreparedStatement {
  private canceled = false;
  private failed = false;
  private modified: number | undefined;
  private interrupting?: NodeJS.Timeout;
  private readonly cancelSignal: Promise<void>;
  private signalCancel!: () => void;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly prepared: DuckDBPreparedStatement,
    private readonly slots: StatementSlots,
    private readonly shape: ResultShape,
    private readonly track: (run: Promise<unknown>) => void,
    /**
     * Frees the connection once the run has ended, saying whether the run failed; a
     * transaction's connection is kept, not closed, and a failed run aborts the transaction.
     */
    private releaseConnection: (failed: boolean) => void = () => connection.closeSync(),
    /** A staging statement (PUT, GET, REMOVE): its one row tells the client what to transfer. */
    readonly staging = false,
  ) {
    this.cancelSignal = new Promise((resolve) => (this.signalCancel = resolve));
  }

  /** Rows an INSERT, UPDATE, DELETE or MERGE changed, once it has run; undefined for others. */
  get modifiedRows(): number | undefined {
    return this.modified;
  }

  /**
   * Waits for a free slot, calls `onStart`, awaits `hold`, runs to the end filling a
   * ResultStore, then closes the connection. Rejects with SqlStatementError on failure
   * (SQLSTATE 57014 when cancelled).
   */
  run(createStore: StoreFactory, hooks: RunHooks): Promise<ResultStore> {
    const run = this.runInSlot(createStore, hooks);
    this.track(run);
    return run;
  }

  private async runInSlot(createStore: StoreFactory, hooks: RunHooks): Promise<ResultStore> {
    await this.slots.acquire();
    let store: ResultStore | undefined;
    try {
      if (this.canceled) throw cancelledError();
      hooks.onStart();
      if (hooks.hold) await Promise.race([hooks.hold(), this.cancelSignal]);
      if (this.canceled) throw cancelledError();
      let result = await this.prepared.stream();
      // DuckDB's own answer to DML and DDL is replaced by Databricks' (dml-results.ts).
      const shape = result.statementType === StatementType.SELECT ? 'rows' : this.shape.kind;
      if (this.shape.kind === 'dml' && shape === 'dml') {
        const counts = await countModified(result, this.shape.dml, () => this.canceled);
        if (this.canceled) throw cancelledError();
        this.modified = counts.affected;
        result = await this.connection.stream(summaryQuery(this.shape.dml, counts));
      } else if (shape === 'ddl') {
        while (((await result.fetchChunk())?.rowCount ?? 0) > 0) if (this.canceled) throw cancelledError();
        return await createStore([], canonicalSchema([]));
      }
      const columns: ResultColumn[] = result.columnNames().map((name, i) => {
        const duckdbType = result.columnType(i);
        return { name, duckdbType, sparkType: sparkTypeOf(duckdbType) };
      });
      const schema: Schema = canonicalSchema(columns);
      const filling = await createStore(columns, schema);
      store = filling;
      let pending: DuckDBDataChunk[] = [];
      let pendingRows = 0;
      let left = hooks.rowLimit ?? Number.POSITIVE_INFINITY;
      // Each full batch is written before the next chunk is fetched: memory holds one batch.
      const flush = async (): Promise<void> => {
        if (pendingRows > 0) await filling.append(chunksToBatch(schema, columns, pending));
        pending = [];
        pendingRows = 0;
      };
      for (;;) {
        if (this.canceled) throw cancelledError();
        if (left <= 0) break;
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        if (chunk.rowCount > left) chunk.rowCount = left;
        left -= chunk.rowCount;
        pending.push(chunk);
        pendingRows += chunk.rowCount;
        if (pendingRows >= ROWS_PER_BATCH) await flush();
      }
      await flush();
      return filling;
    } catch (error) {
      this.failed = true;
      await store?.release();
      if (this.canceled) throw cancelledError();
      throw databricksErrorOf(error);
    } finally {
      this.release();
      this.slots.release();
    }
  }

  /** Interrupts the statement if running; harmless otherwise. */
  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    this.signalCancel();
    const interrupt = (): void => {
      try {
        this.connection.interrupt();
      } catch {
        // The connection may already be closed: the statement ended.
      }
    };
    interrupt();
    // DuckDB clears a connection's interrupt flag when a statement begins, so an interrupt that
    // lands between our last check and the start of execution is lost (the window widens under
    // load). Interrupt again until the run has ended and release() stops this.
    this.interrupting = setInterval(interrupt, INTERRUPT_RETRY_MS);
    this.interrupting.unref();
  }

  /** Frees the statement and its connection; called once its run has ended, whichever way. */
  release(): void {
    clearInterval(this.interrupting);
    try {
      this.prepared.destroySync();
    } catch {
      // Already released.
    }
    const releaseConnection = this.releaseConnection;
    this.releaseConnection = () => undefined;
    try {
      releaseConnection(this.failed || this.canceled);
    } catch {
      // Already closed.
    }
  }
}

/** How often a cancelled statement that is still running is interrupted again. */
const INTERRUPT_RETRY_MS = 50;

/** What a cancelled run rejects with, whether it was stopped before or while running. */
function cancelledError(): SqlStatementError {
  return new SqlStatementError('The statement was cancelled.', '57014');
}
