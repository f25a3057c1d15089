/**
 * The demo's large-result step: a million mixed rows streamed as Arrow batches into Parquet
 * parts in a directory sink, with live progress, then read back by DuckDB as any other tool
 * reading the sink would.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { Client } from '@temporalio/client';
import type { ResultManifest } from '../../workflows/messages.js';
import { startSqlQuery } from '../temporal/client.js';
import { printResult, withLiveProgress } from './progress.js';

/** Databricks SQL over the types a report carries: BIGINT, DOUBLE, STRING, DECIMAL, TIMESTAMP, NULLs. */
const SINK_STATEMENT =
  'SELECT id, id * 1.5 AS amount, CAST(id AS STRING) AS label, CAST(id AS DECIMAL(18,2)) AS price, ' +
  'timestamp_seconds(1767225600 + id) AS ts, CASE WHEN id % 10 = 0 THEN NULL ELSE id END AS maybe ' +
  'FROM RANGE(:rows)';

/** Runs the step; resolves to the sink's manifest once DuckDB has read the parts back. */
export async function runDemoSink(
  client: Client,
  rows: number,
  directory: string,
  log: (line: string) => void,
): Promise<ResultManifest> {
  const handle = await startSqlQuery(client, {
    statement: SINK_STATEMENT,
    params: { rows: { type: 'BIGINT', value: rows } },
    // Four parts: each finished part is heartbeated, so a retried fetch resumes after it.
    resultSink: { url: directory, format: 'parquet', partRows: Math.max(1_000, Math.ceil(rows / 4)) },
    pollIntervalMs: 500,
  });
  log(`started workflow ${handle.workflowId}: ${rows.toLocaleString('en-US')} mixed rows to Parquet in ${directory}`);
  const result = await withLiveProgress(client, handle.workflowId, handle.result());
  printResult(result, false);
  if (!result.manifest) throw new Error(`the sink step returned no manifest (state ${result.state})`);
  const readBack = await countParquetRows(result.manifest);
  log(
    `read back with DuckDB: ${readBack.rows.toLocaleString('en-US')} rows in ${result.manifest.parts.length} ` +
      `Parquet parts, sum(id) = ${readBack.idSum}`,
  );
  if (readBack.rows !== result.manifest.rows) {
    throw new Error(`the sink's parts hold ${readBack.rows} rows, its manifest says ${result.manifest.rows}`);
  }
  return result.manifest;
}

async function countParquetRows(manifest: ResultManifest): Promise<{ rows: number; idSum: string }> {
  const directory = manifest.location.replace(/\/manifest\.json$/, '');
  const files = manifest.parts.map((p) => `'${`${directory}/${p.name}`.replaceAll("'", "''")}'`).join(', ');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n, sum(id) AS s FROM read_parquet([${files}])`);
    const [n, s] = reader.getRows()[0] ?? [];
    return { rows: Number(n), idSum: String(s) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
