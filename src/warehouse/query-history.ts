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

/** Keeps the newest `limit` entries. */
export class QueryHistory {
  private readonly entries: Recorded[] = [];

  constructor(private readonly limit = 1000) {}

  add(entry: Recorded): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Fresh records, newest first. */
  list(): QueryRecord[] {
    return this.entries
      .slice()
      .reverse()
      .map((entry) => entry.record());
  }
}
