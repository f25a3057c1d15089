/**
 * Collects a result either inline (small) or into a JSON-lines file (large), resumably:
 * `progress` reports how many rows and bytes are safely in the file, and a later attempt
 * given that progress truncates the file to those bytes and continues from that row.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FetchedResult, JsonColumn, JsonRow } from '../workflows/messages.js';
import { toJsonRow } from './json-rows.js';

/** Progress of a fetch, heartbeated so a retried attempt can resume. */
export interface CollectProgress {
  /** Rows consumed so far (and, with `location`, written to the file). */
  rows: number;
  /** Bytes written to the file (or of inline JSON, without `location`). */
  bytes: number;
  /** Set once the result spilled to the sink file. */
  location?: string;
}

export interface CollectOptions {
  rows: AsyncIterable<Record<string, unknown>>;
  columns: JsonColumn[];
  inlineLimitBytes: number;
  /** File written when the result exceeds `inlineLimitBytes`. */
  sinkPath: string;
  /** Progress of an earlier attempt; rows up to `resume.rows` are NOT in `rows`. */
  resume?: CollectProgress;
  /** Called after each flush; the activity heartbeats it. */
  onProgress: (progress: CollectProgress) => void;
  /** Throws when the activity was cancelled. */
  checkCancelled: () => Promise<void>;
}

const FLUSH_EVERY_ROWS = 5_000;

export async function collectResult(options: CollectOptions): Promise<FetchedResult> {
  let inline: JsonRow[] = [];
  let rows = 0;
  let bytes = 0;
  let file: FileHandle | undefined;
  /** Lines not yet written; they start at byte `written` of the file. */
  let pending: string[] = [];
  let written = 0;

  const openSink = async (truncateTo: number): Promise<FileHandle> => {
    await mkdir(dirname(options.sinkPath), { recursive: true });
    const handle = await open(options.sinkPath, truncateTo > 0 ? 'r+' : 'w');
    await handle.truncate(truncateTo);
    return handle;
  };
  const flush = async (): Promise<void> => {
    if (file && pending.length > 0) {
      await file.write(pending.join(''), written);
      pending = [];
      written = bytes;
    }
    options.onProgress({ rows, bytes, location: file ? options.sinkPath : undefined });
  };

  try {
    if (options.resume?.location) {
      file = await openSink(options.resume.bytes);
      rows = options.resume.rows;
      bytes = options.resume.bytes;
      written = bytes;
    }
    for await (const row of options.rows) {
      const json = toJsonRow(row);
      const line = `${JSON.stringify(json)}\n`;
      rows += 1;
      bytes += Buffer.byteLength(line);
      if (file) {
        pending.push(line);
      } else if (bytes <= options.inlineLimitBytes) {
        inline.push(json);
      } else {
        // Spill: everything so far goes to the file, and the rest follows it there.
        file = await openSink(0);
        pending = [...inline.map((r) => `${JSON.stringify(r)}\n`), line];
        inline = [];
      }
      if (rows % FLUSH_EVERY_ROWS === 0) {
        await flush();
        await options.checkCancelled();
      }
    }
    await flush();
    if (!file) return { columns: options.columns, rowCount: rows, rows: inline };
    await file.sync();
    return {
      columns: options.columns,
      rowCount: rows,
      manifest: { location: options.sinkPath, format: 'jsonl', rows, bytes, schema: options.columns },
    };
  } finally {
    await file?.close();
  }
}
