import { describe, expect, it } from 'vitest';
import { kmeans } from './kmeans.js';
import { Rng } from './rng.js';

function gaussianPoints(n: number, dim: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * dim }, () => r.normal());
}

describe('kmeans', () => {
  it('inertia never increases (l2sq) and drops well below the initial value', () => {
    const pts = gaussianPoints(600, 2, 1);
    const res = kmeans(pts, 2, 16, { seed: 9, maxIters: 50 });
    const h = res.inertiaHistory;
    expect(h.length).toBeGreaterThan(3);
    for (let i = 1; i < h.length; i++) expect(h[i]!).toBeLessThanOrEqual(h[i - 1]! * (1 + 1e-12));
    expect(h[h.length - 1]!).toBeLessThan(0.8 * h[0]!);
    // 16-level 2D quantizer of a unit Gaussian: distortion per dim ~ 0.1 (Lloyd-Max 2 bits/dim is 0.118).
    expect(res.inertia / (600 * 2)).toBeLessThan(0.14);
    expect(res.inertia / (600 * 2)).toBeGreaterThan(0.05);
  });

  it('is deterministic for a seed (bit-identical centroids and assignments)', () => {
    const pts = gaussianPoints(300, 2, 2);
    const a = kmeans(pts, 2, 8, { seed: 5, maxIters: 20 });
    const b = kmeans(pts, 2, 8, { seed: 5, maxIters: 20 });
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.inertiaHistory).toEqual(b.inertiaHistory);
    const c = kmeans(pts, 2, 8, { seed: 6, maxIters: 0 });
    expect(Array.from(c.centroids)).not.toEqual(Array.from(kmeans(pts, 2, 8, { seed: 5, maxIters: 0 }).centroids));
  });

  it('finds well-separated clusters exactly', () => {
    const centers = [
      [-10, -10],
      [10, -10],
      [0, 10],
    ];
    const r = new Rng(3);
    const pts = new Float32Array(300 * 2);
    for (let i = 0; i < 300; i++) {
      const c = centers[i % 3]!;
      pts[2 * i] = c[0]! + 0.1 * r.normal();
      pts[2 * i + 1] = c[1]! + 0.1 * r.normal();
    }
    const res = kmeans(pts, 2, 3, { seed: 1, maxIters: 20 });
    const found = Array.from({ length: 3 }, (_, j) => [Math.round(res.centroids[2 * j]!) + 0, Math.round(res.centroids[2 * j + 1]!) + 0]);
    expect(found.sort()).toEqual([...centers].sort());
    for (let i = 3; i < 300; i++) expect(res.assignments[i]).toBe(res.assignments[i % 3]);
  });

  it('handles duplicate points', () => {
    const pts = Float32Array.from([1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 9, 0]);
    const res = kmeans(pts, 2, 2, { seed: 0, maxIters: 10 });
    // Optimal 2-clustering: {(1,1)x3} and {(5,5)x2, (9,0)} (mean (19/3, 10/3)): inertia 246/9.
    expect(res.inertia).toBeCloseTo(246 / 9, 4);
    expect(res.assignments[0]).toBe(res.assignments[1]);
    expect(res.assignments[3]).toBe(res.assignments[4]);
  });

  it('fewer distinct points than k: each distinct point gets a centroid, the rest are duplicates, ties go to the lowest index', () => {
    const pts = Float32Array.from([3, 4, 3, 4, -1, 2, 3, 4, 0, 0]); // distinct: (3,4), (-1,2), (0,0)
    const res = kmeans(pts, 2, 5, { seed: 11, maxIters: 10 });
    const cents = Array.from({ length: 5 }, (_, j) => `${res.centroids[2 * j]},${res.centroids[2 * j + 1]}`);
    expect(new Set(cents)).toEqual(new Set(['3,4', '-1,2', '0,0']));
    expect(res.inertia).toBe(0);
    for (let i = 0; i < 5; i++) {
      const a = res.assignments[i]!;
      expect(cents[a]).toBe(`${pts[2 * i]},${pts[2 * i + 1]}`);
      expect(cents.indexOf(cents[a]!)).toBe(a); // the lowest index holding that centroid
    }
    // Fewer points than k and a single point also work.
    const one = kmeans(Float32Array.from([2, 7]), 2, 4, { seed: 0, maxIters: 5 });
    expect(Array.from(one.centroids)).toEqual([2, 7, 2, 7, 2, 7, 2, 7]);
    expect(Array.from(one.assignments)).toEqual([0]);
  });

  it('supports the Chebyshev metric and v = 4', () => {
    const pts = gaussianPoints(200, 4, 4);
    const res = kmeans(pts, 4, 8, { seed: 2, maxIters: 15, metric: 'chebyshev' });
    expect(res.centroids.length).toBe(32);
    expect(res.inertia).toBeLessThan(res.inertiaHistory[0]!);
  });

  it('rejects bad input clearly', () => {
    expect(() => kmeans(Float32Array.from([1, 2, 3]), 2, 2, { seed: 0, maxIters: 1 })).toThrow(
      /points has length 3, expected a positive multiple of dim = 2/,
    );
    expect(() => kmeans(new Float32Array(0), 2, 2, { seed: 0, maxIters: 1 })).toThrow(/points has length 0/);
    expect(() => kmeans(Float32Array.from([1, 2, NaN, 4]), 2, 2, { seed: 0, maxIters: 1 })).toThrow(
      /kmeans points\[point=1\]\[e=0\] is NaN/,
    );
    expect(() => kmeans(Float32Array.from([1, 2]), 2, 0, { seed: 0, maxIters: 1 })).toThrow(/kmeans k must be an integer/);
  });
});
