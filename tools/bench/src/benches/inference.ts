import { runPassFunctional, runPassTiming, SyntheticNormWeights, synthesizeQuantizedQwen3, V80_PLATFORM } from '@lut-llm/accelerator';
import { KvCacheImage, kvCacheLayout } from '@lut-llm/kv-prefetcher';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs } from '../harness.js';

/**
 * Whole-model figures on the full Qwen3-1.7B shape:
 * - issue 6: wall time of one decode token in timing mode (target < 1 s);
 * - issue 7: functional decode of one token (synthetic co-quantized weights, every kernel
 *   computing inline) and the CPU time spent.
 * Synthetic weights reuse layer 0's arrays in every layer (same work, 1/28 of the build time).
 */
const bench: Bench = {
  name: 'inference: Qwen3-1.7B decode token, timing and functional (inline)',
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
    const pass = () => runPassFunctional({ model, platform: V80_PLATFORM, tokens: 1, history: 0, phase: 'decode', functional: { quantized, weights, tokenIds: [42], kvImage } });
    // Kernels inline (the in-engine worker offload is retired, issue 19): one warm-up run, then
    // the best and the median of 3 with the process CPU time of the median run.
    await pass();
    const runs: { ms: number; cpuMs: number }[] = [];
    for (let r = 0; r < 3; r++) {
      const c0 = process.cpuUsage();
      const t = performance.now();
      await pass();
      const ms = performance.now() - t;
      const u = process.cpuUsage(c0);
      runs.push({ ms, cpuMs: (u.user + u.system) / 1e3 });
    }
    runs.sort((a, b) => a.ms - b.ms);
    rows.push({ label: 'functional decode token, inline: median of 3', value: runs[1]!.ms, unit: 'ms' });
    rows.push({ label: '  best of 3', value: runs[0]!.ms, unit: 'ms' });
    rows.push({ label: '  process CPU time of the median run', value: runs[1]!.cpuMs, unit: 'ms' });
    return rows;
  },
};
export default bench;
