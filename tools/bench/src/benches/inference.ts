import { runPassFunctional, runPassTiming, SyntheticNormWeights, synthesizeQuantizedQwen3, V80_PLATFORM } from '@lut-llm/accelerator';
import { KernelPool } from '@lut-llm/core';
import { KvCacheImage, kvCacheLayout } from '@lut-llm/kv-prefetcher';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs } from '../harness.js';

/**
 * Whole-model figures on the full Qwen3-1.7B shape:
 * - issue 6: wall time of one decode token in timing mode (target < 1 s);
 * - issue 7: functional decode of one token (synthetic co-quantized weights, every kernel
 *   computing) inline, with 1 piscina worker (with and without main-thread sharing) and with 2
 *   (warm pools, as a request's passes share one; and once with a pool started for the token),
 *   the speedups and the CPU time spent.
 * Synthetic weights reuse layer 0's arrays in every layer (same work, 1/28 of the build time).
 */
const bench: Bench = {
  name: 'inference: Qwen3-1.7B decode token, timing and functional (0/1/2 workers)',
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
    const pass = (run: { pool?: KernelPool; inlineEvery?: number }) =>
      runPassFunctional({ model, platform: V80_PLATFORM, tokens: 1, history: 0, phase: 'decode', functional: { quantized, weights, tokenIds: [42], kvImage } }, run);
    // Cold: a pool started for the token (threads, module loading, JIT warm-up all in the figure).
    let t = performance.now();
    const cold = new KernelPool(2);
    const coldLogits = (await pass({ pool: cold })).logits;
    rows.push({ label: 'functional decode token, 2 workers, cold pool (started for it)', value: performance.now() - t, unit: 'ms' });
    await cold.close();
    // Warm: one pool per configuration, kept across tokens as runFunctionalInference does. The
    // configurations take turns (round robin, 5 rounds after a warm-up one) so that the machine's
    // slow and fast phases fall on all of them; reported: the best run and the median, with the
    // process CPU time (main thread + workers) of the median run.
    const configs = [
      { workers: 0, label: 'inline' },
      { workers: 1, label: '1 worker (default: 1 in 4 output tiles on the main thread)' },
      { workers: 1, inlineEvery: 0, label: '1 worker, every tile in the worker' },
      { workers: 2, label: '2 workers' },
    ];
    const pools = configs.map((c) => (c.workers > 0 ? new KernelPool(c.workers) : undefined));
    const runs: { ms: number; cpuMs: number }[][] = configs.map(() => []);
    let reference: Float32Array | undefined;
    try {
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < configs.length; i++) {
          const c = configs[i]!;
          const c0 = process.cpuUsage();
          t = performance.now();
          const pool = pools[i];
          const logits = (await pass({ ...(pool ? { pool } : {}), ...(c.inlineEvery !== undefined ? { inlineEvery: c.inlineEvery } : {}) })).logits;
          const ms = performance.now() - t;
          const u = process.cpuUsage(c0);
          if (reference && Buffer.compare(Buffer.from(reference.buffer), Buffer.from(logits.buffer)) !== 0) throw new Error(`logits of '${c.label}' differ from inline`);
          reference ??= logits;
          if (round > 0) runs[i]!.push({ ms, cpuMs: (u.user + u.system) / 1e3 });
        }
      }
    } finally {
      for (const p of pools) await p?.close();
    }
    const medianRun = (r: { ms: number; cpuMs: number }[]) => [...r].sort((a, b) => a.ms - b.ms)[r.length >> 1]!;
    const best = runs.map((r) => Math.min(...r.map((x) => x.ms)));
    const median = runs.map((r) => medianRun(r).ms);
    configs.forEach((c, i) => {
      const target = c.workers === 2 ? ' (target < 3000)' : '';
      rows.push({ label: `functional decode token, ${c.label}: median${target}`, value: median[i]!, unit: 'ms' });
      rows.push({ label: `  best of 5`, value: best[i]!, unit: 'ms' });
      rows.push({ label: `  process CPU time of the median run`, value: medianRun(runs[i]!).cpuMs, unit: 'ms' });
    });
    if (Buffer.compare(Buffer.from(reference!.buffer), Buffer.from(coldLogits.buffer)) !== 0) throw new Error('logits of the cold run differ');
    rows.push({ label: 'speedup 2 workers vs 1, medians (target >= 1.7)', value: median[1]! / median[3]!, unit: 'x' });
    rows.push({ label: 'speedup 1 worker vs inline, medians', value: median[0]! / median[1]!, unit: 'x' });
    rows.push({ label: 'speedup 2 workers vs inline, medians', value: median[0]! / median[3]!, unit: 'x' });
    rows.push({ label: 'speedup of main-thread sharing with 1 worker, medians', value: median[2]! / median[1]!, unit: 'x' });
    return rows;
  },
};
export default bench;
