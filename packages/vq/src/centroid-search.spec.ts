import { describe, expect, it } from 'vitest';
import { centroidDistance, encodeActivations, nearestCentroid } from './centroid-search.js';
import { Rng } from './rng.js';

describe('centroid search', () => {
  it('ties break to the LOWEST index (both metrics, v = 2 and v = 4)', () => {
    // x = (0, 0); centroids 1 and 3 at the same distance, 0 and 2 farther.
    const cb = Float32Array.from([5, 5, 1, 0, 3, 3, 0, -1]);
    const x = Float32Array.from([0, 0]);
    expect(nearestCentroid(x, 0, cb, 0, 4, 2, 'chebyshev')).toBe(1);
    expect(nearestCentroid(x, 0, cb, 0, 4, 2, 'l2sq')).toBe(1);
    // All equal: index 0.
    expect(nearestCentroid(x, 0, Float32Array.from([1, 1, 1, 1, 1, 1]), 0, 3, 2, 'chebyshev')).toBe(0);
    const cb4 = Float32Array.from([2, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(nearestCentroid(Float32Array.from([0, 0, 0, 0]), 0, cb4, 0, 3, 4, 'l2sq')).toBe(1);
  });

  it('Chebyshev and squared L2 disagree where they should', () => {
    // x = (0,0): c0 = (1, 1): cheb 1, l2 2. c1 = (1.2, 0): cheb 1.2, l2 1.44.
    const cb = Float32Array.from([1, 1, 1.2, 0]);
    const x = Float32Array.from([0, 0]);
    expect(nearestCentroid(x, 0, cb, 0, 2, 2, 'chebyshev')).toBe(0);
    expect(nearestCentroid(x, 0, cb, 0, 2, 2, 'l2sq')).toBe(1);
    expect(centroidDistance(x, 0, cb, 0, 2, 'chebyshev')).toBe(1);
    expect(centroidDistance(x, 0, cb, 2, 2, 'l2sq')).toBeCloseTo(1.44, 6);
  });

  it('encodeActivations equals a brute-force search per (token, position)', () => {
    const r = new Rng(1);
    const T = 5;
    const D = 12;
    const v = 2;
    const cA = 7;
    const P = D / v;
    const x = Float32Array.from({ length: T * D }, () => r.normal());
    const cb = Float32Array.from({ length: P * cA * v }, () => r.normal());
    for (const distance of ['chebyshev', 'l2sq'] as const) {
      const idx = encodeActivations(x, T, cb, { v, cA, distance });
      for (let t = 0; t < T; t++) {
        for (let p = 0; p < P; p++) {
          const ds = Array.from({ length: cA }, (_, a) => {
            const d0 = x[t * D + p * v]! - cb[(p * cA + a) * v]!;
            const d1 = x[t * D + p * v + 1]! - cb[(p * cA + a) * v + 1]!;
            return distance === 'chebyshev' ? Math.max(Math.abs(d0), Math.abs(d1)) : d0 * d0 + d1 * d1;
          });
          expect(idx[t * P + p]).toBe(ds.indexOf(Math.min(...ds)));
        }
      }
    }
  });

  it('rejects bad input clearly', () => {
    const cfg = { v: 2 as const, cA: 2, distance: 'chebyshev' as const };
    expect(() => encodeActivations(new Float32Array(6), 2, new Float32Array(4), cfg)).toThrow(/in-features D = 3 is not divisible by v = 2/);
    expect(() => encodeActivations(new Float32Array(7), 2, new Float32Array(4), cfg)).toThrow(/length 7, not a multiple of tokens = 2/);
    expect(() => encodeActivations(new Float32Array(8), 2, new Float32Array(5), cfg)).toThrow(
      /actCodebooks has length 5, expected 8 \(\[P=2\]\[cA=2\]\[v=2\]\)/,
    );
    expect(() => encodeActivations(Float32Array.from([0, 0, 0, Infinity]), 1, new Float32Array(8), cfg)).toThrow(
      /activations\[t=0\]\[d=3\] is Infinity/,
    );
  });
});
