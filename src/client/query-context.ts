/**
 * What an AsyncExecution needs from the connection that made it: the backend, what the
 * server can do, page sizes and polling pace. Internal; never exported from the package.
 */
import type { ServerCapabilities } from '../backend/capabilities.js';
import type { ThriftBackend } from '../backend/thrift-backend.js';
import type { FetchSizes } from './page-source.js';
import type { ResolvedResultOptions } from './result-options.js';

export interface QueryContext {
  backend: ThriftBackend;
  capabilities: ServerCapabilities;
  fetchSizes: FetchSizes;
  /** Cloud fetch, read-ahead and the fetchAll() limit. */
  results: ResolvedResultOptions;
  /** Pace of status polling while waiting for a query. @format milliseconds */
  poll: { minDelayMs: number; maxDelayMs: number };
  /** Throws ConnectionClosedError once the connection is closed. */
  assertOpen(): void;
}
