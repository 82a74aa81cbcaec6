import { threadCpuMs } from '@lut-llm/accelerator';
import { expandGrid, parseGrid, runSweepLocal } from '@lut-llm/dse';
import { machineRows, type Bench, type BenchRow } from '../harness.js';

/**
 * Issue 24: a 16-point sweep as a user runs one (Qwen3-1.7B, all 28 layers, 128 tokens in, 16
 * out, 2 decode samples: c_a x BPCSUs x table bits x clock, so half the points are re-timed from
 * their clock twin's recording, as `lut-llm sweep` does) with 1 thread (the main thread,
 * serially) and with 2 (the main thread and one worker thread started for the sweep), in the same
 * run, after an untimed serial sweep of 2 points (so the main thread's JIT is warm in both). The
 * rows must be identical. (The toy grid this bench used before, Qwen3-0.6B at 4 layers and 32
 * tokens, is 1.8 s in all, so a worker's start-up, about 0.65 s of CPU, decided its ratio.)
 */
const bench: Bench = {
  name: 'sweep: 16 points, 1 vs 2 local threads',
  async run(): Promise<BenchRow[]> {
    const grid = parseGrid({
      request: { promptTokens: 128, outputTokens: 16, decodeSamples: 2 },
      axes: { model: ['Qwen3-1.7B'], cA: [32, 64], bpcsuCount: [8, 16], lutBits: [4, 8], clockMhz: [200, 250] },
    });
    const points = expandGrid(grid);
    const before = await machineRows('before');
    // CPU time of the process (main thread and workers): with 2 workers it should be about twice the wall time.
    const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e3;
    await runSweepLocal(points.slice(0, 2), { workers: 1 }); // untimed warm-up
    let t = performance.now();
    let c = process.cpuUsage();
    const one = await runSweepLocal(points, { workers: 1 });
    const oneMs = performance.now() - t;
    const oneCpu = cpuMs(process.cpuUsage(c));
    t = performance.now();
    c = process.cpuUsage();
    const main0 = threadCpuMs();
    const two = await runSweepLocal(points, { workers: 2 });
    const twoMs = performance.now() - t;
    const twoCpu = cpuMs(process.cpuUsage(c));
    // With a core per thread the sweep would take about as long as its busier side: the main
    // thread, or the rest of the process (the worker, with V8's helper threads counted against it).
    const mainCpu = threadCpuMs() - main0;
    if (JSON.stringify(one) !== JSON.stringify(two)) throw new Error('sweep rows differ between 1 and 2 threads');
    return [
      ...before,
      { label: 'points', value: points.length, unit: '' },
      { label: '1 thread: wall time', value: oneMs, unit: 'ms' },
      { label: '1 thread: cores used (CPU time / wall time)', value: oneCpu / oneMs, unit: '' },
      { label: '2 threads: wall time', value: twoMs, unit: 'ms' },
      { label: '2 threads: cores used (CPU time / wall time)', value: twoCpu / twoMs, unit: '' },
      { label: 'speed-up, 2 vs 1 thread (target >= 1.8)', value: oneMs / twoMs, unit: 'x' },
      { label: '  on cores of their own (1-thread CPU / max(main thread CPU, rest))', value: oneCpu / Math.max(mainCpu, twoCpu - mainCpu), unit: 'x' },
      ...(await machineRows('after')),
    ];
  },
};
export default bench;
