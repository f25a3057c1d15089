/**
 * Worker metrics: the Temporal Runtime's Prometheus endpoint (the SDK's own worker metrics)
 * plus this package's counters, recorded by an activity interceptor through the activity's
 * metric meter (so they carry the SDK's namespace/task queue tags and leave by the same
 * endpoint). Without a metrics exporter installed the meter is a no-op.
 *
 * ```ts
 * installSqlMetricsRuntime({ prometheusBindAddress: '127.0.0.1:9464' }); // before any connection
 * const worker = await createSqlWorker({ connection: 'localhost:7233' });
 * // curl http://127.0.0.1:9464/metrics | grep temporal_dbsql_
 * ```
 */
import { ApplicationFailure, type Context } from '@temporalio/activity';
import { DefaultLogger, Runtime, type ActivityInterceptorsFactory, type Logger } from '@temporalio/worker';
import {
  SqlFailureType,
  type FetchedResult,
  type SubmitQueryOutput,
  type SyncQueryStatusOutput,
} from '../../../workflows/messages.js';

/** The package's counters, tagged by the SDK with namespace, taskQueue and activityType. */
export const SQL_METRICS = {
  statementsSubmitted: 'temporal_dbsql_statements_submitted',
  statusPolls: 'temporal_dbsql_status_polls',
  rowsFetched: 'temporal_dbsql_rows_fetched',
  bytesFetched: 'temporal_dbsql_bytes_fetched',
  /** Also tagged `type`: the failure type, e.g. SqlStatementFailed, SqlSessionLost. */
  failures: 'temporal_dbsql_failures',
} as const;

/** Thrown when the Prometheus endpoint is asked for after the Runtime was installed without it. */
export class MetricsRuntimeError extends Error {
  override readonly name = 'MetricsRuntimeError';
}

export interface SqlMetricsRuntimeOptions {
  /** host:port the Prometheus endpoint listens on (`/metrics`), e.g. '127.0.0.1:9464'. */
  prometheusBindAddress: string;
  /** @default a DefaultLogger at WARN */
  logger?: Logger;
}

/**
 * Installs the process's Temporal Runtime with a Prometheus endpoint. Call it once, before any
 * NativeConnection or worker is made (the Runtime is per process and fixed once installed).
 */
export function installSqlMetricsRuntime(options: SqlMetricsRuntimeOptions): Runtime {
  try {
    return Runtime.install({
      logger: options.logger ?? new DefaultLogger('WARN'),
      telemetryOptions: { metrics: { prometheus: { bindAddress: options.prometheusBindAddress } } },
    });
  } catch (error) {
    throw new MetricsRuntimeError(
      `cannot serve metrics on ${options.prometheusBindAddress}: the Temporal Runtime of this process is already ` +
        `installed (${(error as Error).message}); install it with metrics before any connection or worker is made`,
    );
  }
}

/** Counts statements, polls, rows, bytes and failures of the SQL activities. Registered by `createSqlWorker`. */
export function countSqlActivities(): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      execute: async (input, next) => {
        const meter = ctx.metricMeter;
        const activity = ctx.info.activityType;
        try {
          const output = await next(input);
          if (activity === 'submitQuery') {
            meter
              .createCounter(SQL_METRICS.statementsSubmitted, 'statements', 'SQL statements submitted to the warehouse')
              .add(1);
            const submitted = output as SubmitQueryOutput;
            if (submitted.kind === 'direct') countFetched(ctx, submitted.result);
          } else if (activity === 'syncQueryStatus') {
            meter.createCounter(SQL_METRICS.statusPolls, 'polls', 'Statement status polls').add(1);
            // A statement failing on the warehouse shows in a poll's answer, not as the activity's failure.
            if ((output as SyncQueryStatusOutput).status === 'ABORTED') countFailure(ctx, SqlFailureType.StatementFailed);
          } else if (activity === 'fetchQueryResults') {
            countFetched(ctx, output as FetchedResult);
          }
          return output;
        } catch (error) {
          countFailure(
            ctx,
            error instanceof ApplicationFailure ? (error.type ?? 'ApplicationFailure') : (error as Error).name || 'Error',
          );
          throw error;
        }
      },
    },
  });
}

function countFailure(ctx: Context, type: string): void {
  const description = 'SQL statements and activity attempts that failed, by type';
  ctx.metricMeter.createCounter(SQL_METRICS.failures, 'failures', description).add(1, { type });
}

function countFetched(ctx: Context, result: FetchedResult): void {
  ctx.metricMeter.createCounter(SQL_METRICS.rowsFetched, 'rows', 'Result rows fetched').add(result.rowCount);
  // A sink's bytes as written; inline rows as their JSON (what Temporal stores).
  const bytes = result.manifest ? result.manifest.bytes : Buffer.byteLength(JSON.stringify(result.rows ?? []));
  ctx.metricMeter.createCounter(SQL_METRICS.bytesFetched, 'bytes', 'Result bytes fetched').add(bytes);
}
