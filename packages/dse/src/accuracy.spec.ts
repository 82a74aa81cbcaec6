import { describe, expect, it } from 'vitest';
import { DEFAULT_VQ_CONFIG, Rng, quantizeLinear, syntheticActivations, syntheticWeights } from '@lut-llm/vq';
import { accuracyProxy, accuracyProxyAsync, clearAccuracyCache, type AccuracyVq } from './accuracy.js';

const paper: AccuracyVq = { v: 2, cA: 64, cW: 16, groupSize: 512, lutBits: 8, distance: 'chebyshev' };

describe('accuracyProxy', () => {
  it('moves in the expected direction: more centroids, more table bits, finer weight groups -> higher SQNR', () => {
    const base = accuracyProxy(paper, 'co-quant');
    // The paper's configuration on this set: a usable layer, well short of exact.
    expect(base.sqnrDb).toBeGreaterThan(5);
    expect(base.sqnrDb).toBeLessThan(30);
    expect(base.cosine).toBeGreaterThan(0.9);
    const fewerActCentroids = accuracyProxy({ ...paper, cA: 16 }, 'co-quant');
    const fewerWeightCentroids = accuracyProxy({ ...paper, cW: 4 }, 'co-quant');
    const int4Tables = accuracyProxy({ ...paper, lutBits: 4 }, 'co-quant');
    const finerGroups = accuracyProxy({ ...paper, groupSize: 64 }, 'co-quant');
    expect(fewerActCentroids.sqnrDb).toBeLessThan(base.sqnrDb);
    expect(fewerWeightCentroids.sqnrDb).toBeLessThan(base.sqnrDb);
    expect(int4Tables.sqnrDb).toBeLessThan(base.sqnrDb);
    expect(finerGroups.sqnrDb).toBeGreaterThan(base.sqnrDb);
    for (const r of [fewerActCentroids, fewerWeightCentroids, int4Tables]) expect(r.cosine).toBeLessThan(base.cosine);
    // Weight-only keeps FP32 activations: no activation quantization error, so it beats co-quant.
    expect(accuracyProxy(paper, 'weight-only').sqnrDb).toBeGreaterThan(base.sqnrDb);
  });

  it('is deterministic (a second call, and a fresh computation, give the same numbers)', () => {
    const a = accuracyProxy({ ...paper, cA: 8, cW: 4 }, 'co-quant', { layers: [{ inFeatures: 8, outFeatures: 6 }], calibrationTokens: 40, evalTokens: 5, seed: 3 });
    const b = accuracyProxy({ ...paper, cA: 8, cW: 4 }, 'co-quant', { layers: [{ inFeatures: 8, outFeatures: 6 }], calibrationTokens: 40, evalTokens: 5, seed: 3 });
    expect(b).toEqual(a);
  });

  it('equals an independent computation on a tiny layer (nearest centroid, table entry, dequantize, SQNR in float64)', () => {
    const D = 4;
    const M = 6;
    const calib = { layers: [{ inFeatures: D, outFeatures: M }], calibrationTokens: 24, evalTokens: 3, seed: 7 };
    const vq: AccuracyVq = { v: 2, cA: 4, cW: 3, groupSize: 4, lutBits: 8, distance: 'chebyshev' };
    const got = accuracyProxy(vq, 'co-quant', calib);
    // The same data (seeds as documented in accuracy.ts), the same fitted codebooks and tables...
    const W = syntheticWeights(M, D, new Rng(7000));
    const calibX = syntheticActivations(24, D, new Rng(7001));
    const x = syntheticActivations(3, D, new Rng(7002));
    const q = quantizeLinear(W, M, D, calibX, 24, { ...vq, kmeansIters: DEFAULT_VQ_CONFIG.kmeansIters, seed: DEFAULT_VQ_CONFIG.seed });
    // ...and the look-up written out here: y[n] = scale_g * (sum_p T[p][g][a_p][w_pn] - zp_g * P).
    const P = D / 2;
    const groups = Math.ceil(M / 4);
    let signal = 0;
    let noise = 0;
    let dot = 0;
    let tt = 0;
    for (let t = 0; t < 3; t++) {
      const a: number[] = [];
      for (let p = 0; p < P; p++) {
        let best = 0;
        let bestD = Infinity;
        for (let c = 0; c < 4; c++) {
          const d = Math.max(Math.abs(x[t * D + 2 * p]! - q.actCodebooks[(p * 4 + c) * 2]!), Math.abs(x[t * D + 2 * p + 1]! - q.actCodebooks[(p * 4 + c) * 2 + 1]!));
          if (d < bestD) [best, bestD] = [c, d];
        }
        a.push(best);
      }
      for (let n = 0; n < M; n++) {
        const g = Math.floor(n / 4);
        let acc = 0;
        let ref = 0;
        for (let p = 0; p < P; p++) {
          // Weight indices: 2 bits each (c_w = 3), LSB-first, each position row starting on a byte.
          const bit = n * 2;
          const w = (q.weightIndices[p * q.weightIndexRowBytes + (bit >> 3)]! >> (bit & 7)) & 3;
          acc += q.lut[((p * groups + g) * 4 + a[p]!) * 3 + w]!;
        }
        for (let d = 0; d < D; d++) ref += Math.fround(W[n * D + d]!) * x[t * D + d]!;
        const y = q.lutScale[g]! * (acc - q.lutZeroPoint[g]! * P);
        signal += ref * ref;
        noise += (ref - y) ** 2;
        dot += ref * y;
        tt += y * y;
      }
    }
    // float32 outputs in the library (kernel and FP32 GEMM) against float64 here: agree to 1e-4 dB.
    expect(got.sqnrDb).toBeCloseTo(10 * Math.log10(signal / noise), 4);
    expect(got.cosine).toBeCloseTo(dot / Math.sqrt(signal * tt), 6);
  });

  it('on its own thread: the same numbers as on this one, and a bad configuration rejects naming the field', async () => {
    const calib = { layers: [{ inFeatures: 16, outFeatures: 24 }], calibrationTokens: 48, evalTokens: 4, seed: 11 };
    const vq: AccuracyVq = { ...paper, cA: 8, cW: 4, groupSize: 8 };
    clearAccuracyCache();
    const here = accuracyProxy(vq, 'co-quant', calib);
    clearAccuracyCache();
    const [there, again] = await Promise.all([accuracyProxyAsync(vq, 'co-quant', calib), accuracyProxyAsync(vq, 'co-quant', calib)]);
    expect(there).toEqual(here);
    expect(again).toBe(there); // one computation for both calls
    await expect(accuracyProxyAsync({ ...vq, cA: 0 }, 'co-quant', calib)).rejects.toThrow(/cA/);
    // The thread survives a bad request.
    expect(await accuracyProxyAsync(vq, 'weight-only', calib)).toEqual(accuracyProxy(vq, 'weight-only', calib));
  });
});
