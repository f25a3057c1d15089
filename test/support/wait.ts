/**
 * The suite's one way to wait for something: poll a check until it yields a value, with a
 * deadline, so no test hangs and none depends on how fast this machine is.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** Fail after this long (ms). Default 30 s: generous, the deadline is for hangs, not speed. */
  timeoutMs?: number;
  /** Pause between checks (ms). Default 50. */
  intervalMs?: number;
  /** Checked before each poll: a reason string fails the wait at once (e.g. a child exited). */
  abort?: () => string | undefined;
}

/**
 * Polls `check` until it returns something other than `false` or `undefined`, and returns
 * that. Fails naming `what` (and the last error `check` threw, if any) after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | false | undefined | Promise<T | false | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.abort?.();
    if (reason) throw new Error(`stopped waiting for ${what}: ${reason}`);
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await delay(options.intervalMs ?? 50);
  }
}
