import { describe, expect, it } from 'vitest';
import { quantizeLinear } from './quantize-linear.js';
import { assertQuantizedLinear, weightIndexAt } from './quantized-linear.js';
import { Rng } from './rng.js';
import { syntheticActivations, syntheticWeights } from './synthetic.js';

const M = 40;
const D = 12;
const W = syntheticWeights(M, D, new Rng(1));
const calib = syntheticActivations(100, D, new Rng(2));
const cfg = { groupSize: 16, cA: 8, kmeansIters: 8 };

describe('quantizeLinear', () => {
  it('produces documented shapes: P = D/v, groups = ceil(M/G), 4-bit indices packed [P][M/2]', () => {
    const q = quantizeLinear(W, M, D, calib, 100, cfg);
    expect(() => assertQuantizedLinear(q)).not.toThrow();
    expect([q.positions, q.groups, q.weightIndexBits, q.weightIndexRowBytes]).toEqual([6, 3, 4, 20]);
    expect(q.lut.length).toBe(6 * 3 * 8 * 16);
    expect(q.cfg).toMatchObject({ v: 2, cA: 8, cW: 16, groupSize: 16, lutBits: 8, distance: 'chebyshev' });
  });

  it('stores for (p, n) the nearest centroid of the codebook of (p, group of n)', () => {
    const q = quantizeLinear(W, M, D, calib, 100, cfg);
    for (let p = 0; p < q.positions; p++) {
      for (let n = 0; n < M; n++) {
        const g = Math.floor(n / 16);
        const w0 = W[n * D + 2 * p]!;
        const w1 = W[n * D + 2 * p + 1]!;
        const ds = Array.from({ length: 16 }, (_, w) => {
          const c = ((p * q.groups + g) * 16 + w) * 2;
          return (w0 - q.weightCodebooks[c]!) ** 2 + (w1 - q.weightCodebooks[c + 1]!) ** 2;
        });
        expect(weightIndexAt(q, p, n)).toBe(ds.indexOf(Math.min(...ds)));
      }
    }
  });

  it('calibrates each position from that position only (T < cA: codebook holds every calibration point)', () => {
    const x = Float32Array.from({ length: 3 * D }, (_, i) => i); // 3 tokens, all distinct sub-vectors
    const q = quantizeLinear(W, M, D, x, 3, cfg);
    for (let p = 0; p < q.positions; p++) {
      const cents = new Set(Array.from({ length: 8 }, (_, a) => `${q.actCodebooks[(p * 8 + a) * 2]},${q.actCodebooks[(p * 8 + a) * 2 + 1]}`));
      expect(cents).toEqual(new Set([0, 1, 2].map((t) => `${t * D + 2 * p},${t * D + 2 * p + 1}`)));
    }
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = quantizeLinear(W, M, D, calib, 100, cfg);
    const b = quantizeLinear(W, M, D, calib, 100, cfg);
    expect(Buffer.from(a.lut.buffer).equals(Buffer.from(b.lut.buffer))).toBe(true);
    expect(Array.from(a.weightCodebooks)).toEqual(Array.from(b.weightCodebooks));
    const c = quantizeLinear(W, M, D, calib, 100, { ...cfg, seed: 99 });
    expect(Array.from(c.actCodebooks)).not.toEqual(Array.from(a.actCodebooks));
  });

  it('rejects bad input clearly', () => {
    const bad = W.slice();
    bad[3 * D + 5] = NaN;
    expect(() => quantizeLinear(bad, M, D, calib, 100, cfg)).toThrow(/weight\[n=3\]\[d=5\] is NaN; inputs must be finite/);
    expect(() => quantizeLinear(W, M + 1, D, calib, 100, cfg)).toThrow(/weight has length 480, expected 492 \(\[M=41\]\[D=12\]\)/);
    expect(() => quantizeLinear(W, M, D, calib, 99, cfg)).toThrow(/calibration activations has length 1200, expected 1188/);
    expect(() => quantizeLinear(W, 48, 10, calib, 100, { ...cfg, v: 4 })).toThrow(/in-features D = 10 is not divisible by v = 4/);
    expect(() => quantizeLinear(W, M, D, calib, 100, { cW: 257 })).toThrow(/cW \(weight codebook size\) must be an integer in \[1, 256\], got 257/);
    const badCalib = calib.slice();
    badCalib[7] = Infinity;
    expect(() => quantizeLinear(W, M, D, badCalib, 100, cfg)).toThrow(/calibration activations\[t=0\]\[d=7\] is Infinity/);
  });
});
