import { INLINE_LINEAR_EXECUTOR, LinearPool, runPassFunctional, runPassTiming, SyntheticNormWeights, synthesizeQuantizedQwen3, V80_PLATFORM, type LinearPoolOptions, type LinearTileExecutor } from '@lut-llm/accelerator';
import { KvCacheImage, kvCacheLayout } from '@lut-llm/kv-prefetcher';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { machineRows, timeBestMs } from '../harness.js';

/**
 * Whole-model figures on the full Qwen3-1.7B shape:
 * - issue 6: wall time of one decode token in timing mode (target < 1 s);
 * - issue 7: functional decode of one token (synthetic co-quantized weights, every kernel
 *   computing inline) and the CPU time spent;
 * - issue 19: the same token as a stream outside the engine (runPassStream + a timing-mode run),
 *   LUTLinear ops inline vs on a piscina pool of 2 workers whose lanes claim chunks (target: >= 1.6x
 *   faster than the inline engine run and < 1.2 s), with the main thread claiming output tiles too,
 *   and the grain (output tiles per claim). All in one run,
 *   with the load average beside them (the machine is shared).
 * Synthetic weights reuse layer 0's arrays in every layer (same work, 1/28 of the build time).
 */
const bench: Bench = {
  name: 'inference: Qwen3-1.7B decode token, timing and functional (inline, stream, 2-worker pool)',
  async run(): Promise<BenchRow[]> {
    const model = QWEN3_CONFIGS['Qwen3-1.7B'];
    const rows: BenchRow[] = [];
    let cycles = 0;
    const timingMs = timeBestMs(() => {
      cycles = runPassTiming({ model, platform: V80_PLATFORM, tokens: 1, history: 128, phase: 'decode' }).cycles;
    }, 2);
    rows.push({ label: 'timing decode step (context 128): emulated cycles', value: cycles, unit: 'cycles' });
    rows.push({ label: 'timing decode step: emulated latency', value: cycles / (V80_PLATFORM.clockMhz * 1e3), unit: 'ms' });
    rows.push({ label: 'timing decode step: wall time (target < 1000)', value: timingMs, unit: 'ms' });

    const t0 = performance.now();
    const quantized = synthesizeQuantizedQwen3(model, { shared: true, reuseFirstLayer: true });
    rows.push({ label: 'synthesize co-quantized 1.7B (shared arrays)', value: performance.now() - t0, unit: 'ms' });
    const weights = new SyntheticNormWeights(model, 3);
    const kvImage = new KvCacheImage(kvCacheLayout({ layers: model.layers, kvHeads: model.kvHeads, headDim: model.headDim, maxPositions: 1024 }));
    const pass = (linear?: LinearTileExecutor) =>
      runPassFunctional({ model, platform: V80_PLATFORM, tokens: 1, history: 0, phase: 'decode', functional: { quantized, weights, tokenIds: [42], kvImage } }, linear ? { linear } : {});
    // One warm-up run (for a pool: workers start and cache the layers), then `n` timed runs:
    // median and best, with the process CPU time (main thread + workers) of the median run.
    const measure = async (label: string, linear: LinearTileExecutor | undefined, n: number): Promise<number> => {
      await pass(linear);
      const runs: { ms: number; cpuMs: number }[] = [];
      for (let r = 0; r < n; r++) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        await pass(linear);
        const ms = performance.now() - t;
        const u = process.cpuUsage(c0);
        runs.push({ ms, cpuMs: (u.user + u.system) / 1e3 });
      }
      runs.sort((a, b) => a.ms - b.ms);
      const mid = runs[Math.floor((n - 1) / 2)]!;
      rows.push({ label: `${label}: median of ${n}`, value: mid.ms, unit: 'ms' });
      if (n > 1) rows.push({ label: '  best', value: runs[0]!.ms, unit: 'ms' });
      rows.push({ label: '  process CPU time of the median run', value: mid.cpuMs, unit: 'ms' });
      return mid.ms;
    };
    rows.push(...(await machineRows('before the functional runs')));
    const inline = await measure('functional decode token, kernels inline in the engine', undefined, 3);
    await measure('functional decode token, stream outside the engine, inline (0 workers)', INLINE_LINEAR_EXECUTOR, 3);
    const withPool = async (label: string, opts: Omit<LinearPoolOptions, 'workers'>, n: number) => {
      const pool = new LinearPool({ workers: 2, ...opts });
      try {
        return await measure(label, pool, n);
      } finally {
        await pool.close();
      }
    };
    const pooled = await withPool('functional decode token, stream, 2 workers claiming 1 output tile at a time', {}, 3);
    rows.push({ label: '  speed-up vs inline in the engine (target >= 1.6)', value: inline / pooled, unit: 'x' });
    await withPool('same, the main thread claiming output tiles too', { mainLane: true }, 3);
    await withPool('grain: 4 output tiles per claim', { tilesPerClaim: 4 }, 1);
    await withPool('grain: 16 output tiles per claim', { tilesPerClaim: 16 }, 1);
    rows.push(...(await machineRows('after')));
    return rows;
  },
};
export default bench;
