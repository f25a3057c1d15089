/**
 * Temporal helpers of temporal-dbsql: worker, client, and the dev server used by the demo.
 */
export {
  createSqlWorker,
  sqlWorkflowsPath,
  WorkerShutdownTimeoutError,
  type SqlWorker,
  type SqlWorkerOptions,
} from './worker.js';
export {
  startSqlQuery,
  cancelSqlQuery,
  getSqlQueryStatus,
  getSqlQueryResult,
  type StartSqlQueryOptions,
  type SqlQueryHandle,
} from './client.js';
export {
  startTemporalDevServer,
  provisionTemporalCli,
  TemporalDevServerError,
  PortInUseError,
  type TemporalDevServer,
  type TemporalDevServerOptions,
} from './dev-server.js';
export * from '../../workflows/messages.js';
export { SqlQueryInputError, findInputProblem, MIN_POLL_INTERVAL_MS, type InputProblem } from '../../workflows/validation.js';
export * from './codec/index.js';
export * from './pipelines.js';
export * from './schedules.js';
export {
  installSqlMetricsRuntime,
  MetricsRuntimeError,
  SQL_METRICS,
  type SqlMetricsRuntimeOptions,
} from './observability/metrics.js';
export { sqlTracingClientInterceptors, SQL_TRACING_WORKFLOW_MODULES, type SqlTracingOptions } from './observability/tracing.js';
export { SLOT_FIELDS, fillTemplate, type ScheduledSqlInput } from '../../workflows/slot-template.js';
export type { ScheduledSqlResult } from '../../workflows/scheduled-sql.js';
export { loadPipelineFile, parsePipelineDefinition, PipelineFileError } from './pipeline-file.js';
export * from '../../workflows/pipeline-messages.js';
export { SqlPipelineInputError, findPipelineProblem, type PipelineProblem } from '../../workflows/pipeline-validation.js';
