import type { DistanceMetric } from './config.js';
import { VqInputError, assertFinite, assertInt } from './errors.js';
import { Rng } from './rng.js';

/** Options of `kmeans`. */
export interface KmeansOptions {
  /** Seed of the k-means++ initialisation (same seed + same points -> same result). */
  readonly seed: number;
  /** Maximum Lloyd iterations after initialisation (0: k-means++ centroids only). */
  readonly maxIters: number;
  /**
   * Distance used to ASSIGN points to centroids (and to weight k-means++ sampling, squared).
   * Default 'l2sq'. The update step is always the mean, which minimises squared L2, so the
   * inertia is guaranteed non-increasing only with 'l2sq'.
   */
  readonly metric?: DistanceMetric;
}

/** Result of `kmeans`. */
export interface KmeansResult {
  /** k centroids, row-major [k][dim], float32 (rounded from the float64 iterates). */
  readonly centroids: Float32Array;
  /** Per point, the index of its nearest returned centroid (ties -> lowest index), [n]. */
  readonly assignments: Int32Array;
  /**
   * Inertia (sum of squared Euclidean distances of points to their assigned centroid, the k-means
   * objective, whatever the assignment metric) after the initial assignment and after each Lloyd
   * iteration, computed with the float64 iterates. Non-increasing for metric 'l2sq'.
   */
  readonly inertiaHistory: number[];
  /** Inertia of `assignments` against the returned float32 `centroids`. */
  readonly inertia: number;
  /** Lloyd iterations run (<= maxIters; fewer when the assignments stopped changing). */
  readonly iterations: number;
}

/**
 * Seeded, deterministic k-means (Lloyd) with k-means++ initialisation.
 *
 * @param points row-major [n][dim] float32, all finite, n >= 1.
 * @param k number of centroids, 1..65536. k > n is allowed (see below).
 *
 * Behaviour on degenerate data (documented contract, tested):
 * - Duplicate points are fine; they simply weigh more.
 * - Fewer distinct points than k: k-means++ places one centroid on each distinct point; once every
 *   point sits exactly on a centroid (the D^2 weights are all zero), the remaining centroids are
 *   copies of the distinct ones, cycling in the order they were chosen. A duplicate centroid never
 *   receives a point (ties go to the lowest index), which is harmless for a look-up table; the
 *   codebook keeps its full size k so table shapes never depend on the data.
 * - An empty cluster during Lloyd iterations is moved onto the point farthest from its current
 *   centroid (ties -> lowest point index) when that distance is > 0; otherwise it stays put.
 * Ties in assignment go to the lowest centroid index (the hardware tie rule).
 */
export function kmeans(points: Float32Array, dim: number, k: number, opts: KmeansOptions): KmeansResult {
  assertInt('kmeans dim', dim, 1);
  assertInt('kmeans k', k, 1, 65536);
  assertInt('kmeans maxIters', opts.maxIters, 0);
  if (points.length === 0 || points.length % dim !== 0) {
    throw new VqInputError(`kmeans: points has length ${points.length}, expected a positive multiple of dim = ${dim}`);
  }
  const metric: DistanceMetric = opts.metric ?? 'l2sq';
  if (metric !== 'l2sq' && metric !== 'chebyshev') throw new VqInputError(`kmeans: unknown metric '${String(metric)}'`);
  assertFinite('kmeans points', points, dim, 'point', 'e');
  const n = points.length / dim;
  const rng = new Rng(opts.seed);

  const cent = new Float64Array(k * dim);
  initPlusPlus(points, n, dim, k, metric, rng, cent);

  const assign = new Int32Array(n);
  const dist = new Float64Array(n); // metric distance of each point to its centroid
  const history: number[] = [assignAll(points, n, dim, cent, k, metric, assign, dist)];
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  const prev = new Int32Array(n);
  let iterations = 0;
  for (let it = 0; it < opts.maxIters; it++) {
    iterations++;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assign[i]!;
      counts[c]!++;
      for (let e = 0; e < dim; e++) sums[c * dim + e]! += points[i * dim + e]!;
    }
    let reseeded = false;
    for (let c = 0; c < k; c++) {
      const cnt = counts[c]!;
      if (cnt > 0) {
        for (let e = 0; e < dim; e++) cent[c * dim + e] = sums[c * dim + e]! / cnt;
        continue;
      }
      let far = -1;
      let farD = 0;
      for (let i = 0; i < n; i++) {
        if (dist[i]! > farD) {
          farD = dist[i]!;
          far = i;
        }
      }
      if (far >= 0) {
        for (let e = 0; e < dim; e++) cent[c * dim + e] = points[far * dim + e]!;
        // Points now closer to the moved centroid no longer count as far (duplicates of `far` too).
        for (let i = 0; i < n; i++) {
          const d = pointDist(points, i, cent, c, dim, metric);
          if (d < dist[i]!) dist[i] = d;
        }
        reseeded = true;
      }
    }
    prev.set(assign);
    history.push(assignAll(points, n, dim, cent, k, metric, assign, dist));
    let changed = reseeded;
    for (let i = 0; i < n && !changed; i++) if (prev[i] !== assign[i]) changed = true;
    if (!changed) break;
  }

  const centroids = Float32Array.from(cent);
  const finalInertia = assignAll(points, n, dim, Float64Array.from(centroids), k, metric, assign, dist);
  return { centroids, assignments: assign, inertiaHistory: history, inertia: finalInertia, iterations };
}

function pointDist(points: Float32Array, i: number, cent: Float64Array, c: number, dim: number, metric: DistanceMetric): number {
  let d = 0;
  const po = i * dim;
  const co = c * dim;
  if (metric === 'chebyshev') {
    for (let e = 0; e < dim; e++) {
      const a = Math.abs(points[po + e]! - cent[co + e]!);
      if (a > d) d = a;
    }
  } else {
    for (let e = 0; e < dim; e++) {
      const a = points[po + e]! - cent[co + e]!;
      d += a * a;
    }
  }
  return d;
}

function sqL2(points: Float32Array, i: number, cent: Float64Array, c: number, dim: number): number {
  let d = 0;
  for (let e = 0; e < dim; e++) {
    const a = points[i * dim + e]! - cent[c * dim + e]!;
    d += a * a;
  }
  return d;
}

/** Assigns every point to its nearest centroid (ties -> lowest index); returns the inertia. */
function assignAll(
  points: Float32Array,
  n: number,
  dim: number,
  cent: Float64Array,
  k: number,
  metric: DistanceMetric,
  assign: Int32Array,
  dist: Float64Array,
): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    if (dim === 2 && metric === 'l2sq') {
      const x0 = points[2 * i]!;
      const x1 = points[2 * i + 1]!;
      for (let c = 0; c < k; c++) {
        const a = x0 - cent[2 * c]!;
        const b = x1 - cent[2 * c + 1]!;
        const d = a * a + b * b;
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
    } else {
      for (let c = 0; c < k; c++) {
        const d = pointDist(points, i, cent, c, dim, metric);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
    }
    assign[i] = best;
    dist[i] = bestD;
    inertia += metric === 'l2sq' ? bestD : sqL2(points, i, cent, best, dim);
  }
  return inertia;
}

/** k-means++: first centroid uniform, then each next one with probability proportional to D^2. */
function initPlusPlus(
  points: Float32Array,
  n: number,
  dim: number,
  k: number,
  metric: DistanceMetric,
  rng: Rng,
  cent: Float64Array,
): void {
  const minD = new Float64Array(n); // squared metric distance to the nearest chosen centroid
  const first = rng.int(n);
  for (let e = 0; e < dim; e++) cent[e] = points[first * dim + e]!;
  for (let i = 0; i < n; i++) {
    const d = pointDist(points, i, cent, 0, dim, metric);
    minD[i] = metric === 'l2sq' ? d : d * d;
  }
  let distinct = 1;
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += minD[i]!;
    if (!(total > 0)) {
      // Every point already coincides with a centroid: cycle copies of the distinct ones.
      const src = (j - distinct) % distinct;
      for (let e = 0; e < dim; e++) cent[j * dim + e] = cent[src * dim + e]!;
      continue;
    }
    const r = rng.nextFloat() * total;
    let pick = -1;
    let cum = 0;
    for (let i = 0; i < n; i++) {
      const w = minD[i]!;
      if (w <= 0) continue;
      pick = i; // last positive-weight point: the fallback if rounding leaves cum <= r
      cum += w;
      if (cum > r) break;
    }
    for (let e = 0; e < dim; e++) cent[j * dim + e] = points[pick * dim + e]!;
    distinct = j + 1;
    for (let i = 0; i < n; i++) {
      const d0 = pointDist(points, i, cent, j, dim, metric);
      const d = metric === 'l2sq' ? d0 : d0 * d0;
      if (d < minD[i]!) minD[i] = d;
    }
  }
}
