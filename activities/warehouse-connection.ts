/**
 * One driver connection shared by all activities of a worker: opened on first use, dropped
 * and reopened after a failure that suggests the connection itself broke. A session the
 * warehouse lost (idle expiry, restart) is reopened by the driver on the next call; if that
 * fails too (SessionLostError), the connection is dropped here and the activity retried.
 */
import type { Tracer } from '@opentelemetry/api';
import { optionsFromEnvironment } from '../src/client/options.js';
import { connect, type Connection, type ConnectOptions } from '../src/index.js';
import { isConnectionBroken } from './failures.js';

/**
 * The driver's HTTP retry budget per call in a worker, unless the settings give one: short
 * enough that an attempt of a 30 s activity fails, and says why (see `status`), before its
 * timeout, instead of the driver's own 15 minutes. Temporal's retries take over from there.
 * @format milliseconds
 */
const WORKER_RETRY_BUDGET_MS = 20_000;

/**
 * Cloud-fetch files a worker's fetch holds (downloading or unread), unless the settings give
 * `results.maxConcurrentDownloads` (the driver's default is 4): its fetches feed sinks, which
 * write slower than files arrive, so more only holds memory (up to 16 MiB a file from the
 * local warehouse, ~20 MB from Databricks). One was slower and its peak RSS no lower.
 */
const WORKER_FILES_AHEAD = 2;

export class WarehouseConnection {
  private current: Promise<Connection> | undefined;
  // An ECMAScript private field: util.inspect (console.log of a worker's objects) never shows
  // it, and these options may hold the access token.
  readonly #options: ConnectOptions | undefined;
  readonly #tracer: Tracer | undefined;

  /**
   * @param options driver settings; default: `connect()` reads the DATABRICKS_* variables.
   * @param tracer the worker's tracer, for the driver's request spans; none by default.
   */
  constructor(options?: ConnectOptions, tracer?: Tracer) {
    this.#options = options;
    this.#tracer = tracer;
  }

  /** The settings with the worker's retry budget filled in; read when first connecting. */
  #settings(): ConnectOptions {
    const options = this.#options ?? optionsFromEnvironment();
    return {
      ...options,
      retry: { totalTimeoutMs: WORKER_RETRY_BUDGET_MS, ...options.retry },
      results: { maxConcurrentDownloads: WORKER_FILES_AHEAD, ...options.results },
      ...(this.#tracer ? { tracer: this.#tracer } : {}),
    };
  }

  async use<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    const opened = this.open();
    try {
      return await fn(await opened);
    } catch (error) {
      if (isConnectionBroken(error) && this.current === opened) this.discard();
      throw error;
    }
  }

  /** Closes the connection; a later `use` opens a new one. */
  async close(): Promise<void> {
    const opened = this.current;
    this.current = undefined;
    if (opened) await opened.then((c) => c.close()).catch(() => undefined);
  }

  private open(): Promise<Connection> {
    if (this.current) return this.current;
    const opened: Promise<Connection> = Promise.resolve()
      .then(() => connect(this.#settings()))
      .catch((error: unknown) => {
        if (this.current === opened) this.current = undefined;
        throw error;
      });
    this.current = opened;
    return opened;
  }

  private discard(): void {
    void this.close();
  }
}
