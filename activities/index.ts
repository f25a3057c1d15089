/**
 * Activities of `sqlQueryWorkflow` (plain Node code; register them on a worker).
 *
 * ```ts
 * import { createSqlActivities } from 'temporal-dbsql/activities';
 * const activities = createSqlActivities({ connect: { serverHostname, httpPath, accessToken } });
 * ```
 */
export { createSqlActivities, type SqlActivities, type SqlActivitiesOptions } from './sql-activities.js';
export { WarehouseConnection } from './warehouse-connection.js';
export { toJsonValue, toJsonRow } from './json-rows.js';
export type { HeartbeatService } from './recorded-heartbeat.js';
export * from './sinks/index.js';
