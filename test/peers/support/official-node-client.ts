/**
 * The official Node.js client, @databricks/sql, connected to a local TLS warehouse the way the
 * peer tests use it: the warehouse's self-signed certificate given as `customCaCert` (the
 * client verifies certificates since 2.0) and its telemetry off.
 */
import { DBSQLClient, DBSQLLogger, LogLevel } from '@databricks/sql';
import type { LocalWarehouse } from '../../../src/warehouse/index.js';

type ClientOptions = NonNullable<ConstructorParameters<typeof DBSQLClient>[0]>;

export async function connectOfficialNodeClient(
  warehouse: LocalWarehouse,
  options: { logger?: ClientOptions['logger']; preserveBigNumericPrecision?: boolean } = {},
): Promise<DBSQLClient> {
  const url = new URL(warehouse.serverHostname);
  const client = new DBSQLClient({ logger: options.logger ?? new DBSQLLogger({ level: LogLevel.error }) });
  await client.connect({
    host: url.hostname,
    port: Number(url.port),
    path: warehouse.httpPath,
    token: warehouse.accessToken,
    customCaCert: warehouse.caCertificate,
    telemetryEnabled: false,
    preserveBigNumericPrecision: options.preserveBigNumericPrecision,
  });
  return client;
}
