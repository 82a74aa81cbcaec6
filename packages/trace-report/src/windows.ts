/**
 * Values binned into at most `maxWindows` windows of a width that doubles whenever a value lands
 * past the last window: memory stays fixed however long the run, and the width ends as the
 * smallest power of two that covers the run in `maxWindows` windows. `rows` independent series
 * (e.g. one per timeline group and state) share the width.
 */
export class DoublingWindows {
  windowCycles = 1;
  readonly data: Float64Array;

  constructor(
    readonly rows: number,
    readonly maxWindows: number,
    /** How two windows merge when the width doubles: cycle sums add, peaks take the max. */
    readonly merge: 'sum' | 'max',
  ) {
    if (!Number.isInteger(maxWindows) || maxWindows < 2 || maxWindows % 2 !== 0) throw new RangeError(`maxWindows must be an even integer >= 2, got ${maxWindows}`);
    this.data = new Float64Array(rows * maxWindows);
  }

  /** Widens the windows until cycle `endCycle` (exclusive) fits. */
  cover(endCycle: number): void {
    while (endCycle > this.windowCycles * this.maxWindows) this.double();
  }

  private double(): void {
    const n = this.maxWindows;
    const d = this.data;
    for (let r = 0; r < this.rows; r++) {
      const o = r * n;
      for (let w = 0; w < n / 2; w++) {
        const a = d[o + 2 * w]!;
        const b = d[o + 2 * w + 1]!;
        d[o + w] = this.merge === 'sum' ? a + b : Math.max(a, b);
      }
      d.fill(0, o + n / 2, o + n);
    }
    this.windowCycles *= 2;
  }

  /** Adds `perCycle` x the overlap of [start, end) to each window of `row` ('sum' mode). */
  addSpan(row: number, start: number, end: number, perCycle = 1): void {
    if (end <= start) return;
    this.cover(end);
    const W = this.windowCycles;
    const o = row * this.maxWindows;
    for (let c = start; c < end; ) {
      const w = Math.floor(c / W);
      const e = Math.min(end, (w + 1) * W);
      this.data[o + w]! += (e - c) * perCycle;
      c = e;
    }
  }

  /** Raises the window of `cycle` in `row` to at least `value` ('max' mode). */
  peak(row: number, cycle: number, value: number): void {
    this.cover(cycle + 1);
    const i = row * this.maxWindows + Math.floor(cycle / this.windowCycles);
    if (value > this.data[i]!) this.data[i] = value;
  }

  /** Windows needed to cover `cycles`. */
  windowsFor(cycles: number): number {
    return Math.min(this.maxWindows, Math.max(1, Math.ceil(cycles / this.windowCycles)));
  }

  /** Row `row`'s first `windows` values, as a plain array (for JSON). */
  row(row: number, windows: number): number[] {
    return Array.from(this.data.subarray(row * this.maxWindows, row * this.maxWindows + windows));
  }
}

/**
 * A coarser level: every `factor` windows of each of `rows` series merged by sum (series are
 * laid out row-major, `windows` per row).
 */
export function coarsen(values: readonly number[], rows: number, windows: number, factor: number): number[] {
  const out = Math.ceil(windows / factor);
  const res = new Array<number>(rows * out).fill(0);
  for (let r = 0; r < rows; r++) for (let w = 0; w < windows; w++) res[r * out + Math.floor(w / factor)]! += values[r * windows + w]!;
  return res;
}
