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
 *   computing) inline and with 1 and 2 piscina workers (warm pools, as a request's passes share
 *   one; and once with a pool started for the token), the speedups and the CPU time spent.
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
    const pass = (run: { pool?: KernelPool }) =>
      runPassFunctional({ model, platform: V80_PLATFORM, tokens: 1, history: 0, phase: 'decode', functional: { quantized, weights, tokenIds: [42], kvImage } }, run);
    // Cold: a pool started for the token (threads, module loading, JIT warm-up all in the figure).
    let t = performance.now();
    const cold = new KernelPool(2);
    const coldLogits = (await pass({ pool: cold })).logits;
    rows.push({ label: 'functional decode token, 2 workers, cold pool (started for it)', value: performance.now() - t, unit: 'ms' });
    await cold.close();
    // Warm: one pool per worker count, kept across tokens as runFunctionalInference does; best of 3
    // after one warm-up, with the process CPU time of the best run (main thread + workers).
    const wall: number[] = [];
    let reference: Float32Array | undefined;
    for (const workers of [0, 1, 2]) {
      const pool = workers > 0 ? new KernelPool(workers) : undefined;
      let logits: Float32Array | undefined;
      let best = Infinity;
      let cpu = 0;
      for (let rep = 0; rep < 4; rep++) {
        const c0 = process.cpuUsage();
        t = performance.now();
        logits = (await pass(pool ? { pool } : {})).logits;
        const ms = performance.now() - t;
        const c = process.cpuUsage(c0);
        if (rep > 0 && ms < best) {
          best = ms;
          cpu = (c.user + c.system) / 1e3;
        }
      }
      await pool?.close();
      if (reference && Buffer.compare(Buffer.from(reference.buffer), Buffer.from(logits!.buffer)) !== 0) throw new Error(`logits with ${workers} workers differ from inline`);
      reference ??= logits;
      wall.push(best);
      const who = workers === 0 ? 'inline' : `${workers} worker(s), warm pool`;
      rows.push({ label: `functional decode token, ${who}${workers === 2 ? ' (target < 3000)' : ''}`, value: best, unit: 'ms' });
      rows.push({ label: `  process CPU time of that run (${who})`, value: cpu, unit: 'ms' });
    }
    if (Buffer.compare(Buffer.from(reference!.buffer), Buffer.from(coldLogits.buffer)) !== 0) throw new Error('logits of the cold run differ');
    rows.push({ label: 'speedup 2 workers vs 1 (target >= 1.7)', value: wall[1]! / wall[2]!, unit: 'x' });
    rows.push({ label: 'speedup 1 worker vs inline', value: wall[0]! / wall[1]!, unit: 'x' });
    rows.push({ label: 'speedup 2 workers vs inline', value: wall[0]! / wall[2]!, unit: 'x' });
    return rows;
  },
};
export default bench;
