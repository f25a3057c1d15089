/**
 * What the SQL workflow, its activities, workers and clients share: the task queue name,
 * the signal and query definitions, and the JSON shapes of inputs and outputs.
 *
 * Everything here ends up in Temporal history, so it holds statements, parameters, handles
 * and results, and never connection settings or the access token (those stay in the worker).
 * This module is loaded into the workflow sandbox: no Node built-ins.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Default task queue of `createSqlWorker` and `startSqlQuery`. */
export const SQL_TASK_QUEUE = 'temporal-dbsql';

/** Name of the workflow type (the exported function's name). */
export const SQL_QUERY_WORKFLOW = 'sqlQueryWorkflow';

/** Asks the workflow to cancel the statement on the warehouse and end with state CANCELED. */
export const cancelSignal = defineSignal<[reason?: string]>('cancel');

/** Current progress of the workflow: state, query id, polls so far, timestamps, activity trouble. */
export const statusQuery = defineQuery<SqlQueryStatus>('status');

/**
 * Sent by an activity of this workflow when an attempt failed and Temporal will retry it, so
 * that `status` can say so (activities retried by Temporal are otherwise invisible to the
 * workflow until they finally succeed or give up).
 */
export const activityFailedSignal = defineSignal<[ActivityFailedReport]>('activityFailed');

export interface ActivityFailedReport {
  /** The activity's name, e.g. 'syncQueryStatus'. */
  activity: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** The failure's type, e.g. 'SqlSessionLost' or 'RequestError'. */
  type: string;
  message: string;
  /** ISO 8601 time of the failure. */
  failedAt: string;
}

/**
 * A statement parameter as JSON. Plain strings, numbers and booleans are typed from their
 * JS type; use `{ type, value }` for anything else, e.g. `{ type: 'BIGINT', value: '9007199254740993' }`
 * or `{ type: 'TIMESTAMP', value: '2024-01-01T00:00:00Z' }`.
 */
export type JsonSqlParam = string | number | boolean | null | { type: string; value: string | number | boolean | null };

export type JsonSqlParams = Record<string, JsonSqlParam> | JsonSqlParam[];

/** What to do when a submit attempt may have reached the warehouse but left no handle. */
export type AmbiguousSubmitPolicy =
  /** Fail with `SqlSubmitAmbiguous` (at-most-once: the statement never runs twice). */
  | 'fail'
  /** Submit again (at-least-once: for idempotent statements only). */
  | 'resubmit';

export interface SqlQueryInput {
  /** The SQL statement. */
  statement: string;
  params?: JsonSqlParams;
  /** @format number of milliseconds before the first status poll (later ones: `pollBackoffFactor`). @default 2000 */
  pollIntervalMs?: number;
  /**
   * Each poll interval is the previous one times this factor, up to `maxPollIntervalMs`; 1 polls
   * at a fixed interval. @default 1.2 (2 s, 2.4 s, 2.9 s, ... 30 s: about 20% of the time run so far)
   */
  pollBackoffFactor?: number;
  /** @format number of milliseconds; ceiling of the poll interval. @default 30000, or `pollIntervalMs` if larger */
  maxPollIntervalMs?: number;
  /** Continue-as-new after this many polls in one run (or when Temporal suggests it). @default 500 */
  maxPollsPerRun?: number;
  /** Results whose JSON exceeds this many bytes go to the worker's result sink. @default 262144 (256 KiB) */
  inlineResultLimitBytes?: number;
  /** @default 'fail' */
  onAmbiguousSubmit?: AmbiguousSubmitPolicy;
  /**
   * Write the result to this sink (always, whatever its size) instead of returning its rows.
   * Checked before any activity runs; see `ResultSinkInput`. Default: rows inline up to
   * `inlineResultLimitBytes`, larger results as JSON lines in the worker's result directory.
   */
  resultSink?: ResultSinkInput;
  /**
   * Attempts the status, fetch and close activities each get before the workflow fails with
   * the last attempt's failure (e.g. the warehouse answering 503 all along). Each attempt
   * already retries its request within the worker's HTTP retry budget (20 s by default).
   * @default 30 for status and close, 10 for fetch
   */
  maxActivityAttempts?: number;
  /** Set by the workflow itself when it continues as new; not for callers. */
  continuation?: SqlQueryContinuation;
}

/** State carried from one run to the next by continue-as-new. */
export interface SqlQueryContinuation {
  handle: string;
  queryId: string;
  polls: number;
  runs: number;
  pollIntervalMs: number;
  startedAt: string;
  submittedAt: string;
}

export type SqlQueryState = 'SUBMITTING' | 'RUNNING' | 'FETCHING' | 'FINISHED' | 'CANCELING' | 'CANCELED' | 'FAILED';

export interface SqlQueryStatus {
  state: SqlQueryState;
  /** Dashed UUID of the statement on the warehouse, once submitted. */
  queryId?: string;
  /** Status polls so far, over all runs of this workflow. */
  polls: number;
  /** 1 for the first run, +1 per continue-as-new. */
  runs: number;
  /** ISO 8601 timestamps. */
  startedAt: string;
  submittedAt?: string;
  lastPolledAt?: string;
  endedAt?: string;
  /** Set while an activity keeps failing and Temporal retries it; cleared when one succeeds. */
  retrying?: ActivityRetryStatus;
}

/** An activity that keeps failing (warehouse down, session lost, ...), as `status` reports it. */
export interface ActivityRetryStatus {
  /** The activity failing last, e.g. 'syncQueryStatus'. */
  activity: string;
  /** Its last failed attempt (1-based); the next one is under way or waiting for its backoff. */
  attempts: number;
  /** Type and message of the last failure. */
  lastError: { type: string; message: string };
  /** ISO 8601 time of the first failure since an activity last succeeded. */
  since: string;
  /** ISO 8601 time of the last failure. */
  lastFailedAt: string;
}

/** A column of a result: its name and its Spark type name (e.g. 'DECIMAL(10,2)'). */
export interface JsonColumn {
  name: string;
  typeName: string;
}

/**
 * A value of a row in JSON form (see docs/durability.md, "Result encoding"):
 * BOOLEAN boolean; TINYINT, SMALLINT, INT, FLOAT, DOUBLE number (NaN/±Infinity as the strings
 * 'NaN', 'Infinity', '-Infinity'); BIGINT and DECIMAL string (exact); STRING string;
 * BINARY base64 string; DATE 'YYYY-MM-DD'; TIMESTAMP ISO 8601 string in UTC; ARRAY array;
 * STRUCT object; MAP array of `{ key, value }`; NULL null.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonRow = Record<string, JsonValue>;

// ---- Result sinks ------------------------------------------------------------------------

/**
 * File format of a result's parts: 'parquet' (Snappy-compressed Parquet), 'arrow' (Arrow IPC
 * file format, one file per part), 'csv' (RFC 4180 with a header line) or 'jsonl' (one JSON
 * row per line, values encoded as `JsonValue`).
 */
export type ResultFormat = 'parquet' | 'arrow' | 'csv' | 'jsonl';

export const RESULT_FORMATS: readonly ResultFormat[] = ['parquet', 'arrow', 'csv', 'jsonl'];

/**
 * Where and how to write a result. It holds no credentials: a worker writes with its own
 * (S3: the AWS SDK's default chain, e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION).
 */
export interface ResultSinkInput {
  /**
   * Destination of this one result: `s3://bucket/prefix`, an absolute directory path (or a
   * `file:///` URL), or `<scheme>://...` for a sink registered on the workers. The parts and
   * `manifest.json` are written directly under it: give each result its own.
   */
  url: string;
  /** @default 'parquet' */
  format?: ResultFormat;
  /** Rows per part file (the unit of resumption). @default 1000000, at least 1000 */
  partRows?: number;
}

/** One finished part of a result, named by its first row. */
export interface ResultPart {
  /** File name, relative to the manifest's directory (e.g. 'part-000000000000.parquet'). */
  name: string;
  /** 0-based index of its first row in the result. */
  startRow: number;
  rows: number;
  bytes: number;
  /** Lowercase hex SHA-256 of the part's bytes. */
  sha256: string;
}

/**
 * What a result sink holds once complete; also written as `manifest.json`, last, so a reader
 * that finds the manifest finds every part it names.
 */
export interface ResultManifest {
  /** Where the manifest file is: `s3://bucket/prefix/manifest.json`, or an absolute path. */
  location: string;
  format: ResultFormat;
  /** Rows of the whole result (the sum over `parts`). */
  rows: number;
  /** Bytes of all parts. */
  bytes: number;
  schema: JsonColumn[];
  /** In row order, contiguous from row 0. */
  parts: ResultPart[];
}

/** A fetched result: inline rows, or a manifest of the sink file. */
export interface FetchedResult {
  columns: JsonColumn[];
  rowCount: number;
  rows?: JsonRow[];
  manifest?: ResultManifest;
}

export interface SqlQueryResult extends FetchedResult {
  state: 'FINISHED' | 'CANCELED';
  queryId?: string;
  returnedAsDirectResult: boolean;
  polls: number;
  runs: number;
}

// ---- Activity inputs and outputs -------------------------------------------------------

export interface SubmitQueryInput {
  statement: string;
  params?: JsonSqlParams;
  onAmbiguousSubmit: AmbiguousSubmitPolicy;
  inlineResultLimitBytes: number;
  resultSink?: ResultSinkInput;
}

export type SubmitQueryOutput =
  { kind: 'handle'; handle: string; queryId: string } | { kind: 'direct'; queryId: string; result: FetchedResult };

export interface QueryHandleInput {
  /** Serialized handle 'queryId:querySecret'. */
  handle: string;
}

export type WarehouseQueryStatus = 'RUNNING' | 'FINISHED' | 'CANCELED' | 'ABORTED';

export interface SyncQueryStatusOutput {
  status: WarehouseQueryStatus;
  /** Why the statement ABORTED. */
  error?: SqlErrorDetails;
}

export interface SqlErrorDetails {
  message: string;
  sqlState?: string;
  errorCode?: string;
  /** The statement's query id on the warehouse, to find it in the query history. */
  queryId?: string;
}

export interface FetchQueryResultsInput extends QueryHandleInput {
  inlineResultLimitBytes: number;
  resultSink?: ResultSinkInput;
}

/** ApplicationFailure types raised by the activities and the workflow (stable names). */
export const SqlFailureType = {
  /** The statement failed on the warehouse; details[0] is `SqlErrorDetails`. */
  StatementFailed: 'SqlStatementFailed',
  /** The warehouse does not know the handle (expired, closed, or another warehouse). */
  QueryNotFound: 'SqlQueryNotFound',
  /** A submit may have reached the warehouse, but no handle was recorded. */
  SubmitAmbiguous: 'SqlSubmitAmbiguous',
  /** The warehouse refused the credentials. */
  AuthenticationFailed: 'SqlAuthenticationFailed',
  /** The query finished, but its results cannot be read (canceled or failed meanwhile). */
  ResultUnavailable: 'SqlResultUnavailable',
  /** `resultSink` is invalid, or no worker sink serves its URL; the message names the field. */
  ResultSinkInvalid: 'SqlResultSinkInvalid',
  /** The workflow input is invalid; details[0] is `{ field, message }` naming the field. */
  InvalidInput: 'SqlInvalidInput',
} as const;

/**
 * Retryable ApplicationFailure types: Temporal retries them, and the workflow fails with them
 * only when the activity's retries run out.
 */
export const SqlRetryableFailureType = {
  /** The warehouse lost the session and it could not be reopened yet (e.g. the warehouse is restarting). */
  SessionLost: 'SqlSessionLost',
} as const;
