import type { MockActivityEnvironment } from '@temporalio/testing';

/** `env.run(fn, ...args)` typed by `fn`: the mock's own signature cannot infer the result type. */
export function runActivity<P extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: P) => Promise<R>,
  ...args: P
): Promise<R> {
  return env.run<P, R, (...args: P) => Promise<R>>(fn, ...args);
}
