/** Prints a workflow's progress live (its `status` query) and its result rows. */
import type { Client } from '@temporalio/client';
import type { ActivityRetryStatus, JsonValue, SqlQueryResult, SqlQueryStatus } from '../../workflows/messages.js';
import { getSqlQueryStatus } from '../temporal/client.js';
import { describeSinkProgress, getSinkProgress } from './sink-progress.js';

/**
 * Calls `tick` every `intervalMs` until `done` settles (and once at once), and returns `done`'s
 * outcome. The live views of a query and of a pipeline both draw from it. A tick still out when
 * `done` settles is not waited for (a status query to a closed workflow that no worker serves
 * waits for Temporal's query timeout) but its `signal` aborts, so it ends its calls at once
 * instead of outliving the caller's connection.
 */
export async function whileRunning<T>(
  done: Promise<T>,
  intervalMs: number,
  tick: (isSettled: () => boolean, signal: AbortSignal) => Promise<void>,
): Promise<T> {
  let settled = false;
  const stop = new AbortController();
  const finished = done.finally(() => {
    settled = true;
    stop.abort();
  });
  // Handled at once: a workflow that already failed rejects while the first status query is out.
  finished.catch(() => undefined);
  while (!settled) {
    const ticking = tick(() => settled, stop.signal);
    ticking.catch(() => undefined);
    await Promise.race([ticking, finished.catch(() => undefined)]);
    await Promise.race([finished.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
  }
  return finished;
}

/**
 * Polls the status query every `intervalMs` until `done` settles, writing one line per
 * change (rewritten in place on a terminal). Returns `done`'s outcome.
 */
export async function withLiveProgress<T>(
  client: Client,
  workflowId: string,
  done: Promise<T>,
  intervalMs = 500,
  out: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  const started = Date.now();
  let lastLine = '';
  const outcome = whileRunning(done, intervalMs, async (isSettled, signal) => {
    const status = await client.withAbortSignal(signal, () => getSqlQueryStatus(client, workflowId)).catch(() => undefined);
    if (!status || isSettled()) return;
    const sink =
      status.state === 'FETCHING'
        ? await client.withAbortSignal(signal, () => getSinkProgress(client, workflowId)).catch(() => undefined)
        : undefined;
    const line = describeStatus(status, Date.now() - started) + describeSinkProgress(sink);
    if (out.isTTY) out.write(`\r\x1b[K${line}`);
    else if (line.replace(/\d+\.\d s/, '') !== lastLine.replace(/\d+\.\d s/, '')) out.write(`${line}\n`);
    lastLine = line;
  });
  await outcome.catch(() => undefined);
  if (out.isTTY && lastLine) out.write('\r\x1b[K');
  return outcome;
}

function describeStatus(status: SqlQueryStatus, elapsedMs: number): string {
  const query = status.queryId ? ` query ${status.queryId}` : '';
  const runs = status.runs > 1 ? `, run ${status.runs}` : '';
  return (
    `[${status.state}]${query}, ${status.polls} poll${status.polls === 1 ? '' : 's'}${runs}, ` +
    `${(elapsedMs / 1000).toFixed(1)} s${describeRetrying(status.retrying)}`
  );
}

/** ' - retrying <activity>: attempt N failed, failing since <time>: <type>: <message>', or ''. */
function describeRetrying(retrying: ActivityRetryStatus | undefined): string {
  if (!retrying) return '';
  const { activity, attempts, lastError, since } = retrying;
  const message = lastError.message.length > 200 ? `${lastError.message.slice(0, 200)}…` : lastError.message;
  return ` - retrying ${activity}: attempt ${attempts} failed, failing since ${since}: ${lastError.type}: ${message}`;
}

/** Writes the result: an aligned table (or JSON lines with `json`), or the sink manifest. */
export function printResult(result: SqlQueryResult, json: boolean, out: NodeJS.WriteStream = process.stdout): void {
  if (json) {
    out.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (result.state === 'CANCELED') {
    out.write(`query ${result.queryId ?? ''} was canceled\n`);
    return;
  }
  if (result.manifest) {
    const m = result.manifest;
    out.write(`${m.rows} rows (${m.bytes} bytes, ${m.format}) written to ${m.location}\n`);
    return;
  }
  out.write(
    formatTable(
      result.columns.map((c) => c.name),
      result.rows ?? [],
    ),
  );
  out.write(`(${result.rowCount} row${result.rowCount === 1 ? '' : 's'})\n`);
}

export function formatTable(names: string[], rows: Record<string, JsonValue>[]): string {
  const cells = rows.map((row) => names.map((name) => formatCell(row[name])));
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]): string => `${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')}\n`;
  return line(names) + line(widths.map((w) => '-'.repeat(w))) + cells.map(line).join('');
}

function formatCell(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
