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
} from '../../thrift/index.js';
import { encodeColumns } from '../encoding/column-encode.js';
import type { FetchStart, Operation, OperationState } from '../operations/operation.js';
import { tableSchemaOf } from '../types.js';

export function successStatus(): TStatus {
  return new TStatus({ statusCode: TStatusCode.SUCCESS_STATUS });
}

export function errorStatus(message: string, sqlState?: string, code = TStatusCode.ERROR_STATUS): TStatus {
  return new TStatus({ statusCode: code, errorMessage: message, displayMessage: message, sqlState });
}

const STATES: Record<OperationState, TOperationState> = {
  PENDING: TOperationState.PENDING_STATE,
  RUNNING: TOperationState.RUNNING_STATE,
  FINISHED: TOperationState.FINISHED_STATE,
  CANCELED: TOperationState.CANCELED_STATE,
  TIMEDOUT: TOperationState.TIMEDOUT_STATE,
  ERROR: TOperationState.ERROR_STATE,
};

export function operationStatus(operation: Operation): TGetOperationStatusResp {
  const response = new TGetOperationStatusResp({
    status: successStatus(),
    operationState: STATES[operation.state],
    hasResultSet: true,
    operationStarted: new Int64(operation.submittedAt.getTime()),
  });
  if (operation.endedAt) response.operationCompleted = new Int64(operation.endedAt.getTime());
  if (operation.modifiedRows !== undefined) response.numModifiedRows = new Int64(operation.modifiedRows);
  const error = operation.error;
  if (error) {
    response.errorMessage = error.message;
    response.displayMessage = error.message;
    response.sqlState = error.sqlState;
  }
  return response;
}

export function resultSetMetadata(operation: Operation): TGetResultSetMetadataResp {
  const store = operation.result();
  const encoder = operation.encoder();
  const response = new TGetResultSetMetadataResp({ status: successStatus(), schema: tableSchemaOf(store.columns) });
  if (operation.isStaging) response.isStagingOperation = true;
  if (encoder && operation.format.arrow) {
    response.resultFormat = operation.servesLinks() ? TSparkRowSetType.URL_BASED_SET : TSparkRowSetType.ARROW_BASED_SET;
    response.arrowSchema = Buffer.from(encoder.schemaBytes);
    response.lz4Compressed = operation.format.arrow.lz4;
  } else {
    response.resultFormat = TSparkRowSetType.COLUMN_BASED_SET;
  }
  return response;
}

/** Whether one reply can carry every row: a column-based set is cut per stored batch, links are fetched. */
export function fitsOneReply(operation: Operation): boolean {
  if (operation.servesLinks()) return false;
  return operation.format.arrow !== null || operation.result().batchCount <= 1;
}

/** How many cloud fetch links one FetchResults reply carries at most. */
const LINKS_PER_REPLY = 4;

/**
 * Rows from `start`, bounded by maxRows and maxBytes, as a TFetchResultsResp: inline Arrow
 * batches or a column-based set, or cloud fetch links to files holding them.
 */
export async function fetchRows(
  operation: Operation,
  start: FetchStart,
  maxRows: number,
  maxBytes: number,
): Promise<TFetchResultsResp> {
  const store = operation.result();
  if (operation.servesLinks()) return fetchLinks(operation, start === 'next' ? operation.cursor : start, maxRows);
  const encoder = operation.encoder();
  // A column-based set is one TColumn per column, so it is cut from a single stored batch.
  const slice = await operation.fetch(start, maxRows, maxBytes, encoder === undefined);
  const results = new TRowSet({ startRowOffset: new Int64(slice.startRow), rows: [] });
  if (encoder) {
    results.arrowBatches = slice.batches.map(
      (batch) => new TSparkArrowBatch({ batch: encoder.encode(batch), rowCount: new Int64(batch.numRows) }),
    );
  } else {
    const batch = slice.batches[0];
    results.columns = encodeColumns(batch ?? store.empty(), store.columns);
    results.columnCount = store.columns.length;
  }
  return new TFetchResultsResp({
    status: successStatus(),
    hasMoreRows: slice.startRow + slice.rowCount < store.rowCount,
    results,
  });
}

/** Links to the files from `startRow` on, about maxRows rows (at least one file) and a few files. */
async function fetchLinks(operation: Operation, startRow: number, maxRows: number): Promise<TFetchResultsResp> {
  const links = [];
  let row = Math.max(0, startRow);
  while (links.length < LINKS_PER_REPLY && row - startRow < Math.max(1, maxRows)) {
    const file = await operation.resultFile(row);
    if (!file) break;
    links.push(operation.link(file));
    row = file.startRow + file.rowCount;
  }
  operation.advanceTo(row);
  // Writes the next file while the client downloads these, so its next fetch finds it ready.
  void operation.resultFile(row).catch(() => {});
  return new TFetchResultsResp({
    status: successStatus(),
    hasMoreRows: row < operation.result().rowCount,
    results: new TRowSet({ startRowOffset: new Int64(Math.max(0, startRow)), rows: [], resultLinks: links }),
  });
}
