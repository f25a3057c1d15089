/** Timing of a small operation repeated one call after another, shared by the latency benches. */

/** Runs `once` `runs` times in sequence; each call's duration in ms, sorted ascending. */
export async function timedRuns(runs: number, once: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** The sample at fraction `q` (0.5 for the median) of ascending `sorted` samples. */
export function quantile(sorted: readonly number[], q: number): number {
  const value = sorted[Math.floor(sorted.length * q)];
  if (value === undefined) throw new Error(`no sample at quantile ${q} of ${sorted.length}`);
  return value;
}
