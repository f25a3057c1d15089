/**
 * The DuckDB side of the warehouse: one database instance, one connection per statement (so
 * that cancelling one interrupts only it), statements prepared with real bound parameters and
 * their results streamed chunk by chunk into Arrow batches.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Schema } from 'apache-arrow';
import { canonicalSchema, chunksToBatch } from './chunk-to-arrow.js';
import { SqlStatementError, sqlStateOf } from './errors.js';
import { ResultStore } from './result-store.js';
import { translateSql } from './sql-translate.js';
import { sparkTypeOf, type ResultColumn } from './types.js';

/** A statement parameter as a client sends it (TSparkParameter): SQL type name and text value. */
export interface StatementParameter {
  /** Set for a named `:name` marker. */
  readonly name?: string;
  /** SQL type name: STRING, INT, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP, DECIMAL(p,s), VOID, ... */
  readonly type: string;
  /** The value as text; null for NULL. */
  readonly value: string | null;
}

/** Rows per stored Arrow batch: DuckDB chunks (2048 rows) are gathered up to this. */
const ROWS_PER_BATCH = 65_536;

/** Spark type names that DuckDB spells differently. */
const DUCKDB_TYPE_NAMES: Record<string, string> = {
  STRING: 'VARCHAR',
  BINARY: 'BLOB',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  BYTE: 'TINYINT',
  SHORT: 'SMALLINT',
  LONG: 'BIGINT',
  INTEGER: 'INTEGER',
  INT: 'INTEGER',
  REAL: 'FLOAT',
};

/**
 * At most `size` statements run at once; the others wait their turn (PENDING). A running
 * DuckDB statement holds a libuv pool thread, so the limit keeps threads free for I/O.
 */
export class StatementSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  /** Resolves once a slot is free; `release` must be called after. */
  acquire(): Promise<void> {
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

export class WarehouseEngine {
  /** Runs not yet returned from DuckDB; close() waits for them. */
  private readonly active = new Set<Promise<unknown>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly slots: StatementSlots,
  ) {}

  /**
   * Opens (or creates) the database file, or an in-memory database for ':memory:'; at most
   * `maxConcurrentStatements` statements run at once.
   */
  static async open(database: string, maxConcurrentStatements: number): Promise<WarehouseEngine> {
    return new WarehouseEngine(await DuckDBInstance.create(database), new StatementSlots(maxConcurrentStatements));
  }

  /**
   * Prepares a statement on its own connection and binds its parameters. Throws
   * SqlStatementError for a statement that does not parse or bind.
   */
  async prepare(sql: string, parameters: readonly StatementParameter[]): Promise<PreparedStatement> {
    const connection = await this.instance.connect();
    try {
      const prepared = await connection.prepare(translateSql(sql)).catch(rethrowAsSqlError);
      await bindParameters(connection, prepared, parameters);
      return new PreparedStatement(connection, prepared, this.slots, (run) => {
        this.active.add(run);
        void run.catch(() => undefined).finally(() => this.active.delete(run));
      });
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  /** Closes the database once every run has returned (cancel them first to be quick). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.active]);
    this.instance.closeSync();
  }
}

/** Limits of one run. */
export interface RunLimits {
  /** The run fails (SQLSTATE 54000) when its result would hold more Arrow bytes than this. */
  readonly maxResultBytes: number;
}

/** A prepared, bound statement; `run` executes it once, `cancel` interrupts it. */
export class PreparedStatement {
  private canceled = false;
  private interrupting?: NodeJS.Timeout;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly prepared: DuckDBPreparedStatement,
    private readonly slots: StatementSlots,
    private readonly track: (run: Promise<unknown>) => void,
  ) {}

  /**
   * Waits for a free slot, calls `onStart`, runs to the end filling a ResultStore, then closes
   * the connection. Rejects with SqlStatementError on failure (SQLSTATE 57014 when cancelled).
   */
  run(limits: RunLimits, onStart: () => void): Promise<ResultStore> {
    const run = this.runInSlot(limits, onStart);
    this.track(run);
    return run;
  }

  private async runInSlot(limits: RunLimits, onStart: () => void): Promise<ResultStore> {
    await this.slots.acquire();
    try {
      if (this.canceled) throw cancelledError();
      onStart();
      const result = await this.prepared.stream();
      const columns: ResultColumn[] = result.columnNames().map((name, i) => {
        const duckdbType = result.columnType(i);
        return { name, duckdbType, sparkType: sparkTypeOf(duckdbType) };
      });
      const schema: Schema = canonicalSchema(columns);
      const store = new ResultStore(columns, schema);
      let pending: DuckDBDataChunk[] = [];
      let pendingRows = 0;
      const flush = (): void => {
        if (pendingRows > 0) store.append(chunksToBatch(schema, columns, pending));
        pending = [];
        pendingRows = 0;
        if (store.byteSize > limits.maxResultBytes) {
          throw new SqlStatementError(
            `The result is larger than this local warehouse keeps (${limits.maxResultBytes} bytes); add a LIMIT.`,
            '54000',
          );
        }
      };
      for (;;) {
        if (this.canceled) throw cancelledError();
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        pending.push(chunk);
        pendingRows += chunk.rowCount;
        if (pendingRows >= ROWS_PER_BATCH) flush();
      }
      flush();
      return store;
    } catch (error) {
      if (this.canceled) throw cancelledError();
      return rethrowAsSqlError(error);
    } finally {
      this.release();
      this.slots.release();
    }
  }

  /** Interrupts the statement if running; harmless otherwise. */
  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
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
      this.connection.closeSync();
    } catch {
      // Already released.
    }
  }
}

/** How often a cancelled statement that is still running is interrupted again. */
const INTERRUPT_RETRY_MS = 50;

/** What a cancelled run rejects with, whether it was stopped before or while running. */
function cancelledError(): SqlStatementError {
  return new SqlStatementError('The statement was cancelled.', '57014');
}

function rethrowAsSqlError(error: unknown): never {
  if (error instanceof SqlStatementError) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw new SqlStatementError(message, sqlStateOf(message));
}

async function bindParameters(
  connection: DuckDBConnection,
  prepared: DuckDBPreparedStatement,
  parameters: readonly StatementParameter[],
): Promise<void> {
  const count = prepared.parameterCount;
  // Named parameters by name; the others by their place in the list. `ordinal` is ignored:
  // the Python connector sends it as a flag (1 on every positional parameter).
  const byName = new Map<string, StatementParameter>();
  let position = 0;
  for (const p of parameters) {
    if (p.name !== undefined && p.name !== '') byName.set(p.name, p);
    else byName.set(String(++position), p);
  }
  for (let index = 1; index <= count; index++) {
    const marker = prepared.parameterName(index);
    const parameter = byName.get(marker);
    if (parameter === undefined) {
      const shown = /^\d+$/.test(marker) ? `positional parameter ${marker}` : `parameter :${marker}`;
      throw new SqlStatementError(`No value was given for ${shown}.`, '42P02');
    }
    await bindOne(connection, prepared, index, parameter);
  }
}

/** Binds one parameter with its SQL type: DuckDB itself casts the text to that type. */
async function bindOne(
  connection: DuckDBConnection,
  prepared: DuckDBPreparedStatement,
  index: number,
  parameter: StatementParameter,
): Promise<void> {
  const typeName = parameter.type.trim().toUpperCase() || 'STRING';
  if (parameter.value === null || typeName === 'VOID' || typeName === 'NULL') {
    prepared.bindNull(index);
    return;
  }
  const match = /^([A-Z_]+)\s*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/.exec(typeName);
  if (!match) {
    throw new SqlStatementError(`Parameter ${parameter.name ?? index} has an unsupported type '${parameter.type}'.`, '42704');
  }
  const duckType = (DUCKDB_TYPE_NAMES[match[1]!] ?? match[1]!) + (match[2] ?? '');
  try {
    const cast = await connection.run(`SELECT CAST($1 AS ${duckType})`, [parameter.value]);
    const chunk = await cast.fetchChunk();
    const value = chunk!.getColumnVector(0).getItem(0);
    prepared.bindValue(index, value, cast.columnType(0));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SqlStatementError(
      `Parameter ${parameter.name ?? index} ('${parameter.value}') is not a valid ${typeName}: ${message}`,
      sqlStateOf(message) === '42601' ? '42704' : '22018',
    );
  }
}
