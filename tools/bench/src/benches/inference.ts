import { runPassFunctional, runPassTiming, SyntheticNormWeights, synthesizeQuantizedQwen3, V80_PLATFORM } from '@lut-llm/accelerator';
import { KvCacheImage, kvCacheLayout } from '@lut-llm/kv-prefetcher';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs, timeBestMsAsync } from '../harness.js';

/**
 * Whole-model figures on the full Qwen3-1.7B shape:
 * - issue 6: wall time of one decode token in timing mode (target < 1 s);
 * - issue 7: functional decode of one token (synthetic co-quantized weights, every kernel
 *   computing) inline and with 1 and 2 piscina workers, and the speedup.
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
    const wall: number[] = [];
    let reference: Float32Array | undefined;
    for (const workers of [0, 1, 2]) {
      let logits: Float32Array | undefined;
      const ms = await timeBestMsAsync(async () => {
        const r = await runPassFunctional({ model, platform: V80_PLATFORM, tokens: 1, history: 0, phase: 'decode', functional: { quantized, weights, tokenIds: [42], kvImage } }, { workers });
        logits = r.logits;
      }, 1);
      if (reference && Buffer.compare(Buffer.from(reference.buffer), Buffer.from(logits!.buffer)) !== 0) throw new Error(`logits with ${workers} workers differ from inline`);
      reference ??= logits;
      wall.push(ms);
      rows.push({ label: `functional decode token, ${workers === 0 ? 'inline' : `${workers} worker(s)`} (target < 3000 with 2)`, value: ms, unit: 'ms' });
    }
    rows.push({ label: 'speedup 2 workers vs 1 (target >= 1.7)', value: wall[1]! / wall[2]!, unit: 'x' });
    rows.push({ label: 'speedup 2 workers vs inline', value: wall[0]! / wall[2]!, unit: 'x' });
    return rows;
  },
};
export default bench;
