/**
 * The warehouse's spool: one directory (made fresh at start-up, removed at stop) holding every
 * result and cloud fetch file as it is written, under one disk cap for them all.
 */
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlStatementError } from '../errors.js';

export class Spool {
  private used = 0;

  private constructor(
    /** The directory this warehouse made; nothing else writes in it. */
    readonly directory: string,
    /** @format bytes. */
    readonly maxBytes: number,
  ) {}

  /**
   * Makes a fresh directory inside `parent` (default: the OS temp directory). Without
   * `maxBytes`, the cap is half the space free there now.
   */
  static async create(parent: string | undefined, maxBytes: number | undefined): Promise<Spool> {
    const directory = await mkdtemp(join(parent ?? tmpdir(), 'temporal-dbsql-spool-'));
    let cap = maxBytes;
    if (cap === undefined) {
      const stats = await statfs(directory);
      cap = Math.floor((stats.bavail * stats.bsize) / 2);
    }
    return new Spool(directory, cap);
  }

  /** Bytes held now. */
  get usedBytes(): number {
    return this.used;
  }

  /** A path for a new file in the spool. */
  path(name: string): string {
    return join(this.directory, name);
  }

  /** Counts `bytes` about to be written; SqlStatementError (54000) when they would pass the cap. */
  reserve(bytes: number): void {
    if (this.used + bytes > this.maxBytes) {
      throw new SqlStatementError(
        `The result is larger than this local warehouse's disk cap for results (maxSpoolBytes, ${this.maxBytes} bytes, ` +
          `${this.used} in use); add a LIMIT, read and close other results, or raise the cap.`,
        '54000',
      );
    }
    this.used += bytes;
  }

  /** Gives back bytes of a file that was deleted. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** Deletes the directory and everything in it. */
  async remove(): Promise<void> {
    this.used = 0;
    await rm(this.directory, { recursive: true, force: true });
  }
}
