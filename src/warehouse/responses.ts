/**
 * Builds the Thrift responses that describe an operation and carry its rows: status,
 * result set metadata and fetched row sets, in the format the submitting client asked for.
 */
import Int64 from 'node-int64';
import {
  TGetOperationStatusResp,
  TGetResultSetMetadataResp,
  TFetchResultsResp,
  TOperationState,
  TRowSet,
  TSparkArrowBatch,
  TSparkRowSetType,
  TStatus,
  TStatusCode,
} from '../thrift/index.js';
import { ArrowWireEncoder } from './arrow-encode.js';
import { encodeColumns } from './column-encode.js';
import { SqlStatementError } from './errors.js';
import type { Operation } from './operations.js';
import type { ResultStore } from './result-store.js';
import { tableSchemaOf } from './types.js';

export function successStatus(): TStatus {
  return new TStatus({ statusCode: TStatusCode.SUCCESS_STATUS });
}

export function errorStatus(message: string, sqlState?: string, code = TStatusCode.ERROR_STATUS): TStatus {
  return new TStatus({ statusCode: code, errorMessage: message, displayMessage: message, sqlState });
}

const STATES: Record<Operation['state'], TOperationState> = {
  PENDING: TOperationState.PENDING_STATE,
  RUNNING: TOperationState.RUNNING_STATE,
  FINISHED: TOperationState.FINISHED_STATE,
  CANCELED: TOperationState.CANCELED_STATE,
  ERROR: TOperationState.ERROR_STATE,
  CLOSED: TOperationState.CLOSED_STATE,
};

export function operationStatus(operation: Operation): TGetOperationStatusResp {
  const response = new TGetOperationStatusResp({
    status: successStatus(),
    operationState: operation.timedOut ? TOperationState.TIMEDOUT_STATE : STATES[operation.state],
    hasResultSet: true,
    operationStarted: new Int64(operation.record.submittedAt.getTime()),
  });
  if (operation.record.endedAt) response.operationCompleted = new Int64(operation.record.endedAt.getTime());
  if (operation.error) {
    response.errorMessage = operation.error.message;
    response.displayMessage = operation.error.message;
    response.sqlState = operation.error.sqlState;
  }
  return response;
}

/** The finished result, or the SqlStatementError a client reading it now should see. */
export function finishedStore(operation: Operation): ResultStore {
  if (operation.state === 'FINISHED' && operation.store) return operation.store;
  const why =
    operation.state === 'ERROR' && operation.error ? `it failed: ${operation.error.message}` : `it is ${operation.state}`;
  throw new SqlStatementError(`Query ${operation.queryId} has no result to read: ${why}.`, 'HY010');
}

function encoderOf(operation: Operation, store: ResultStore): ArrowWireEncoder | undefined {
  if (!operation.format.arrow) return undefined;
  operation.encoder ??= new ArrowWireEncoder(store.columns, operation.format.arrow);
  return operation.encoder;
}

export function resultSetMetadata(operation: Operation): TGetResultSetMetadataResp {
  const store = finishedStore(operation);
  const encoder = encoderOf(operation, store);
  const schema = tableSchemaOf(store.columns);
  const response = new TGetResultSetMetadataResp({ status: successStatus(), schema });
  if (encoder) {
    response.resultFormat = TSparkRowSetType.ARROW_BASED_SET;
    response.arrowSchema = Buffer.from(encoder.schemaBytes);
    response.lz4Compressed = operation.format.arrow!.lz4;
  } else {
    response.resultFormat = TSparkRowSetType.COLUMN_BASED_SET;
  }
  return response;
}

/** Whether one reply can carry every row: a column-based set is cut per stored batch. */
export function fitsOneReply(operation: Operation): boolean {
  return operation.format.arrow !== null || finishedStore(operation).batchCount <= 1;
}

/** Rows from `startRow`, bounded by maxRows and maxBytes, as a TFetchResultsResp. */
export function fetchRows(operation: Operation, startRow: number, maxRows: number, maxBytes: number): TFetchResultsResp {
  const store = finishedStore(operation);
  const encoder = encoderOf(operation, store);
  // A column-based set is one TColumn per column, so it is cut from a single stored batch.
  const slice = store.slice(startRow, Math.max(1, maxRows), maxBytes, encoder === undefined);
  const results = new TRowSet({ startRowOffset: new Int64(slice.startRow), rows: [] });
  if (encoder) {
    results.arrowBatches = slice.batches.map(
      (batch) => new TSparkArrowBatch({ batch: encoder.encode(batch), rowCount: new Int64(batch.numRows) }),
    );
  } else {
    const batch = slice.batches[0];
    results.columns = batch ? encodeColumns(batch, store.columns) : encodeColumns(store.empty(), store.columns);
    results.columnCount = store.columns.length;
  }
  operation.cursor = slice.startRow + slice.rowCount;
  return new TFetchResultsResp({
    status: successStatus(),
    hasMoreRows: slice.startRow + slice.rowCount < store.rowCount,
    results,
  });
}
