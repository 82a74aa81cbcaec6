/**
 * LUT GEMV vs FP32 GEMV on the Qwen3-1.7B MLP shapes (issue 3). Shapes are M x D (out x in):
 * 2048 x 6144 (down_proj) and 6144 x 2048 (up/gate_proj). The LUT layer is synthesized (random
 * codebooks and 4-bit indices, real INT8 tables; paper configuration v = 2, cA = 64, cW = 16,
 * G = 512), so one GEMV does M * D / 2 look-ups; the FP32 GEMV does M * D multiply-adds on the
 * same shape. Timings are the best of interleaved rounds (so all variants see the same machine
 * noise); ratios are computed from the same run.
 */
import type { Bench, BenchRow } from '../harness.js';
import { Rng, encodeActivations, fp32Gemv, lutGemm, lutGemv, synthesizeQuantizedLinear, syntheticActivations, syntheticWeights } from '@lut-llm/vq';

/** Interleaved rounds per measurement: enough for a stable best-of on a shared 2-core machine. */
const ROUNDS = 9;
/** Prompt-chunk size for the GEMM row (prefill shares each index stream across tokens). */
const GEMM_TOKENS = 8;
const SHAPES: readonly (readonly [number, number])[] = [
  [2048, 6144],
  [6144, 2048],
];

/**
 * The same FP32 GEMV with 4 independent accumulators (a float add chain limits the plain loop to
 * one multiply-add per add latency; this is what a tuned scalar kernel does). Reassociated, so
 * not bit-identical to fp32Gemv: used for timing only.
 */
function fp32GemvUnrolled(w: Float32Array, M: number, D: number, x: Float32Array, y: Float32Array): void {
  for (let n = 0; n < M; n++) {
    const o = n * D;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d + 4 <= D; d += 4) {
      s0 += w[o + d]! * x[d]!;
      s1 += w[o + d + 1]! * x[d + 1]!;
      s2 += w[o + d + 2]! * x[d + 2]!;
      s3 += w[o + d + 3]! * x[d + 3]!;
    }
    for (; d < D; d++) s0 += w[o + d]! * x[d]!;
    y[n] = s0 + s1 + (s2 + s3);
  }
}

function bestInterleaved(fns: Record<string, () => void>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [k, fn] of Object.entries(fns)) {
    fn(); // warm-up (JIT)
    best[k] = Infinity;
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = process.hrtime.bigint();
      fn();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (ms < best[k]!) best[k] = ms;
    }
  }
  return best;
}

const bench: Bench = {
  name: 'vq: LUT GEMV vs FP32 GEMV',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    for (const [M, D] of SHAPES) {
      const rng = new Rng(0xbe7c);
      const t0 = process.hrtime.bigint();
      const q = synthesizeQuantizedLinear(M, D, {}, rng);
      const synthMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const w = syntheticWeights(M, D, rng);
      const x = syntheticActivations(GEMM_TOKENS, D, rng);
      const x1 = x.subarray(0, D);
      const idx = encodeActivations(x, GEMM_TOKENS, q.actCodebooks, q.cfg);
      const idx1 = idx.subarray(0, q.positions);
      const y = new Float32Array(M);
      const t = bestInterleaved({
        fp32: () => void fp32Gemv(w, M, D, x1),
        fp32x4: () => fp32GemvUnrolled(w, M, D, x1, y),
        lut: () => void lutGemv(q, idx1),
        lutGemm: () => void lutGemm(q, idx, GEMM_TOKENS),
        encode: () => void encodeActivations(x1, 1, q.actCodebooks, q.cfg),
      });
      const lookups = M * q.positions;
      const s = `${M}x${D}`;
      rows.push(
        { label: `${s} synthesize QuantizedLinear`, value: synthMs, unit: 'ms' },
        { label: `${s} FP32 GEMV (fp32Gemv, reference)`, value: t.fp32!, unit: 'ms' },
        { label: `${s} FP32 GEMV (4 accumulators)`, value: t.fp32x4!, unit: 'ms' },
        { label: `${s} LUT GEMV (lutGemv, INT8 tables)`, value: t.lut!, unit: 'ms' },
        { label: `${s} LUT GEMV look-ups/s`, value: lookups / (t.lut! / 1e3) / 1e6, unit: 'M/s' },
        { label: `${s} FP32 GEMV multiply-adds/s (reference)`, value: (M * D) / (t.fp32! / 1e3) / 1e6, unit: 'M/s' },
        { label: `${s} ratio LUT vs FP32 reference (speed-up)`, value: t.fp32! / t.lut!, unit: 'x' },
        { label: `${s} ratio LUT vs FP32 4-accumulator (speed-up)`, value: t.fp32x4! / t.lut!, unit: 'x' },
        { label: `${s} LUT GEMM T=${GEMM_TOKENS} look-ups/s`, value: (GEMM_TOKENS * lookups) / (t.lutGemm! / 1e3) / 1e6, unit: 'M/s' },
        { label: `${s} encode 1 token (${q.positions} positions x cA=64, Chebyshev)`, value: t.encode!, unit: 'ms' },
      );
    }
    return rows;
  },
};

export default bench;
