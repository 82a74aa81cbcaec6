/** A benchmark: a name and a function that measures and returns printable rows. */
export interface Bench {
  readonly name: string;
  /** Runs the measurements; returns rows of (label, value, unit) to print. */
  run(): Promise<readonly BenchRow[]> | readonly BenchRow[];
}

export interface BenchRow {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
}

/** Wall time of `fn` in milliseconds, best of `repeats` runs (after one warm-up run). */
export function timeBestMs(fn: () => void, repeats = 3): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
}
