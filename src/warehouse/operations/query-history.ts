/** The local query history: the newest operations, shown as records (a view, never their state). */

/** One entry of the local query history (newest first from `list()`). */
export interface QueryRecord {
  /** Dashed UUID of the operation guid: the `queryId` a client shows. */
  queryId: string;
  statement: string;
  state: 'PENDING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'ERROR' | 'CLOSED';
  submittedAt: Date;
  endedAt?: Date;
  rowCount?: number;
  errorMessage?: string;
}

/** Anything the history can show: an operation describes itself as a record. */
export interface Recorded {
  record(): QueryRecord;
}

/**
 * Total statement text the history keeps alive. Entries hold their operations, statement
 * included: 1,000 generated statements of 64 KiB each held 64 MiB of heap with no bound on bytes.
 * @format number of UTF-16 code units
 */
const MAX_STATEMENT_CHARS = 16 * 1024 * 1024;

/**
 * Keeps the newest `limit` entries, fewer when their statements together pass
 * `maxStatementChars` (the newest entry is always kept).
 */
export class QueryHistory {
  private readonly entries: Array<{ entry: Recorded; chars: number }> = [];
  private chars = 0;

  constructor(
    private readonly limit = 1000,
    private readonly maxStatementChars = MAX_STATEMENT_CHARS,
  ) {}

  add(entry: Recorded): void {
    const chars = entry.record().statement.length;
    this.entries.push({ entry, chars });
    this.chars += chars;
    while (this.entries.length > this.limit || (this.chars > this.maxStatementChars && this.entries.length > 1)) {
      this.chars -= this.entries.shift()!.chars;
    }
  }

  /** Fresh records, newest first. */
  list(): QueryRecord[] {
    return this.entries
      .slice()
      .reverse()
      .map(({ entry }) => entry.record());
  }
}
