/**
 * Reads a result back from its sink, the way a user would: the manifest first, then its parts,
 * each checked against the manifest's size and SHA-256, then parsed by a reader other than our
 * writer (DuckDB for Parquet, CSV and JSON lines; apache-arrow for Arrow IPC). Rows come back as
 * canonical text lines, comparable with `canonicalRows` of the query's own rows.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { dataToValues } from '../../../src/results/rows/batch-to-rows.js';
import type { ResultManifest } from '../../../workflows/messages.js';

/**
 * The query the sink tests write: BIGINT, DOUBLE, STRING (NULLs, commas, quotes, line
 * breaks, non-ASCII), DECIMAL, TIMESTAMP and BOOLEAN.
 */
export const MIXED_SQL = (rows: number): string => `SELECT id,
  CAST(id AS DOUBLE) / 4 AS x,
  CASE WHEN id % 7 = 0 THEN NULL WHEN id % 11 = 0 THEN '' ELSE concat('s,"', CAST(id AS STRING), '"\n\u00e9') END AS s,
  CAST(CAST(id AS DOUBLE) / 100 AS DECIMAL(18,2)) AS d,
  TIMESTAMP '2024-01-01 00:00:00' + id * INTERVAL 1 SECOND AS ts,
  id % 3 = 0 AS b
FROM RANGE(${rows})`;

/** One line per row: `id|4x|s|d|ts micros|b` (NULL string as \N). */
export function canonical(id: unknown, x: unknown, s: unknown, d: unknown, tsMicros: unknown, b: unknown): string {
  return [
    String(id),
    String(Math.round(Number(x) * 4)),
    s === null || s === undefined ? '\\N' : (s as string),
    String(d),
    String(tsMicros),
    String(b),
  ].join('|');
}

/** The query's own rows (driver row objects) as canonical lines, in id order. */
export function canonicalRows(rows: Array<Record<string, unknown>>): string[] {
  return rows.map((r) => canonical(r.id, r.x, r.s, r.d, BigInt((r.ts as Date).getTime()) * 1000n, r.b)).sort(byId);
}

export interface ReadBack {
  manifest: ResultManifest;
  lines: string[];
}

/** Where a manifest's files are: a directory, or a bucket and prefix. */
export type Fetcher = (name: string) => Promise<Buffer>;

export function directoryFetcher(directory: string): Fetcher {
  return (name) => readFile(join(directory, name));
}

export function s3Fetcher(client: S3Client, bucket: string, prefix: string): Fetcher {
  return async (name) => {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${name}` }));
    return Buffer.from(await object.Body!.transformToByteArray());
  };
}

export async function readBack(fetch: Fetcher): Promise<ReadBack> {
  const manifest = JSON.parse((await fetch('manifest.json')).toString('utf8')) as ResultManifest;
  const scratch = await mkdtemp(join(tmpdir(), 'sink-read-back-'));
  try {
    const files: string[] = [];
    for (const part of manifest.parts) {
      const bytes = await fetch(part.name);
      if (bytes.length !== part.bytes) throw new Error(`${part.name}: ${bytes.length} bytes, manifest says ${part.bytes}`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== part.sha256) throw new Error(`${part.name}: SHA-256 ${sha256}, manifest says ${part.sha256}`);
      const file = join(scratch, part.name);
      await writeFile(file, bytes);
      files.push(file);
    }
    const lines = manifest.format === 'arrow' ? await readArrow(files) : await readWithDuckDb(manifest.format, files);
    return { manifest, lines: lines.sort(byId) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readArrow(files: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const file of files) {
    const table = tableFromIPC(await readFile(file));
    for (const batch of table.batches) {
      const [id, x, s, d, ts, b] = batch.data.children.map((data) => dataToValues(data));
      for (let i = 0; i < batch.numRows; i++) {
        const micros = BigInt((ts![i] as Date).getTime()) * 1000n;
        lines.push(canonical(id![i], x![i], s![i], d![i], micros, b![i]));
      }
    }
  }
  return lines;
}

const COLUMNS = "{'id': 'BIGINT', 'x': 'DOUBLE', 's': 'VARCHAR', 'd': 'DECIMAL(18,2)', 'ts': 'TIMESTAMPTZ', 'b': 'BOOLEAN'}";

async function readWithDuckDb(format: string, files: string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
  const source =
    format === 'parquet'
      ? `read_parquet(${list})`
      : format === 'csv'
        ? `read_csv(${list}, header = true, columns = ${COLUMNS}, quote = '"', escape = '"', allow_quoted_nulls = false)`
        : `read_json(${list}, format = 'newline_delimited', columns = ${COLUMNS})`;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT CAST(id AS VARCHAR), CAST(x AS VARCHAR), s, CAST(CAST(d AS DECIMAL(18,2)) AS VARCHAR),
              CAST(epoch_us(ts) AS VARCHAR), CAST(b AS VARCHAR) FROM ${source}`,
    );
    return reader.getRowsJS().map((row) => canonical(...(row as [unknown, unknown, unknown, unknown, unknown, unknown])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function byId(a: string, b: string): number {
  return Number(a.slice(0, a.indexOf('|'))) - Number(b.slice(0, b.indexOf('|')));
}
