/**
 * Errors of the local warehouse. `SqlStatementError` and `UnknownHandleError` reach a client
 * as a TStatus (ERROR / INVALID_HANDLE) or an ERROR operation state; `WarehouseStartError` is
 * thrown to callers of `startLocalWarehouse`.
 */

/** Thrown when a statement cannot run: bad SQL, unknown table, bad parameter, run-time failure. */
export class SqlStatementError extends Error {
  override readonly name = 'SqlStatementError';
  /** The SQLSTATE class and subclass, e.g. '42P01' for an unknown table. */
  readonly sqlState: string;

  constructor(message: string, sqlState: string) {
    super(message);
    this.sqlState = sqlState;
  }
}

/**
 * Thrown when a Thrift handle names no session or operation the warehouse holds (closed,
 * expired, never opened here, or a wrong secret). Clients see INVALID_HANDLE_STATUS with
 * SQLSTATE HY000 (Spark's INVALID_HANDLE class); a session's message begins "Invalid
 * SessionHandle", the text the official clients and tools look for to open a new session.
 */
export class UnknownHandleError extends Error {
  override readonly name = 'UnknownHandleError';
  /** 'session' or 'operation'. */
  readonly kind: 'session' | 'operation';
  /** The dashed UUID of the handle's guid. */
  readonly id: string;
  readonly sqlState = 'HY000';

  constructor(kind: 'session' | 'operation', id: string) {
    super(
      kind === 'session'
        ? `Invalid SessionHandle: Session [${id}] does not exist on this warehouse (RESOURCE_DOES_NOT_EXIST, INVALID_HANDLE.SESSION_NOT_FOUND): it was closed, expired after being idle, or opened before a restart.`
        : `RESOURCE_DOES_NOT_EXIST: Query ${id} does not exist on this warehouse.`,
    );
    this.kind = kind;
    this.id = id;
  }
}

/** Thrown by startLocalWarehouse when an option is invalid or the server cannot start. */
export class WarehouseStartError extends Error {
  override readonly name = 'WarehouseStartError';
}

/** SQLSTATE for a DuckDB error message, from DuckDB's error type prefix ("Catalog Error: ..."). */
export function sqlStateOf(message: string): string {
  const type = /^([A-Za-z ]+?) Error:/.exec(message)?.[1]?.toLowerCase() ?? '';
  switch (type) {
    case 'parser':
      return '42601';
    case 'catalog':
      return /Table with name|Table .* does not exist|View .* does not exist/i.test(message) ? '42P01' : '42704';
    case 'binder':
      return /Referenced column|column .* not found/i.test(message) ? '42703' : '42000';
    case 'conversion':
    case 'invalid input':
      return '22018';
    case 'out of range':
      return '22003';
    case 'constraint':
      return '23000';
    case 'interrupt':
      return '57014';
    case 'not implemented':
      return '0A000';
    case 'permission':
      return '42501';
    case 'io':
      return '58030';
    default:
      return 'XX000';
  }
}
