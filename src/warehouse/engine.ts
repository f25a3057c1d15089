/**
 * The DuckDB side of the warehouse: one database instance, one connection per statement (so
 * that cancelling one interrupts only it), statements prepared with real bound parameters and
 * their results streamed chunk by chunk into Arrow batches.
 */
import { setFlagsFromString } from 'node:v8';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { bindParameters, type StatementParameter } from './statements/parameter-binding.js';
import { resultShapeOf, withMergeActions, type ResultShape } from './statements/dml-results.js';
import { PreparedStatement } from './statements/prepared-statement.js';
import { loadDialect } from './dialect/polyglot.js';
import { prepareDatabricksSql } from './dialect/prepare.js';
import { enterSession, type SessionState } from './dialect/session-state.js';
import { databricksErrorOf } from './dialect/error-classes.js';
import { transactionStatementOf } from './transactions/transaction-statements.js';
import { stagingStatementOf } from './staging/staging-statements.js';
import type { VolumeFiles } from './staging/volume-files.js';
import { metadataQuery, type MetadataRequest } from './metadata/calls.js';
import { installSparkFunctions } from './dialect/spark-functions.js';
import type { CatalogNames } from './sql-translate.js';
import { StatementSlots } from './statements/statement-slots.js';

export class WarehouseEngine {
  /** Runs not yet returned from DuckDB; close() waits for them. */
  private readonly active = new Set<Promise<unknown>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly slots: StatementSlots,
    private readonly names: CatalogNames,
    /** The volumes staging statements reach. */
    private readonly volumes: VolumeFiles,
  ) {}

  /**
   * Opens (or creates) the database file, or an in-memory database for ':memory:'; at most
   * `maxConcurrentStatements` statements run at once; staging statements reach `volumes`.
   */
  static async open(database: string, maxConcurrentStatements: number, volumes: VolumeFiles): Promise<WarehouseEngine> {
    // The transpiler compiles while DuckDB opens; the warehouse counts as started only once both
    // are ready, so no client's first statement (or short-lived token) waits out the compile.
    baselineWasmOnly();
    const dialect = loadDialect();
    dialect.catch(() => undefined);
    const instance = await DuckDBInstance.create(database);
    try {
      await dialect;
    } catch (error) {
      instance.closeSync();
      throw error;
    }
    const setup = await instance.connect();
    try {
      await installSparkFunctions(setup);
      const primary = (await setup.runAndReadAll('SELECT current_database()')).getRows()[0]![0] as string;
      return new WarehouseEngine(instance, new StatementSlots(maxConcurrentStatements), { primary }, volumes);
    } finally {
      setup.closeSync();
    }
  }

  /**
   * Prepares a statement on its own connection and binds its parameters. Throws
   * SqlStatementError for a statement that does not parse or bind.
   */
  async prepare(sql: string, parameters: readonly StatementParameter[], session?: SessionState): Promise<PreparedStatement> {
    // BEGIN / COMMIT / ROLLBACK / SET AUTOCOMMIT act on the session's transaction; a statement
    // inside a transaction runs on the transaction's connection (transactions/).
    const connect = (): Promise<DuckDBConnection> => this.instance.connect();
    // PUT / GET / REMOVE are answered with a presigned URL (staging/).
    const staging = stagingStatementOf(sql);
    const control = session && !staging ? transactionStatementOf(sql) : undefined;
    const answer = staging
      ? await this.volumes.answer(staging)
      : control
        ? await session!.transaction.control(control, connect).catch(asSqlError)
        : undefined;
    const lease = session && answer === undefined ? await session.transaction.lease(sql, connect).catch(asSqlError) : undefined;
    const connection = lease?.connection ?? (await connect());
    try {
      const shape: ResultShape = answer !== undefined ? { kind: 'rows' } : resultShapeOf(sql);
      let prepared =
        answer !== undefined
          ? await connection.prepare(answer)
          : await prepareDatabricksSql(connection, sql, this.names, session, parameters);
      if (shape.kind === 'dml' && shape.dml === 'merge') prepared = await withMergeActions(connection, prepared, sql, this.names);
      await bindParameters(connection, prepared, parameters);
      return new PreparedStatement(connection, prepared, this.slots, shape, this.#track, lease?.release, staging !== undefined);
    } catch (error) {
      if (lease) lease.release(true);
      else connection.closeSync();
      throw error;
    }
  }

  /** Keeps a run in `active` until it settles, so close() waits for it. */
  readonly #track = (run: Promise<unknown>): void => {
    this.active.add(run);
    void run.catch(() => undefined).finally(() => this.active.delete(run));
  };

  /** Prepares the query that answers a catalog call, on a connection in the session's state. */
  async prepareMetadata(request: MetadataRequest, session?: SessionState): Promise<PreparedStatement> {
    const connection = await this.instance.connect();
    try {
      if (session !== undefined) await enterSession(connection, session, this.names);
      const sql = await metadataQuery(connection, request, this.names);
      const prepared = await connection.prepare(sql);
      return new PreparedStatement(connection, prepared, this.slots, { kind: 'rows' }, this.#track);
    } catch (error) {
      connection.closeSync();
      throw databricksErrorOf(error);
    }
  }

  /** Closes the database once every run has returned (cancel them first to be quick). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.active]);
    this.instance.closeSync();
  }
}

/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff) in a process that runs a warehouse.
 * The transpiler is 22 MB of WebAssembly; by default V8 recompiles its hot functions with its
 * optimizing compiler as statements run, which took the warehouse from about 260 MiB to over
 * 400 MiB at its peak and cost seconds of CPU while the first large result was spilled
 * (bench:stream). Transpiling on baseline code costs well under a millisecond per statement.
 * Node's own option for this (`--liftoff-only`), or any other wasm tiering option the user
 * started node with, is left as given.
 */
function baselineWasmOnly(): void {
  if (process.execArgv.some((arg) => /^--(no-)?(liftoff|wasm-tier|wasm-dynamic-tiering)/.test(arg))) return;
  setFlagsFromString('--liftoff-only');
}

function asSqlError(error: unknown): never {
  throw databricksErrorOf(error);
}
