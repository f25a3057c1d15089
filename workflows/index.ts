/**
 * The workflows of temporal-dbsql (this module is the worker's `workflowsPath`) and the
 * messages they share with clients.
 *
 * ```ts
 * import { sqlQueryWorkflow, statusQuery, SQL_TASK_QUEUE } from 'temporal-dbsql/workflows';
 * const handle = await client.workflow.start(sqlQueryWorkflow, {
 *   taskQueue: SQL_TASK_QUEUE, workflowId: 'report-1', args: [{ statement: 'SELECT 1 AS one' }] });
 * await handle.query(statusQuery);
 * ```
 */
export { sqlQueryWorkflow } from './sql-query.js';
export * from './messages.js';
export { sqlPipelineWorkflow } from './sql-pipeline.js';
export { scheduledSqlWorkflow } from './scheduled-sql.js';
