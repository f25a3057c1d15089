/**
 * JSON lines: one object per row, values encoded as `JsonValue` (the rule of inline rows, see
 * json-rows.ts). Built column by column: each column's values become JSON text once, and the
 * lines are joined from those texts, with no row objects in between.
 */
import type { RecordBatch } from 'apache-arrow';
import { dataToValues } from '../../../src/results/rows/batch-to-rows.js';
import type { JsonColumn } from '../../../workflows/messages.js';
import { toJsonValue } from '../../json-rows.js';

export async function* encodeJsonLines(
  batches: AsyncIterable<RecordBatch>,
  columns: readonly JsonColumn[],
): AsyncIterable<Uint8Array> {
  // The later of two same-named columns wins, as in inline rows.
  const lastOfName = new Map(columns.map((c, i) => [c.name, i]));
  const keep = columns.map((c, i) => lastOfName.get(c.name) === i);
  const firstKept = keep.indexOf(true);
  const keys = columns.map((c, i) => `${i === firstKept ? '' : ','}${JSON.stringify(c.name)}:`);
  for await (const batch of batches) {
    const n = batch.numRows;
    const lines = new Array<string>(n).fill('');
    batch.data.children.forEach((data, c) => {
      if (!keep[c]) return;
      const values = dataToValues(data);
      const key = keys[c]!;
      for (let i = 0; i < n; i++) lines[i] += key + JSON.stringify(toJsonValue(values[i]));
    });
    yield Buffer.from(lines.map((line) => `{${line}}\n`).join(''), 'utf8');
  }
}
