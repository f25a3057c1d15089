/**
 * A local warehouse holding one finished query, with the connection that ran it: the target
 * of the bad-request and fuzz tests, which need real operation ids to put in their bodies.
 */
import { connect, type Connection } from '../../../src/index.js';
import { parseQueryHandle } from '../../../src/backend/handle-ids.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../../src/warehouse/index.js';

export interface WarehouseWithQuery {
  readonly warehouse: LocalWarehouse;
  readonly connection: Connection;
  /** The query's operation id and secret, as raw bytes. */
  readonly operation: { readonly guid: Buffer; readonly secret: Buffer };
  close(): Promise<void>;
}

export async function startWarehouseWithQuery(): Promise<WarehouseWithQuery> {
  const warehouse = await startLocalWarehouse({ directResultsWaitMs: 0 });
  const connection = await connect(warehouse);
  const execution = await connection.executeAsync('SELECT id FROM RANGE(10)');
  const ids = parseQueryHandle(execution.serialize());
  return {
    warehouse,
    connection,
    operation: { guid: Buffer.from(ids.guid), secret: Buffer.from(ids.secret) },
    async close() {
      await connection.close();
      await warehouse.close();
    },
  };
}
