import type { VqConfig } from './config.js';
import { resolveVqConfig } from './config.js';
import { assertFinite, assertInt, assertLength } from './errors.js';
import { kmeans } from './kmeans.js';
import { assembleQuantizedLinear } from './lut-build.js';
import { packIndices } from './packing.js';
import type { QuantizedLinear } from './quantized-linear.js';
import { linearShape } from './quantized-linear.js';
import { deriveSeed } from './rng.js';

/** Stream ids mixed into `deriveSeed` so activation and weight codebooks never share a seed. */
const SEED_STREAM_ACT = 1;
const SEED_STREAM_WEIGHT = 2;

/**
 * Calibrates activation codebooks from `calibActs` (one k-means with cA centroids per position
 * over the T calibration sub-vectors of that position) and learns weight codebooks (one k-means
 * with cW centroids per (position, group) over the group's column sub-vectors), then builds the
 * quantized 2D tables (see buildLut). Both k-means use squared L2 (the objective the mean update
 * minimises); the RUN-TIME activation search uses cfg.distance. Weight sub-vectors are assigned
 * to their nearest (squared L2) centroid. Each codebook's seed is deriveSeed(cfg.seed, stream,
 * p[, g]), so results do not depend on the order codebooks are computed in.
 *
 * @param weight row-major [M][D] float32, finite.
 * @param calibActs row-major [T][D] float32, finite. T < cA is allowed (duplicate centroids, see kmeans).
 */
export function quantizeLinear(
  weight: Float32Array,
  M: number,
  D: number,
  calibActs: Float32Array,
  T: number,
  cfgIn: Partial<VqConfig> = {},
): QuantizedLinear {
  const cfg = resolveVqConfig(cfgIn);
  const { P, groups, bits, rowBytes } = linearShape(M, D, cfg);
  assertInt('calibration tokens T', T, 1);
  assertLength('weight', weight, M * D, `[M=${M}][D=${D}]`);
  assertLength('calibration activations', calibActs, T * D, `[T=${T}][D=${D}]`);
  assertFinite('weight', weight, D, 'n', 'd');
  assertFinite('calibration activations', calibActs, D, 't', 'd');
  const { v, cA, cW, groupSize: G } = cfg;

  const actCodebooks = new Float32Array(P * cA * v);
  const actPoints = new Float32Array(T * v);
  for (let p = 0; p < P; p++) {
    for (let t = 0; t < T; t++) for (let e = 0; e < v; e++) actPoints[t * v + e] = calibActs[t * D + p * v + e]!;
    const r = kmeans(actPoints, v, cA, { seed: deriveSeed(cfg.seed, SEED_STREAM_ACT, p), maxIters: cfg.kmeansIters });
    actCodebooks.set(r.centroids, p * cA * v);
  }

  const weightCodebooks = new Float32Array(P * groups * cW * v);
  const weightIndices = new Uint8Array(P * rowBytes);
  const row = new Uint8Array(M);
  const wPoints = new Float32Array(Math.min(G, M) * v);
  for (let p = 0; p < P; p++) {
    for (let g = 0; g < groups; g++) {
      const n0 = g * G;
      const n1 = Math.min(M, n0 + G);
      const pts = wPoints.subarray(0, (n1 - n0) * v);
      for (let n = n0; n < n1; n++) for (let e = 0; e < v; e++) pts[(n - n0) * v + e] = weight[n * D + p * v + e]!;
      const r = kmeans(pts, v, cW, { seed: deriveSeed(cfg.seed, SEED_STREAM_WEIGHT, p, g), maxIters: cfg.kmeansIters });
      weightCodebooks.set(r.centroids, (p * groups + g) * cW * v);
      for (let n = n0; n < n1; n++) row[n] = r.assignments[n - n0]!;
    }
    packIndices(row, bits, weightIndices, p * rowBytes);
  }

  return assembleQuantizedLinear(M, D, cfg, { P, groups, bits, rowBytes }, actCodebooks, weightCodebooks, weightIndices);
}
