/**
 * A finished (or filling) result held in memory as canonical Arrow record batches, readable
 * from any row: FetchResults with a startRowOffset, a second reader, a retried fetch.
 */
import { makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import type { ResultColumn } from './types.js';

export interface ResultSlice {
  /** The row of the first sliced row. */
  readonly startRow: number;
  readonly batches: readonly RecordBatch[];
  readonly rowCount: number;
}

export class ResultStore {
  private readonly batches: RecordBatch[] = [];
  /** Row index of the first row of each batch. */
  private readonly starts: number[] = [];
  private rows = 0;
  private bytes = 0;

  constructor(
    readonly columns: readonly ResultColumn[],
    readonly schema: Schema,
  ) {}

  get rowCount(): number {
    return this.rows;
  }

  /** Stored record batches (a column-based reply carries at most one). */
  get batchCount(): number {
    return this.batches.length;
  }

  /** Bytes of Arrow buffers held. */
  get byteSize(): number {
    return this.bytes;
  }

  append(batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    this.starts.push(this.rows);
    this.batches.push(batch);
    this.rows += batch.numRows;
    this.bytes += batchBytes(batch);
  }

  /**
   * Rows from `startRow`, at most `maxRows` of them and about `maxBytes` (at least one row,
   * so that a reader always advances). `singleBatch` keeps the slice within one stored batch.
   */
  slice(startRow: number, maxRows: number, maxBytes: number, singleBatch = false): ResultSlice {
    const batches: RecordBatch[] = [];
    let row = Math.max(0, startRow);
    let taken = 0;
    let bytes = 0;
    let index = this.batchIndexOf(row);
    while (index < this.batches.length && taken < maxRows && (taken === 0 || bytes < maxBytes)) {
      const batch = this.batches[index]!;
      const offset = row - this.starts[index]!;
      const bytesPerRow = batchBytes(batch) / batch.numRows;
      const byBytes = Math.max(1, Math.floor((maxBytes - bytes) / Math.max(1, bytesPerRow)));
      const count = Math.min(batch.numRows - offset, maxRows - taken, byBytes);
      batches.push(offset === 0 && count === batch.numRows ? batch : batch.slice(offset, offset + count));
      taken += count;
      row += count;
      bytes += count * bytesPerRow;
      index += 1;
      if (singleBatch) break;
    }
    return { startRow: Math.max(0, startRow), batches, rowCount: taken };
  }

  /** A batch of no rows, for a read past the end. */
  empty(): RecordBatch {
    return new RecordBatch(
      this.schema,
      makeData({
        type: new Struct(this.schema.fields),
        length: 0,
        nullCount: 0,
        children: this.schema.fields.map((f) =>
          makeData({ type: f.type, length: 0, nullCount: 0 } as Parameters<typeof makeData>[0]),
        ),
      }),
    );
  }

  /** Index of the batch holding `row` (the batch count when past the end). */
  private batchIndexOf(row: number): number {
    let low = 0;
    let high = this.batches.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid]! + this.batches[mid]!.numRows <= row) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function batchBytes(batch: RecordBatch): number {
  return batch.data.children.reduce((sum, child) => sum + child.byteLength, 0);
}
