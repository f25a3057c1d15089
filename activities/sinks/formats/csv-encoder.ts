/**
 * CSV (RFC 4180): a header line of column names, then one line per row; fields with a comma,
 * quote or line break are quoted. NULL is an empty field and the empty string is `""`, so a
 * reader can tell them apart. Values: numbers and booleans as text, BIGINT and DECIMAL exact,
 * TIMESTAMP ISO 8601 UTC, DATE 'YYYY-MM-DD', BINARY base64, ARRAY/MAP/STRUCT as JSON text.
 * Built column by column, with no row objects.
 */
import type { RecordBatch } from 'apache-arrow';
import { dataToValues } from '../../../src/results/rows/batch-to-rows.js';
import type { JsonColumn } from '../../../workflows/messages.js';
import { toJsonValue } from '../../json-rows.js';

const NEEDS_QUOTES = /[",\r\n]/;

export async function* encodeCsv(batches: AsyncIterable<RecordBatch>, columns: readonly JsonColumn[]): AsyncIterable<Uint8Array> {
  yield Buffer.from(`${columns.map((c) => quote(c.name)).join(',')}\r\n`, 'utf8');
  for await (const batch of batches) {
    const n = batch.numRows;
    const lines = new Array<string>(n).fill('');
    batch.data.children.forEach((data, c) => {
      const values = dataToValues(data);
      const separator = c === 0 ? '' : ',';
      for (let i = 0; i < n; i++) lines[i] += separator + csvField(values[i]);
    });
    yield Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
  }
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value === '' ? '""' : quote(value);
  const json = toJsonValue(value);
  return typeof json === 'object' && json !== null ? quote(JSON.stringify(json)) : quote(String(json));
}

function quote(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
