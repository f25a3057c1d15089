/**
 * `result ID --output URL`: writes a finished workflow's inline rows to a sink, through the
 * same part writer and formats as the worker's fetch (parts, then manifest.json, last).
 * A result already in a sink, or one whose rows are not in the result, is not copied: the
 * command says so and exits 2.
 */
import { Bool, Float64, Int32, RecordBatch, Utf8, makeData, Schema, Field, Struct, vectorFromArray } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { Readable } from 'node:stream';
import { openResultSink } from '../../activities/sinks/open-sink.js';
import { sinkIdentity, writeParts, type SinkProgress } from '../../activities/sinks/part-writer.js';
import type { JsonColumn, JsonValue, SqlQueryResult } from '../../workflows/messages.js';
import type { ResolvedResultSink } from '../../workflows/result-sink-settings.js';
import { ExitCode } from './shared.js';
import { describeSinkProgress } from './sink-progress.js';

/** Rows per record batch handed to the part writer. */
const BATCH_ROWS = 10_000;

export async function writeResultOutput(
  workflowId: string,
  result: SqlQueryResult,
  output: ResolvedResultSink,
  err: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  if (result.manifest) {
    err.write(
      `workflow ${workflowId}'s result already lives at ${result.manifest.location} ` +
        `(${result.manifest.rows} rows, ${result.manifest.format}); copy it from there\n`,
    );
    return ExitCode.Usage;
  }
  if (!result.rows) {
    err.write(
      `workflow ${workflowId}'s result holds no rows to write (${result.rowCount} rows were not kept inline); ` +
        `run the query again with --output\n`,
    );
    return ExitCode.Usage;
  }
  const sink = await openResultSink(output.url);
  try {
    const report = (progress: SinkProgress): void => {
      const line = `writing ${output.format} to ${sink.location}${describeSinkProgress({ ...progress, parts: progress.parts.length })}`;
      if (err.isTTY) err.write(`\r\x1b[K${line}`);
      else err.write(`${line}\n`);
    };
    const manifest = await writeParts(Readable.from(batches(result.columns, result.rows)), {
      sink,
      identity: sinkIdentity(output.url, output.format, output.partRows),
      format: output.format,
      partRows: output.partRows,
      columns: result.columns,
      finished: [],
      recordPart: (progress) => Promise.resolve(report(progress)),
      onProgress: () => undefined, // inline results are small: one line per part is enough
      checkCancelled: () => Promise.resolve(),
    });
    if (err.isTTY) err.write('\r\x1b[K');
    process.stdout.write(`${manifest.rows} rows (${manifest.bytes} bytes, ${manifest.format}) written to ${manifest.location}\n`);
    return ExitCode.Ok;
  } finally {
    await sink.close?.();
  }
}

/**
 * Inline rows as Arrow batches. Inline values are JSON (see `JsonValue`), so the columns are:
 * BOOLEAN bool, TINYINT/SMALLINT/INT int32, FLOAT/DOUBLE float64, ARRAY/MAP/STRUCT their JSON
 * text, and every other type (BIGINT, DECIMAL, dates, binary as base64) its exact text.
 */
function* batches(columns: readonly JsonColumn[], rows: ReadonlyArray<Record<string, JsonValue>>): Generator<RecordBatch> {
  const types = columns.map((c) => arrowType(c.typeName));
  const schema = new Schema(columns.map((c, i) => new Field(c.name, types[i]!, true)));
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const slice = rows.slice(start, start + BATCH_ROWS);
    const children = columns.map(
      (c, i) =>
        vectorFromArray(
          slice.map((row) => arrowValue(row[c.name] ?? null, types[i]!)),
          types[i]!,
        ).data[0]!,
    );
    yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: slice.length, nullCount: 0, children }));
  }
}

function arrowType(typeName: string): DataType {
  const base = typeName
    .toUpperCase()
    .replace(/[(<].*$/s, '')
    .trim();
  if (base === 'BOOLEAN') return new Bool();
  if (base === 'TINYINT' || base === 'SMALLINT' || base === 'INT' || base === 'INTEGER') return new Int32();
  if (base === 'FLOAT' || base === 'DOUBLE') return new Float64();
  return new Utf8();
}

function arrowValue(value: JsonValue, type: DataType): boolean | number | string | null {
  if (value === null) return null;
  if (type instanceof Float64 && typeof value === 'string') return Number(value); // 'NaN', 'Infinity'
  if (typeof value === 'object') return JSON.stringify(value);
  if (type instanceof Utf8) return String(value);
  return value;
}
