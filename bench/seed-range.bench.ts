/**
 * The seed's second snippet as written: `SELECT :param p, * FROM RANGE(n)` (n = 1,000,000,000
 * by default), submitted on one connection, picked up on a second by its serialized handle,
 * and read to the end through ResultSet.arrowBatches() by cloud fetch. The warehouse runs in
 * its own process with its spool in a directory of this run's own, so its peak RSS and the
 * spool's peak size are its alone. Not a test, no targets enforced.
 *
 *   npm run bench:seed [-- ROWS]
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/index.js';
import { kib, startWarehouse } from './support/warehouse-process.js';

const ROWS = Number(process.argv[2] ?? 1_000_000_000);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

console.log(`${new Date().toISOString()}, node ${process.version}, n = ${ROWS.toLocaleString('en')}`);
const spool = await mkdtemp(join(tmpdir(), 'bench-seed-spool-'));
const warehouse = await startWarehouse({ spoolDirectory: spool });
let spoolPeak = 0;
let warehousePeakKib = 0;
const sampler = setInterval(() => {
  warehousePeakKib = Math.max(warehousePeakKib, kib(warehouse.pid, 'VmHWM'));
  void directoryBytes(spool).then((bytes) => (spoolPeak = Math.max(spoolPeak, bytes)));
}, 1000);
try {
  const target = new URL(warehouse.url);
  const settings = {
    serverHostname: `${target.protocol}//${target.host}`,
    httpPath: target.pathname,
    accessToken: warehouse.token,
  };
  const first = await connect(settings);
  const started = performance.now();
  const submitted = await first.executeAsync(`SELECT :param p, * FROM RANGE(${ROWS})`, { param: 'foo' });
  const saved = submitted.serialize();
  await first.close();

  const second = await connect(settings);
  const query = await second.getAsyncExecution(saved);
  const result = await query.getResults(); // waits while the warehouse runs and spills
  const executed = performance.now();
  let read = 0;
  let lastReport = executed;
  for await (const batch of result.arrowBatches()) {
    read += batch.numRows;
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      console.log(`  ${read.toLocaleString('en')} rows read`);
    }
  }
  const finished = performance.now();
  await query.close();
  await second.close();
  if (read !== ROWS) throw new Error(`read ${read} rows of ${ROWS}`);
  const readSeconds = (finished - executed) / 1000;
  console.log(
    `execute and spill ${((executed - started) / 1000).toFixed(1)} s; read ${readSeconds.toFixed(1)} s = ` +
      `${Math.round(read / readSeconds).toLocaleString('en')} rows/s; client peak RSS ${mib(kib(process.pid, 'VmHWM') * 1024)}; ` +
      `warehouse peak RSS ${mib(warehousePeakKib * 1024)}; spool peak ${mib(spoolPeak)}`,
  );
} finally {
  clearInterval(sampler);
  warehouse.stop();
  await rm(spool, { recursive: true, force: true });
}
