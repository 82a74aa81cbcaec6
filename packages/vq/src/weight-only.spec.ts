import { describe, expect, it } from 'vitest';
import type { QuantizedLinear } from './quantized-linear.js';
import { weightIndexAt } from './quantized-linear.js';
import { Rng } from './rng.js';
import { synthesizeQuantizedLinear } from './synthesize.js';
import { syntheticActivations } from './synthetic.js';
import { weightOnlyAccumulateTile, weightOnlyGemm, weightOnlyGemv } from './weight-only.js';

/** Slow reference: float64 dot product of x with the dequantized (centroid) weights, and sum |x w|. */
function slowWeightOnly(q: QuantizedLinear, x: Float32Array, T: number): { y: Float64Array; absSum: Float64Array } {
  const { v, cW, groupSize: G } = q.cfg;
  const D = q.inFeatures;
  const M = q.outFeatures;
  const y = new Float64Array(T * M);
  const absSum = new Float64Array(T * M);
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < M; n++) {
      const g = Math.floor(n / G);
      let s = 0;
      let a = 0;
      for (let p = 0; p < q.positions; p++) {
        const c = ((p * q.groups + g) * cW + weightIndexAt(q, p, n)) * v;
        for (let e = 0; e < v; e++) {
          s += x[t * D + p * v + e]! * q.weightCodebooks[c + e]!;
          a += Math.abs(x[t * D + p * v + e]! * q.weightCodebooks[c + e]!);
        }
      }
      y[t * M + n] = s;
      absSum[t * M + n] = a;
    }
  }
  return { y, absSum };
}

describe('weight-only VQ', () => {
  for (const cfg of [{ groupSize: 16 }, { v: 4 as const, cW: 8, groupSize: 8 }]) {
    it(`matches a float64 loop over dequantized weights within float32 accumulation error (${JSON.stringify(cfg)})`, () => {
      const M = 40;
      const D = 64;
      const T = 3;
      const q = synthesizeQuantizedLinear(M, D, cfg, new Rng(1));
      const x = syntheticActivations(T, D, new Rng(2));
      const y = weightOnlyGemm(q, x, T);
      const { y: ref, absSum } = slowWeightOnly(q, x, T);
      // Float32 rounding of P table entries and of P partial sums, each <= 2^-24 * sum |x w|:
      // |err| <= (2P) 2^-24 sum |x w|.
      let worst = 0;
      for (let i = 0; i < y.length; i++) {
        const err = Math.abs(y[i]! - ref[i]!);
        expect(err).toBeLessThanOrEqual(2 * q.positions * 2 ** -24 * absSum[i]!);
        worst = Math.max(worst, err);
      }
      expect(worst).toBeGreaterThan(0); // float32 accumulation really happens (a float64 kernel would give 0)
    });
  }

  it('ascending position tiles and any output tiling are bit-identical to the whole layer', () => {
    const M = 48;
    const D = 40;
    const T = 2;
    const q = synthesizeQuantizedLinear(M, D, { groupSize: 12 }, new Rng(3));
    const x = syntheticActivations(T, D, new Rng(4));
    const whole = weightOnlyGemm(q, x, T);
    const outCuts = [0, 5, 12, 31, 48];
    const posCuts = [0, 3, 4, 11, 20];
    for (let i = 0; i + 1 < outCuts.length; i++) {
      const o0 = outCuts[i]!;
      const o1 = outCuts[i + 1]!;
      const acc = new Float32Array(T * (o1 - o0));
      for (let j = 0; j + 1 < posCuts.length; j++) weightOnlyAccumulateTile(q, x, T, posCuts[j]!, posCuts[j + 1]!, o0, o1, acc);
      for (let t = 0; t < T; t++) {
        for (let n = o0; n < o1; n++) expect(Object.is(acc[t * (o1 - o0) + n - o0], whole[t * M + n])).toBe(true);
      }
    }
    expect(Array.from(weightOnlyGemv(q, x.subarray(0, D)))).toEqual(Array.from(whole.subarray(0, M)));
  });

  it('rejects bad input clearly', () => {
    const q = synthesizeQuantizedLinear(8, 8, { groupSize: 8 }, new Rng(5));
    expect(() => weightOnlyGemm(q, new Float32Array(7), 1)).toThrow(/x has length 7, expected 8/);
    expect(() => weightOnlyGemm(q, Float32Array.from([0, 0, NaN, 0, 0, 0, 0, 0]), 1)).toThrow(/x\[t=0\]\[d=2\] is NaN/);
    expect(() => weightOnlyAccumulateTile(q, new Float32Array(8), 1, 2, 1, 0, 8, new Float32Array(8))).toThrow(/position range \[2, 1\)/);
  });
});
