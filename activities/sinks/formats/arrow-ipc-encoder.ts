/**
 * Arrow IPC file format (`.arrow`, readable by pyarrow.ipc.open_file, DuckDB's arrow
 * extension, apache-arrow's tableFromIPC): the batches as they came from the warehouse, with
 * the schema and its Spark type metadata. Each batch's bytes are yielded once written, so a
 * part is never held whole.
 */
import { RecordBatchFileWriter, type RecordBatch } from 'apache-arrow';

/** A file writer whose bytes go to a list we drain, instead of its unbounded internal queue. */
class DrainableFileWriter extends RecordBatchFileWriter {
  private pending: Uint8Array[] = [];

  protected override _write(chunk: ArrayBufferView | ArrayBuffer | string): this {
    if (!this._started || typeof chunk === 'string') return this;
    const bytes = ArrayBuffer.isView(chunk)
      ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      : new Uint8Array(chunk);
    if (bytes.byteLength > 0) {
      this.pending.push(bytes);
      this._position += bytes.byteLength;
    }
    return this;
  }

  drain(): Uint8Array[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

export async function* encodeArrowIpc(batches: AsyncIterable<RecordBatch>): AsyncIterable<Uint8Array> {
  const writer = new DrainableFileWriter();
  for await (const batch of batches) {
    writer.write(batch);
    yield* writer.drain();
  }
  writer.finish();
  yield* writer.drain();
}
