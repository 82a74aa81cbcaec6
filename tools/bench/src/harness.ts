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

/**
 * Wall and CPU time of `fn` in milliseconds, each the best of `repeats` runs (after one warm-up
 * run). On a machine shared with other jobs the CPU time (this process's user + system time) is
 * inflated less than the wall time, which also counts the time the process waited for a core.
 */
export function timeBestWallCpuMs(fn: () => void, repeats = 3): { wallMs: number; cpuMs: number } {
  fn();
  let wallMs = Infinity;
  let cpuMs = Infinity;
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    wallMs = Math.min(wallMs, wall);
    cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000);
  }
  return { wallMs, cpuMs };
}

/**
 * The benches the command line selects: every one, or those whose name contains a filter.
 * `--help`/`-h` gives the list of benches; a filter that matches none (or an unknown option) is
 * an error naming it.
 */
export function selectBenches(all: readonly Bench[], argv: readonly string[]): { benches: Bench[] } | { help: string } | { error: string } {
  const list = all.map((b) => `  ${b.name}`).join('\n');
  if (argv.includes('--help') || argv.includes('-h')) {
    return { help: `usage: npm run bench [-- <filter>...]\nruns the benches whose name contains a filter (all without one):\n${list}` };
  }
  const option = argv.find((a) => a.startsWith('-'));
  if (option !== undefined) return { error: `bench: unknown option '${option}' (only --help)` };
  const unmatched = argv.filter((f) => !all.some((b) => b.name.includes(f)));
  if (unmatched.length > 0) return { error: `bench: no bench matches ${unmatched.map((f) => `'${f}'`).join(', ')}; benches:\n${list}` };
  return { benches: all.filter((b) => argv.length === 0 || argv.some((f) => b.name.includes(f))) };
}

/**
 * How many cores this process can get right now: `threads` worker threads spin on integer work for
 * `ms` each, at the same time, and their summed iterations are divided by one thread's spinning
 * alone (measured first). About 2 on an idle 2-core machine, nearer 1 (or below) when other
 * processes hold the cores. Printed beside every parallel speed-up, so a ratio measured on a
 * shared machine can be read against what the machine gave (and re-measured on a quiet one).
 */
export async function coresAvailable(threads = 2, ms = 250): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const spin = `const { parentPort, workerData } = require('node:worker_threads');
    parentPort.once('message', () => {
      let n = 0, x = 0; const end = performance.now() + workerData;
      while (performance.now() < end) { for (let i = 0; i < 10000; i++) x = (x * 1103515245 + 12345) | 0; n++; }
      parentPort.postMessage(n + (x & 0));
    });`;
  const race = async (k: number): Promise<number> => {
    const ws = Array.from({ length: k }, () => new Worker(spin, { eval: true, workerData: ms }));
    // started together once every thread is up (spawning is not part of the measurement)
    await Promise.all(ws.map((w) => new Promise((r) => w.once('online', r))));
    const counts = ws.map((w) => new Promise<number>((r) => w.once('message', r)));
    for (const w of ws) w.postMessage('go');
    const total = (await Promise.all(counts)).reduce((a, b) => a + b, 0);
    await Promise.all(ws.map((w) => w.terminate()));
    return total;
  };
  const one = await race(1);
  return (await race(threads)) / one;
}

/** Rows saying how loaded the machine was: the 1-minute load average, and {@link coresAvailable} for 2 threads. */
export async function machineRows(when: string): Promise<BenchRow[]> {
  const { loadavg, availableParallelism } = await import('node:os');
  return [
    { label: `load average (1 min) ${when}, ${availableParallelism()} cores`, value: loadavg()[0]!, unit: '' },
    { label: `cores available ${when} (2 spinning threads vs 1)`, value: await coresAvailable(2), unit: '' },
  ];
}
