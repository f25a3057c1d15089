/**
 * A result sink in a local (or mounted, shared) directory. Each object is written to a
 * temporary file beside it, synced, then renamed over its name: a reader, or a retry, never
 * sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ResultSink } from './result-sink.js';

export class DirectorySink implements ResultSink {
  constructor(readonly location: string) {}

  async write(name: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    await mkdir(this.location, { recursive: true });
    const target = join(this.location, name);
    const temporary = join(this.location, `.${name}.${randomUUID()}.tmp`);
    try {
      await pipeline(Readable.from(body, { objectMode: false }), createWriteStream(temporary));
      const handle = await open(temporary, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async size(name: string): Promise<number | undefined> {
    return (await stat(join(this.location, name)).catch(() => undefined))?.size;
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.location, name), { force: true });
  }
}
