import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VqConfig } from './config.js';
import { encodeActivations } from './centroid-search.js';
import { dequantizeTile, lutAccumulateTile, lutGemm, lutGemv, lutLinear } from './lut-kernel.js';
import { quantizeLinear } from './quantize-linear.js';
import type { QuantizedLinear } from './quantized-linear.js';
import { weightIndexAt } from './quantized-linear.js';
import { Rng } from './rng.js';
import { synthesizeQuantizedLinear } from './synthesize.js';
import { syntheticActivations, syntheticWeights } from './synthetic.js';

/** Obviously-correct integer reference: one look-up at a time, unpacking every index. */
function slowAcc(q: QuantizedLinear, actIdx: Uint8Array, T: number): Int32Array {
  const { cA, cW, groupSize: G } = q.cfg;
  const M = q.outFeatures;
  const P = q.positions;
  const acc = new Int32Array(T * M);
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < M; n++) {
      const g = Math.floor(n / G);
      let s = 0;
      for (let p = 0; p < P; p++) s += q.lut[((p * q.groups + g) * cA + actIdx[t * P + p]!) * cW + weightIndexAt(q, p, n)]!;
      acc[t * M + n] = s;
    }
  }
  return acc;
}

function randomActIdx(q: QuantizedLinear, T: number, seed: number): Uint8Array {
  const r = new Rng(seed);
  return Uint8Array.from({ length: T * q.positions }, () => r.int(q.cfg.cA));
}

/** Layer shapes exercising every kernel path. */
const SHAPES: { name: string; M: number; D: number; cfg: Partial<VqConfig> }[] = [
  { name: 'word path (M % 8 = 0, G = 32)', M: 96, D: 40, cfg: { groupSize: 32, cA: 16 } },
  { name: 'word path with unaligned group edges (G = 12)', M: 48, D: 18, cfg: { groupSize: 12, cA: 8 } },
  { name: 'byte path (M = 37, rows not word aligned)', M: 37, D: 22, cfg: { groupSize: 16, cA: 8 } },
  { name: 'generic path (cW = 8, 3-bit indices)', M: 30, D: 14, cfg: { groupSize: 8, cA: 8, cW: 8 } },
  { name: 'generic path (v = 4, cW = 32, INT4 tables)', M: 20, D: 24, cfg: { v: 4, groupSize: 16, cA: 12, cW: 32, lutBits: 4 } },
];

describe('2D LUT kernel (co-quantization)', () => {
  it('GEMV equals a slow loop over the real centroid dot products up to the table rounding (bound P*scale/2)', () => {
    const M = 40;
    const D = 24;
    const P = D / 2;
    const W = syntheticWeights(M, D, new Rng(1));
    const calib = syntheticActivations(200, D, new Rng(2));
    const q = quantizeLinear(W, M, D, calib, 200, { groupSize: 16, cA: 16, kmeansIters: 10 });
    const x = syntheticActivations(1, D, new Rng(3));
    const a = encodeActivations(x, 1, q.actCodebooks, q.cfg);
    const y = lutGemv(q, a);
    let worstRatio = 0;
    for (let n = 0; n < M; n++) {
      const g = Math.floor(n / 16);
      let exact = 0;
      for (let p = 0; p < P; p++) {
        const w = weightIndexAt(q, p, n);
        const ai = a[p]!;
        const ac = (p * q.cfg.cA + ai) * 2;
        const wc = ((p * q.groups + g) * q.cfg.cW + w) * 2;
        exact += q.actCodebooks[ac]! * q.weightCodebooks[wc]! + q.actCodebooks[ac + 1]! * q.weightCodebooks[wc + 1]!;
      }
      // Each of the P entries is off by at most scale/2 (round to nearest); the float32 store adds <= |y| 2^-24.
      const bound = (P * q.lutScale[g]!) / 2 + Math.abs(exact) * 2 ** -24 + 1e-12;
      const err = Math.abs(y[n]! - exact);
      expect(err).toBeLessThanOrEqual(bound);
      worstRatio = Math.max(worstRatio, err / bound);
    }
    // Sanity: the errors are real table-rounding errors (not zero) but, being random, well below the worst case.
    expect(worstRatio).toBeGreaterThan(0.01);
    expect(worstRatio).toBeLessThan(0.6);
  });

  for (const s of SHAPES) {
    it(`${s.name}: equals the slow integer loop exactly, and dequantizes by (acc - zp*P)*scale`, () => {
      const q = synthesizeQuantizedLinear(s.M, s.D, s.cfg, new Rng(10));
      const T = 3;
      const a = randomActIdx(q, T, 11);
      const acc = new Int32Array(T * s.M);
      lutAccumulateTile(q, a, T, 0, q.positions, 0, s.M, acc);
      expect(Array.from(acc)).toEqual(Array.from(slowAcc(q, a, T)));
      const y = lutGemm(q, a, T);
      for (let i = 0; i < y.length; i++) {
        const g = Math.floor((i % s.M) / q.cfg.groupSize);
        expect(y[i]).toBe(Math.fround((acc[i]! - q.lutZeroPoint[g]! * q.positions) * q.lutScale[g]!));
      }
    });

    it(`${s.name}: any tiling of tokens x positions x outputs is bit-identical to the whole layer`, () => {
      const q = synthesizeQuantizedLinear(s.M, s.D, s.cfg, new Rng(20));
      const T = 3;
      const P = q.positions;
      const a = randomActIdx(q, T, 21);
      const whole = lutGemm(q, a, T);
      const cuts = (limit: number) => fc.uniqueArray(fc.integer({ min: 1, max: limit - 1 }), { maxLength: 4 }).map((c) => [0, ...c.sort((x, y) => x - y), limit]);
      fc.assert(
        fc.property(cuts(P), cuts(s.M), fc.integer({ min: 1, max: T }), (pc, oc, tSplit) => {
          const acc = new Int32Array(T * s.M);
          for (const [t0, t1] of [
            [0, tSplit],
            [tSplit, T],
          ] as const) {
            if (t0 === t1) continue;
            const aT = a.subarray(t0 * P, t1 * P);
            for (let i = 0; i + 1 < oc.length; i++) {
              const o0 = oc[i]!;
              const o1 = oc[i + 1]!;
              const tile = new Int32Array((t1 - t0) * (o1 - o0));
              // Positions in reverse order: integer accumulation is order-free.
              for (let j = pc.length - 2; j >= 0; j--) lutAccumulateTile(q, aT, t1 - t0, pc[j]!, pc[j + 1]!, o0, o1, tile);
              const out = new Float32Array(tile.length);
              dequantizeTile(q, tile, t1 - t0, o0, o1, out);
              for (let t = t0; t < t1; t++) {
                for (let n = o0; n < o1; n++) {
                  const v = out[(t - t0) * (o1 - o0) + n - o0]!;
                  acc[t * s.M + n] = 1; // mark visited
                  if (!Object.is(v, whole[t * s.M + n])) return false;
                }
              }
            }
          }
          return acc.every((v) => v === 1);
        }),
        { numRuns: 40, seed: 23 }, // fixed seed: a failure reproduces on every run and machine
      );
    });
  }

  it('is bit-identical run to run, and GEMM rows equal per-token GEMVs', () => {
    const q = synthesizeQuantizedLinear(64, 32, { groupSize: 32, cA: 16 }, new Rng(5));
    const a = randomActIdx(q, 4, 6);
    const y1 = lutGemm(q, a, 4);
    const y2 = lutGemm(q, a, 4);
    expect(Buffer.from(y1.buffer).equals(Buffer.from(y2.buffer))).toBe(true);
    for (let t = 0; t < 4; t++) {
      const yt = lutGemv(q, a.slice(t * q.positions, (t + 1) * q.positions));
      expect(Array.from(yt)).toEqual(Array.from(y1.subarray(t * 64, (t + 1) * 64)));
    }
  });

  it('lutLinear = encode with the layer codebooks + lutGemm', () => {
    const q = synthesizeQuantizedLinear(16, 8, { groupSize: 8, cA: 8, distance: 'l2sq' }, new Rng(7));
    const x = syntheticActivations(2, 8, new Rng(8));
    expect(Array.from(lutLinear(q, x, 2))).toEqual(Array.from(lutGemm(q, encodeActivations(x, 2, q.actCodebooks, q.cfg), 2)));
  });

  it('rejects bad input clearly', () => {
    const q = synthesizeQuantizedLinear(16, 8, { groupSize: 8, cA: 8 }, new Rng(7));
    const a = new Uint8Array(4);
    expect(() => lutAccumulateTile(q, Uint8Array.from([0, 8, 0, 0]), 1, 0, 4, 0, 16, new Int32Array(16))).toThrow(
      /actIdx\[t=0\]\[p=1\] = 8 is out of range for cA = 8/,
    );
    expect(() => lutAccumulateTile(q, a, 1, 0, 5, 0, 16, new Int32Array(16))).toThrow(/position range \[0, 5\) is not a valid sub-range of \[0, 4\)/);
    expect(() => lutAccumulateTile(q, a, 1, 0, 4, 4, 2, new Int32Array(16))).toThrow(/output range \[4, 2\)/);
    expect(() => lutAccumulateTile(q, a, 1, 0, 4, 0, 16, new Int32Array(15))).toThrow(/acc has length 15, expected 16/);
    expect(() => lutAccumulateTile(q, new Uint8Array(3), 1, 0, 4, 0, 16, new Int32Array(16))).toThrow(/actIdx has length 3, expected 4/);
    expect(() => lutGemv({ ...q, lut: new Int8Array(3) }, a)).toThrow(/QuantizedLinear.lut has length 3, expected 1024/);
    expect(() => lutLinear(q, new Float32Array(7), 1)).toThrow(/x has length 7, expected 8/);
  });
});
