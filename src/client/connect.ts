/**
 * `connect()`: checks the options, opens the HTTP transport and a session, and negotiates the
 * protocol version.
 */
import { FALLBACK_HIVE_PROTOCOL_VERSION, REQUESTED_PROTOCOL_VERSION } from '../backend/capabilities.js';
import { SessionKeeper } from '../backend/session-keeper.js';
import { type OpenedSession, ThriftBackend } from '../backend/thrift-backend.js';
import { RequestError, ServerOperationError } from '../errors.js';
import { HttpTransport } from '../transport/http-transport.js';
import { Connection } from './connection.js';
import { type ConnectOptions, type ResolvedOptions, optionsFromEnvironment, resolveOptions } from './options.js';

/**
 * Opens a connection. With no options, reads DATABRICKS_HOST, DATABRICKS_HTTP_PATH and
 * DATABRICKS_TOKEN.
 *
 * @example
 * const connection = await connect({ serverHostname, httpPath, accessToken });
 * const rows = await (await connection.execute('SELECT :p AS p', { p: 'foo' })).fetchAll();
 * await connection.close();
 */
export async function connect(options?: ConnectOptions): Promise<Connection> {
  const resolved = resolveOptions(options ?? optionsFromEnvironment());
  // ResolvedOptions holds every HttpTransportOptions field under the same name.
  const backend = new ThriftBackend(new HttpTransport(resolved));
  try {
    const { session, requested } = await openSession(backend, resolved);
    const negotiated = Math.min(session.serverProtocolVersion, requested);
    // A lost session is reopened with the version that worked, and must speak at least the one negotiated.
    backend.useSession(new SessionKeeper(session, () => backend.openSession(requested, resolved.username), negotiated));
    return Connection.open(backend, session, resolved, requested);
  } catch (error) {
    await backend.close();
    throw error;
  }
}

/**
 * Asks for Spark V8; a server that refuses it (HiveServer2 and the Spark Thrift server may fail
 * on a protocol number they do not know) is asked again with HIVE V10. Authentication and
 * network failures are not protocol refusals and are thrown as they are.
 */
async function openSession(
  backend: ThriftBackend,
  options: ResolvedOptions,
): Promise<{ session: OpenedSession; requested: number }> {
  const open = async (requested: number) => ({ session: await backend.openSession(requested, options.username), requested });
  // A version the user chose is asked for as is, with no fallback.
  if (options.protocolVersion !== undefined) return open(options.protocolVersion);
  try {
    return await open(REQUESTED_PROTOCOL_VERSION);
  } catch (error) {
    if (!isProtocolRefusal(error)) throw error;
    return open(FALLBACK_HIVE_PROTOCOL_VERSION);
  }
}

function isProtocolRefusal(error: unknown): boolean {
  if (error instanceof ServerOperationError) return true;
  // A Thrift server that cannot process the call may answer a bare HTTP 400 or 500.
  return error instanceof RequestError && (error.httpStatus === 400 || error.httpStatus === 500);
}
