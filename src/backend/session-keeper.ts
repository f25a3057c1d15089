/**
 * The session a connection's calls use, and its replacement when the server has lost it
 * (expired idle session, restarted server). A reopened session must speak at least the
 * protocol version the connection negotiated: what the connection can ask for was fixed then.
 */
import { DatabaseError } from '../errors.js';
import type { TSessionHandle } from '../thrift/index.js';

/** A session the server opened, with the protocol version it answered. */
export interface OpenedSession {
  handle: TSessionHandle;
  serverProtocolVersion: number;
}

export class SessionKeeper {
  private current: OpenedSession;
  private reopening: Promise<OpenedSession> | undefined;

  /**
   * @param session the session opened by `connect()`.
   * @param open opens a new session as `connect()` did (same protocol version and user).
   * @param minimumProtocolVersion the version the connection's capabilities were chosen for.
   */
  constructor(
    session: OpenedSession,
    private readonly open: () => Promise<OpenedSession>,
    private readonly minimumProtocolVersion: number,
  ) {
    this.current = session;
  }

  get handle(): TSessionHandle {
    return this.current.handle;
  }

  /**
   * Replaces the session `lost` with a new one and returns it. Calls that found the same
   * session gone at the same time share one OpenSession; a call that saw an older session
   * gets the current one without opening another.
   */
  async reopen(lost: TSessionHandle): Promise<TSessionHandle> {
    if (this.current.handle !== lost) return this.current.handle;
    this.reopening ??= this.openReplacement().finally(() => {
      this.reopening = undefined;
    });
    return (await this.reopening).handle;
  }

  private async openReplacement(): Promise<OpenedSession> {
    const session = await this.open();
    if (session.serverProtocolVersion < this.minimumProtocolVersion) {
      throw new DatabaseError(
        `the server reopened the session with protocol version ${session.serverProtocolVersion}, older than the ` +
          `${this.minimumProtocolVersion} this connection negotiated; connect again`,
      );
    }
    this.current = session;
    return session;
  }
}
