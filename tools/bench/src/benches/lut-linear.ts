/**
 * LUTLinear emulation speed and predictions (issue 4). For the Qwen3-1.7B MLP/attention shapes
 * (written M x D, out x in: 2048x2048 o_proj-like, 2048x6144 down_proj, 6144x2048 up/gate_proj),
 * GEMV (T = 1) in timing mode for each variant: wall time of one emulation (build + run, best of
 * 3 after a warm-up), emulated cycles and the weight stream's achieved bandwidth. Then one
 * functional 2048x2048 co-quantized GEMV, checked bit for bit against vq's reference (throws if
 * any output differs).
 */
import { LINEAR_VARIANTS, lutLinearReference, resolveLutLinearConfig, runLutLinear, synthesizeLutLinearData, type LutLinearReport } from '@lut-llm/accelerator';
import { timeBestMs, type Bench, type BenchRow } from '../harness.js';

const SHAPES: readonly (readonly [number, number])[] = [
  [2048, 2048],
  [2048, 6144],
  [6144, 2048],
];

const bench: Bench = {
  name: 'lut-linear',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    for (const [M, D] of SHAPES) {
      for (const variant of LINEAR_VARIANTS) {
        let report: LutLinearReport | undefined;
        const ms = timeBestMs(() => {
          report = runLutLinear({ outFeatures: M, inFeatures: D, variant });
        });
        const r = report!;
        const label = `${M}x${D} GEMV ${variant}`;
        rows.push({ label: `${label}: wall (timing mode)`, value: ms, unit: 'ms' });
        rows.push({ label: `${label}: emulated`, value: r.cycles, unit: `cycles (${r.timeUs.toFixed(1)} us at ${r.clockMhz} MHz)` });
        rows.push({ label: `${label}: weights HBM`, value: r.weights.achievedGBps, unit: `GB/s of ${r.weights.peakGBps.toFixed(1)} (bottleneck ${r.bottleneck.name})` });
      }
    }
    // Functional full-size check.
    const opts = { outFeatures: 2048, inFeatures: 2048, mode: 'functional' as const };
    const data = synthesizeLutLinearData(resolveLutLinearConfig(opts));
    const want = lutLinearReference('co-quant', data, 1);
    const t0 = process.hrtime.bigint();
    const r = runLutLinear({ ...opts, data });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const got = r.output!;
    let diffs = 0;
    for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) diffs++;
    if (got.length !== want.length || diffs > 0) {
      throw new Error(`functional 2048x2048 GEMV: ${diffs} of ${want.length} outputs differ from vq's lutLinear reference`);
    }
    rows.push({ label: '2048x2048 GEMV co-quant: wall (functional)', value: ms, unit: 'ms' });
    rows.push({ label: '2048x2048 GEMV co-quant: outputs bit-identical to vq', value: want.length, unit: `of ${want.length}` });
    return rows;
  },
};

export default bench;
