/**
 * A handle to one query run on the server (README, "Asynchronous execution"): its status, its results,
 * cancel and close. Made by `Connection.executeAsync()` and `Connection.getAsyncExecution()`.
 *
 * Results stay on the server until `close()`: every `getResults()` reads them by absolute row
 * offset, so several handles, or a retried reader, each get the whole result.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RecordBatch } from 'apache-arrow';
import { type OperationRef, operationRefFromHandle, serverErrorOf } from '../backend/thrift-backend.js';
import {
  AsyncExecutionUnrecoverableResultError,
  DirectResultNotRecoverableError,
  InvalidArgumentError,
  QueryNotFoundError,
  ServerOperationError,
} from '../errors.js';
import { RowSetDecoder, resultLinksOf, type ResultLink } from '../results/index.js';
import type { TExecuteStatementResp, TGetOperationStatusResp, TGetResultSetMetadataResp, TRowSet } from '../thrift/index.js';
import { openDirectPages, openServerPages, type PageSource } from './page-source.js';
import type { QueryContext } from './query-context.js';
import { ResultSet } from './result-set.js';
import { AsyncExecutionStatus, operationStateName, statusFromOperationState } from './status.js';

/** Options of `getResults()`. */
export interface GetResultsOptions {
  /** First row to read (0-based); rows before it are not returned. Default 0. */
  startRowOffset?: number;
}

/** A result that came back inline with ExecuteStatement and is gone from the server. */
interface DirectResult {
  metadata?: TGetResultSetMetadataResp;
  rowSets: TRowSet[];
  decoded?: { decoder: RowSetDecoder; batches: RecordBatch[]; links: ResultLink[] };
}

export class AsyncExecution {
  private currentStatus: AsyncExecutionStatus;
  private lastError?: ServerOperationError;
  private modifiedRows?: number;
  /** Whether `lastError` is the server's own account of the failure (not just the state's name). */
  private failedOnServer = false;
  /** The result's decoder, made from one GetResultSetMetadata call and kept for every getResults(). */
  private decoder?: RowSetDecoder;
  /** That call's answer, kept for `isStagingOperation()` too. */
  private metadata?: Promise<TGetResultSetMetadataResp>;
  private closed = false;

  private constructor(
    private readonly context: QueryContext,
    private readonly operation: OperationRef,
    status: TGetOperationStatusResp | undefined,
    private readonly direct: DirectResult | undefined,
  ) {
    this.currentStatus = AsyncExecutionStatus.RUNNING;
    if (status) this.applyStatus(status);
  }

  /** @internal From the reply to ExecuteStatement. */
  static fromExecuteReply(context: QueryContext, reply: TExecuteStatementResp): AsyncExecution {
    const operation = operationRefFromHandle(reply.operationHandle!);
    const inline = reply.directResults;
    let direct: DirectResult | undefined;
    // Only a closed operation is a direct result: its rows live nowhere but in this reply.
    if (inline?.closeOperation) {
      const rowSet = inline.resultSet?.results;
      direct = { metadata: inline.resultSetMetadata, rowSets: rowSet ? [rowSet] : [] };
    }
    const execution = new AsyncExecution(context, operation, inline?.operationStatus, direct);
    if (direct && !inline?.operationStatus) execution.currentStatus = AsyncExecutionStatus.FINISHED;
    return execution;
  }

  /** @internal Picks up a query by its rebuilt handle: one GetOperationStatus call. */
  static async pickUp(context: QueryContext, operation: OperationRef): Promise<AsyncExecution> {
    const status = await context.backend.getOperationStatus(operation);
    return new AsyncExecution(context, operation, status, undefined);
  }

  /** UUID of this query run (the id in the query history). */
  get queryId(): string {
    return this.operation.queryId;
  }

  /** UUID secret; with `queryId` it lets another connection pick the query up. */
  get querySecret(): string {
    return this.operation.querySecret;
  }

  /** Last known status; `syncStatus()` refreshes it. */
  get status(): AsyncExecutionStatus {
    return this.currentStatus;
  }

  /** Why the query ABORTED, as the server said (message, sqlState); undefined otherwise. */
  get error(): ServerOperationError | undefined {
    return this.lastError;
  }

  /**
   * Rows the statement inserted, updated or deleted (INSERT, UPDATE, DELETE, MERGE), once it has
   * finished and the server reports it (Databricks and the local warehouse do); undefined
   * for other statements, like the official clients' rowcount of -1.
   */
  get modifiedRowCount(): number | undefined {
    return this.modifiedRows;
  }

  /** True when the result came back with the submission: it is cached here and gone from the server. */
  get returnedAsDirectResult(): boolean {
    return this.direct !== undefined;
  }

  get isRunning(): boolean {
    return this.currentStatus === AsyncExecutionStatus.RUNNING;
  }

  get isFinished(): boolean {
    return this.currentStatus === AsyncExecutionStatus.FINISHED;
  }

  get isCanceled(): boolean {
    return this.currentStatus === AsyncExecutionStatus.CANCELED;
  }

  /** Refreshes `status` with one round trip (none for a direct result, which is final). */
  async syncStatus(): Promise<AsyncExecutionStatus> {
    if (this.direct) return this.currentStatus;
    this.context.assertOpen();
    this.applyStatus(await this.context.backend.getOperationStatus(this.operation));
    return this.currentStatus;
  }

  /**
   * The query's rows. Blocks (polling the status) while the query runs.
   * @throws ServerOperationError when the statement failed (the server's message, `sqlState`).
   * @throws AsyncExecutionUnrecoverableResultError when the query was canceled, or ended without a
   *   result and without an error from the server (closed, timed out).
   */
  async getResults(options: GetResultsOptions = {}): Promise<ResultSet> {
    return this.openResults(options, async () => {});
  }

  /** @internal getResults() with what closing the ResultSet should do (execute() closes the query). */
  async openResults(options: GetResultsOptions, onClose: () => Promise<void>, closeWhenDone = false): Promise<ResultSet> {
    const startRowOffset = options.startRowOffset ?? 0;
    if (!Number.isSafeInteger(startRowOffset) || startRowOffset < 0) {
      throw new InvalidArgumentError('startRowOffset', `startRowOffset must be a non-negative integer, got ${startRowOffset}`);
    }
    if (!this.direct) await this.waitUntilDone();
    this.assertRecoverable();
    const { decoder, source } = this.direct
      ? this.directPages(this.direct, startRowOffset)
      : await this.serverPages(startRowOffset);
    return ResultSet.create({
      columns: decoder.columns,
      schema: decoder.arrowSchema,
      source,
      onClose,
      closeWhenDone,
      fetchAllMaxRows: this.context.results.fetchAllMaxRows,
      modifiedRowCount: this.modifiedRows,
    });
  }

  /**
   * @internal Whether the statement is a staging operation (PUT, GET, REMOVE on a volume), as
   * its result metadata says. Waits for it to finish.
   * @throws ServerOperationError when the statement failed.
   */
  async isStagingOperation(): Promise<boolean> {
    if (this.direct) return this.direct.metadata?.isStagingOperation === true;
    await this.waitUntilDone();
    this.assertRecoverable();
    return (await this.serverMetadata()).isStagingOperation === true;
  }

  /** Asks the server to cancel the query. Cancelling a finished or canceled query is not an error. */
  async cancel(): Promise<void> {
    if (this.direct || this.closed) return;
    this.context.assertOpen();
    await this.context.backend.cancelOperation(this.operation);
    if (this.currentStatus === AsyncExecutionStatus.RUNNING) this.currentStatus = AsyncExecutionStatus.CANCELED;
  }

  /** Frees the query and its results on the server (CloseOperation). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.direct) return;
    this.context.assertOpen();
    try {
      await this.context.backend.closeOperation(this.operation);
    } catch (error) {
      // Already closed (by another handle, or expired): the goal is reached.
      if (!(error instanceof QueryNotFoundError)) throw error;
    }
  }

  /** `'queryId:querySecret'`, for `Connection.getAsyncExecution()` elsewhere. */
  serialize(): string {
    if (this.direct) throw new DirectResultNotRecoverableError(this.queryId);
    return `${this.queryId}:${this.querySecret}`;
  }

  private applyStatus(status: TGetOperationStatusResp): void {
    this.currentStatus = statusFromOperationState(status.operationState);
    if (status.numModifiedRows !== undefined && status.numModifiedRows !== null) {
      this.modifiedRows = status.numModifiedRows.toNumber();
    }
    if (this.currentStatus !== AsyncExecutionStatus.ABORTED) {
      this.lastError = undefined;
      this.failedOnServer = false;
      return;
    }
    const state = operationStateName(status.operationState);
    this.lastError = serverErrorOf(status, `query ${this.queryId} ended in state ${state}`, this.queryId);
    this.failedOnServer = Boolean(status.errorMessage || status.displayMessage || status.sqlState);
  }

  private async waitUntilDone(): Promise<void> {
    let wait = this.context.poll.minDelayMs;
    await this.syncStatus();
    while (this.isRunning) {
      await delay(wait);
      wait = Math.min(this.context.poll.maxDelayMs, Math.ceil(wait * 1.5));
      await this.syncStatus();
    }
  }

  private assertRecoverable(): void {
    const status = this.currentStatus;
    if (status === AsyncExecutionStatus.FINISHED || status === AsyncExecutionStatus.RUNNING) return;
    // A failed statement throws what execute() would: the server's message and sqlState.
    if (this.lastError && this.failedOnServer) throw this.lastError;
    throw new AsyncExecutionUnrecoverableResultError(this.queryId, status, this.lastError?.message);
  }

  private directPages(direct: DirectResult, startRowOffset: number): { decoder: RowSetDecoder; source: PageSource } {
    if (!direct.decoded) {
      if (!direct.metadata)
        throw new ServerOperationError(`the direct result of query ${this.queryId} came without result metadata`);
      const decoder = new RowSetDecoder(direct.metadata);
      const links = direct.rowSets.flatMap((rowSet) => resultLinksOf(rowSet));
      const batches = links.length > 0 ? [] : direct.rowSets.flatMap((rowSet) => decoder.decode(rowSet));
      direct.decoded = { decoder, batches, links };
    }
    const { decoder } = direct.decoded;
    return { decoder, source: openDirectPages(decoder, direct.decoded, startRowOffset, this.context.results) };
  }

  private serverMetadata(): Promise<TGetResultSetMetadataResp> {
    this.context.assertOpen();
    const metadata = (this.metadata ??= this.context.backend.getResultSetMetadata(this.operation));
    // A failed call is not kept: the next one asks again.
    metadata.catch(() => {
      if (this.metadata === metadata) this.metadata = undefined;
    });
    return metadata;
  }

  private async serverPages(startRowOffset: number): Promise<{ decoder: RowSetDecoder; source: PageSource }> {
    this.context.assertOpen();
    this.decoder ??= new RowSetDecoder(await this.serverMetadata());
    const decoder = this.decoder;
    const { backend, fetchSizes, capabilities, results } = this.context;
    const source = openServerPages({
      backend,
      operation: this.operation,
      decoder,
      sizes: fetchSizes,
      rowOffsets: capabilities.spark,
      startRowOffset,
      results,
    });
    return { decoder, source };
  }
}
