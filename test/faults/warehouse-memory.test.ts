/**
 * The warehouse's memory plateaus over repeated passes of real statements mixed with garbage
 * requests. What it keeps is bounded: results until closed (or idle past resultIdleTimeoutMs),
 * and a query history of at most 1,000 entries whose statement text together stays under
 * 16 Mi characters. Measured as the JS heap after a full GC, the part a leak or an unbounded
 * history would grow; the bound asserted is one a leak of the statements would break.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { useLocalWarehouse } from '../support/driver-fixtures.js';
import { post } from './support/thrift-bytes.js';

const MB = 1024 * 1024;
const PASSES = 8;
const PER_PASS = 40;
/** Each statement carries this much text: 40 a pass hold 5 MiB if the history keeps them all. */
const STATEMENT_CHARS = 128 * 1024;
const HISTORY_CHARS_BOUND = 16 * MB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('warehouse memory over repeated passes', () => {
  const local = useLocalWarehouse();

  it('plateaus: statements with large text and garbage requests, pass after pass', async () => {
    const heap: number[] = [];
    let sent = 0;
    for (let pass = 0; pass < PASSES; pass++) {
      for (let i = 0; i < PER_PASS; i++) {
        // A unique long comment: a generated statement, as pipelines and ORMs send.
        const padding = `${pass}.${i} `.padEnd(STATEMENT_CHARS, 'x');
        const rs = await local.connection.execute(`SELECT id, 'v' || id AS s FROM range(${500 + i}) -- ${padding}`);
        assert.equal((await rs.fetchAll()).length, 500 + i);
        await rs.close();
        sent += 1;
        const garbage = Buffer.alloc(64 + i, (pass * 31 + i) & 0xff);
        assert.equal((await post(local.warehouse, garbage)).status, 400);
      }
      heap.push(heapAfterGc());
    }
    const history = local.warehouse.history();
    const kept = history.reduce((sum, r) => sum + r.statement.length, 0);
    process.stdout.write(
      `heap after each pass (MiB): ${heap.map((h) => (h / MB).toFixed(1)).join(' ')}; ` +
        `history ${history.length} entries, ${(kept / MB).toFixed(1)} Mi chars of statements\n`,
    );
    assert.ok(kept <= HISTORY_CHARS_BOUND, `the history keeps ${kept} characters of statements`);
    assert.ok(history.length < sent, 'the history dropped the oldest statements');
    assert.ok(history[0]!.statement.includes(`${PASSES - 1}.${PER_PASS - 1} `), 'the newest statement is kept');
    // From pass 4 on the history is full: keeping every statement would add 5 MiB a pass (25 MiB).
    const growth = heap[PASSES - 1]! - heap[3]!;
    assert.ok(growth < 12 * MB, `the heap grew ${(growth / MB).toFixed(1)} MiB over the last ${PASSES - 4} passes`);
  });
});
