/**
 * One driver connection shared by all activities of a worker: opened on first use, dropped
 * and reopened after a failure that suggests the connection itself broke.
 */
import { connect, type Connection, type ConnectOptions } from '../src/index.js';
import { isConnectionBroken } from './failures.js';

export class WarehouseConnection {
  private current: Promise<Connection> | undefined;
  // An ECMAScript private field: util.inspect (console.log of a worker's objects) never shows
  // it, and these options may hold the access token.
  readonly #options: ConnectOptions | undefined;

  /** @param options driver settings; default: `connect()` reads the DATABRICKS_* variables. */
  constructor(options?: ConnectOptions) {
    this.#options = options;
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
    const opened: Promise<Connection> = (this.#options ? connect(this.#options) : connect()).catch((error: unknown) => {
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
