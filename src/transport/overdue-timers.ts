/**
 * Lets overdue timers run before a request picks a keep-alive connection, but only when the
 * event loop was held. After a long synchronous stretch (a large decode), undici's keep-alive
 * timer of a connection idle past its limit may be due but not yet run, and undici's own check
 * of an idle connection waits for the check phase only: the request would go out on a
 * connection the server is closing (ECONNRESET), and ExecuteStatement is never retried.
 * Yielding to the timers phase costs at least 1 ms (Node's timer granularity) and more on a
 * busy machine, so a request does it only when a probe timer shows the loop fell behind.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** How often the probe ticks; a tick later than twice this means the loop was held. */
const PROBE_MS = 50;
let lastTick = -Infinity;
let probe: NodeJS.Timeout | undefined;

export async function letOverdueTimersRun(): Promise<void> {
  if (probe === undefined) {
    probe = setInterval(() => (lastTick = performance.now()), PROBE_MS);
    probe.unref(); // never keeps a process alive
  }
  if (performance.now() - lastTick > 2 * PROBE_MS) await delay(0);
}
