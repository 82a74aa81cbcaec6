// k-means on 7 points small enough to follow by hand: the k-means++ initialisation against the
// textbook D^2 sampling on a twin generator, then every Lloyd iteration derived in the comments,
// including an empty cluster moved onto the farthest point.
import { describe, expect, it } from 'vitest';
import { Rng, kmeans, type DistanceMetric } from './index.js';

// p0 (1, 7), p1 (7, 6), p2 (1, 8), p3 (2, 2), p4 (8, 8), p5 (7, 4), p6 (7, 7)
const PTS = [1, 7, 7, 6, 1, 8, 2, 2, 8, 8, 7, 4, 7, 7];
const points = Float32Array.from(PTS);
const N = 7;

/**
 * k-means++ as the textbook states it: the first centroid a uniform draw (rng.int(n)), then each
 * next one drawn with probability proportional to D(x)^2, the distance to the nearest chosen
 * centroid (the metric's; squared for Chebyshev), by inverse CDF: the first point whose running
 * sum of weights exceeds u x total, u = rng.nextFloat().
 */
function kmeansPlusPlus(seed: number, k: number, metric: DistanceMetric): number[] {
  const rng = new Rng(seed);
  const d2 = (i: number, c: number[]) => {
    const [a, b] = [Math.abs(PTS[2 * i]! - c[0]!), Math.abs(PTS[2 * i + 1]! - c[1]!)];
    return metric === 'l2sq' ? a * a + b * b : Math.max(a, b) ** 2;
  };
  const first = rng.int(N);
  const chosen = [[PTS[2 * first]!, PTS[2 * first + 1]!]];
  while (chosen.length < k) {
    const w = Array.from({ length: N }, (_, i) => Math.min(...chosen.map((c) => d2(i, c))));
    const total = w.reduce((s, x) => s + x, 0);
    const u = rng.nextFloat() * total;
    let i = 0;
    for (let cum = w[0]!; cum <= u; cum += w[++i]!);
    chosen.push([PTS[2 * i]!, PTS[2 * i + 1]!]);
  }
  return chosen.flat();
}

describe('k-means by hand (7 points, k = 4, seed 15)', () => {
  it('the initialisation is textbook k-means++: (7, 7), (2, 2), (7, 4), (8, 8); assignments and inertia by hand', () => {
    const init = kmeansPlusPlus(15, 4, 'l2sq');
    expect(init).toEqual([7, 7, 2, 2, 7, 4, 8, 8]);
    const r = kmeans(points, 2, 4, { seed: 15, maxIters: 0 });
    expect(Array.from(r.centroids)).toEqual(init);
    // Nearest (squared L2): p0 -> c1 (26), p1 -> c0 (1), p2 -> c0 (37, a tie with c1: the lowest
    // index), p3 -> c1, p4 -> c3, p5 -> c2, p6 -> c0 (0 each). Inertia 26 + 1 + 37 = 64.
    expect(Array.from(r.assignments)).toEqual([1, 0, 0, 1, 3, 2, 0]);
    expect(r.inertiaHistory).toEqual([64]);
    expect(r.inertia).toBe(64);
    expect(r.iterations).toBe(0);
  });

  it('iteration 1: means (5, 7), (1.5, 4.5), (7, 4), (8, 8); cluster 0 loses every point', () => {
    // p0 -> c1 (6.5), p1 -> c2 (4, before c0 and c3 at 5), p2 -> c1 (12.5), p3 -> c1 (6.5),
    // p4 -> c3 (0), p5 -> c2 (0), p6 -> c3 (2): inertia 31.5, cluster 0 empty.
    const r = kmeans(points, 2, 4, { seed: 15, maxIters: 1 });
    expect(Array.from(r.centroids)).toEqual([5, 7, 1.5, 4.5, 7, 4, 8, 8]);
    expect(Array.from(r.assignments)).toEqual([1, 2, 1, 1, 3, 2, 3]);
    expect(r.inertiaHistory).toEqual([64, 31.5]);
    expect(r.iterations).toBe(1);
  });

  it('iteration 2 moves the empty cluster onto the farthest point p2 (12.5); iteration 3 changes nothing and stops', () => {
    // Iteration 2: c0 = p2 = (1, 8) (farthest from its centroid), c1 = mean(p0, p2, p3) = (4/3, 17/3),
    // c2 = mean(p1, p5) = (7, 5), c3 = mean(p4, p6) = (7.5, 7.5). Nearest: p0 -> c0 (1, c1 is 17/9),
    // p1 -> c2 (1), p2 -> c0 (0), p3 -> c1 (125/9), p4 -> c3 (1/2), p5 -> c2 (1), p6 -> c3 (1/2):
    // inertia 4 + 125/9 = 161/9. A reseed counts as a change, so iteration 3 runs:
    // c0 = (1, 7.5), c1 = (2, 2), c2 = (7, 5), c3 = (7.5, 7.5), the same assignments, inertia
    // 1/4 + 1 + 1/4 + 0 + 1/2 + 1 + 1/2 = 3.5; no change: stop after 3 of 10 iterations.
    const two = kmeans(points, 2, 4, { seed: 15, maxIters: 2 });
    expect(Array.from(two.centroids)).toEqual([1, 8, Math.fround(4 / 3), Math.fround(17 / 3), 7, 5, 7.5, 7.5]);
    expect(Array.from(two.assignments)).toEqual([0, 2, 0, 1, 3, 2, 3]);
    expect(two.inertiaHistory[2]).toBeCloseTo(161 / 9, 12);
    expect(two.iterations).toBe(2);
    const r = kmeans(points, 2, 4, { seed: 15, maxIters: 10 });
    expect(Array.from(r.centroids)).toEqual([1, 7.5, 2, 2, 7, 5, 7.5, 7.5]);
    expect(Array.from(r.assignments)).toEqual([0, 2, 0, 1, 3, 2, 3]);
    expect(r.inertiaHistory.length).toBe(4);
    expect(r.inertiaHistory.slice(0, 2)).toEqual([64, 31.5]);
    expect(r.inertiaHistory[3]).toBe(3.5);
    expect(r.inertia).toBe(3.5);
    expect(r.iterations).toBe(3);
  });

  it('Chebyshev: the D^2 weights are squared Chebyshev distances; assignment by Chebyshev, inertia in squared L2', () => {
    for (const seed of [1, 2, 3, 15]) {
      const init = kmeansPlusPlus(seed, 3, 'chebyshev');
      const r = kmeans(points, 2, 3, { seed, maxIters: 0, metric: 'chebyshev' });
      expect(Array.from(r.centroids)).toEqual(init);
      let inertia = 0;
      for (let i = 0; i < N; i++) {
        const cheb = [0, 1, 2].map((c) => Math.max(Math.abs(PTS[2 * i]! - init[2 * c]!), Math.abs(PTS[2 * i + 1]! - init[2 * c + 1]!)));
        const best = cheb.indexOf(Math.min(...cheb));
        expect(r.assignments[i]).toBe(best);
        inertia += (PTS[2 * i]! - init[2 * best]!) ** 2 + (PTS[2 * i + 1]! - init[2 * best + 1]!) ** 2;
      }
      expect(r.inertia).toBe(inertia);
    }
  });

  it('fewer distinct points than k: the extra centroids copy the chosen ones in the order they were chosen', () => {
    // 3 distinct points, k = 7: centroids 3, 4, 5, 6 repeat centroids 0, 1, 2, 0.
    const r = kmeans(Float32Array.from([3, 4, 3, 4, -1, 2, 3, 4, 0, 0]), 2, 7, { seed: 11, maxIters: 0 });
    const c = Array.from({ length: 7 }, (_, j) => `${r.centroids[2 * j]},${r.centroids[2 * j + 1]}`);
    expect(new Set(c.slice(0, 3))).toEqual(new Set(['3,4', '-1,2', '0,0']));
    expect(c.slice(3)).toEqual([c[0], c[1], c[2], c[0]]);
  });
});
