/**
 * Open sessions and their idle expiry. A session is used by the calls that name it (open,
 * execute, info); polling or fetching an operation names no session, so it does not count.
 * Operations outlive their session, as on Databricks: a query keeps running and stays
 * readable, from any session, after the one that submitted it is closed or expired.
 */
import { SessionState } from '../dialect/session-state.js';
import { UnknownHandleError } from '../errors.js';
import { keyOf, newHandleBytes, uuidOf } from './handles.js';

export class SessionRegistry {
  /** Last use (ms since epoch) by session key. */
  private readonly lastUse = new Map<string, number>();
  /** USE, SET and temporary views by session key. */
  private readonly states = new Map<string, SessionState>();

  /** Opens a session; returns its guid. */
  open(now = Date.now()): Buffer {
    const guid = newHandleBytes();
    this.lastUse.set(keyOf(guid), now);
    this.states.set(keyOf(guid), new SessionState());
    return guid;
  }

  /** Marks the session as used; UnknownHandleError('session') when it is closed, expired or unknown. */
  use(guid: Uint8Array | undefined, now = Date.now()): void {
    this.lastUse.set(this.openKey(guid), now);
  }

  /** Closes an open session; UnknownHandleError when there is none. */
  close(guid: Uint8Array | undefined): void {
    this.end(this.openKey(guid));
  }

  /** The session's state (current catalog and schema, SET parameters, temporary views). */
  stateOf(guid: Uint8Array | undefined): SessionState {
    return this.states.get(this.openKey(guid))!;
  }

  /** Closes sessions nobody used for `idleMs`; returns how many it closed. */
  expireIdle(idleMs: number, now = Date.now()): number {
    let expired = 0;
    for (const [key, last] of [...this.lastUse]) {
      if (now - last >= idleMs) {
        this.end(key);
        expired++;
      }
    }
    return expired;
  }

  /** Closes every session (the warehouse is closing): open transactions roll back. */
  closeAll(): Promise<unknown> {
    const ending = [...this.states.values()].map((state) => state.transaction.close());
    this.lastUse.clear();
    this.states.clear();
    return Promise.allSettled(ending);
  }

  /** Forgets a session; a transaction it left open rolls back. */
  private end(key: string): void {
    void this.states.get(key)?.transaction.close();
    this.lastUse.delete(key);
    this.states.delete(key);
  }

  private openKey(guid: Uint8Array | undefined): string {
    const key = guid ? keyOf(guid) : undefined;
    if (key === undefined || !this.lastUse.has(key)) throw new UnknownHandleError('session', uuidOf(guid ?? new Uint8Array(0)));
    return key;
  }
}
