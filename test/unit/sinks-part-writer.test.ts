/**
 * The part writer against a user-written ResultSink (an in-memory one, as the README's
 * example): parts keyed by their first row with exact sizes and checksums, the manifest
 * removed first and written last, a resumed write keeping the recorded parts and rewriting
 * the rest under the same names; and openResultSink's scheme registry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Int64, Table, Utf8, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { writeParts, type SinkProgress } from '../../activities/sinks/part-writer.js';
import { openResultSink } from '../../activities/sinks/open-sink.js';
import { ResultSinkError, type ResultSink } from '../../activities/index.js';

class MemorySink implements ResultSink {
  readonly objects = new Map<string, Buffer>();
  readonly log: string[] = [];
  constructor(readonly location: string) {}
  async write(name: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    this.objects.set(name, Buffer.concat(chunks));
    this.log.push(`write ${name}`);
  }
  size(name: string): Promise<number | undefined> {
    return Promise.resolve(this.objects.get(name)?.length);
  }
  remove(name: string): Promise<void> {
    this.objects.delete(name);
    this.log.push(`remove ${name}`);
    return Promise.resolve();
  }
}

/** Batches of 700 rows (so parts of 1,000 straddle them), ids from `from` to `to`. */
function batches(from: number, to: number): AsyncIterable<RecordBatch> {
  const list: RecordBatch[] = [];
  for (let start = from; start < to; start += 700) {
    const ids = Array.from({ length: Math.min(700, to - start) }, (_, i) => BigInt(start + i));
    const table = new Table({
      id: vectorFromArray(ids, new Int64()),
      label: vectorFromArray(
        ids.map((i) => `row ${i}`),
        new Utf8(),
      ),
    });
    list.push(...table.batches);
  }
  return (async function* () {
    for (const batch of list) yield await Promise.resolve(batch);
  })();
}

const COLUMNS = [
  { name: 'id', typeName: 'BIGINT' },
  { name: 'label', typeName: 'STRING' },
];

function options(sink: ResultSink, finished: SinkProgress['parts'], recorded: SinkProgress[]) {
  return {
    sink,
    identity: 'mem://r|jsonl|1000',
    format: 'jsonl' as const,
    partRows: 1_000,
    columns: COLUMNS,
    finished,
    recordPart: (p: SinkProgress) => {
      recorded.push(p);
      return Promise.resolve();
    },
    onProgress: () => undefined,
    checkCancelled: () => Promise.resolve(),
  };
}

const ids = (sink: MemorySink, name: string): number[] =>
  sink.objects
    .get(name)!
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => Number((JSON.parse(l) as { id: string }).id));

describe('part writer with a user sink', () => {
  it('writes parts keyed by first row, records each, and the manifest last', async () => {
    const sink = new MemorySink('mem://r');
    const recorded: SinkProgress[] = [];
    const manifest = await writeParts(batches(0, 2_500), options(sink, [], recorded));
    assert.deepEqual(
      manifest.parts.map((p) => [p.name, p.startRow, p.rows]),
      [
        ['part-000000000000.jsonl', 0, 1_000],
        ['part-000000001000.jsonl', 1_000, 1_000],
        ['part-000000002000.jsonl', 2_000, 500],
      ],
    );
    assert.equal(sink.log[0], 'remove manifest.json');
    assert.equal(sink.log.at(-1), 'write manifest.json');
    assert.deepEqual(
      recorded.map((p) => p.parts.length),
      [1, 2, 3],
      'each part recorded once written',
    );
    for (const part of manifest.parts) {
      const bytes = sink.objects.get(part.name)!;
      assert.equal(bytes.length, part.bytes);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), part.sha256);
    }
    assert.deepEqual(
      ids(sink, 'part-000000001000.jsonl'),
      Array.from({ length: 1_000 }, (_, i) => 1_000 + i),
    );
    assert.deepEqual(JSON.parse(sink.objects.get('manifest.json')!.toString('utf8')), manifest);
    assert.equal(manifest.location, 'mem://r/manifest.json');
    assert.equal(manifest.rows, 2_500);
  });

  it('resumes after the recorded parts, replacing an unfinished one under its name', async () => {
    const sink = new MemorySink('mem://r');
    const first: SinkProgress[] = [];
    await writeParts(batches(0, 2_500), options(sink, [], first));
    const kept = first[0]!.parts; // as if the worker died after recording part 0
    sink.objects.set('part-000000001000.jsonl', Buffer.from('half a part'));
    sink.objects.delete('manifest.json');
    const keptBytes = sink.objects.get('part-000000000000.jsonl');
    sink.log.length = 0;
    const manifest = await writeParts(batches(1_000, 2_500), options(sink, kept, []));
    assert.equal(sink.objects.get('part-000000000000.jsonl'), keptBytes, 'part 0 untouched');
    assert.ok(!sink.log.includes('write part-000000000000.jsonl'));
    assert.deepEqual(
      ids(sink, 'part-000000001000.jsonl'),
      Array.from({ length: 1_000 }, (_, i) => 1_000 + i),
    );
    assert.equal(manifest.rows, 2_500);
    assert.deepEqual(manifest.parts[0], kept[0]);
  });

  it('serves registered schemes and names the unknown ones', async () => {
    const sink = await openResultSink('mem://x', { schemes: { mem: (url) => new MemorySink(url) } });
    assert.ok(sink instanceof MemorySink);
    await assert.rejects(openResultSink('gs://bucket/p'), (error: unknown) => {
      assert.ok(error instanceof ResultSinkError);
      assert.match(error.message, /resultSink\.url: this worker has no sink for "gs:" URLs/);
      return true;
    });
  });
});
