import type { DistanceMetric, VqConfig } from './config.js';
import { VqInputError, assertFinite, assertInt, assertLength } from './errors.js';

/**
 * Reference centroid search (what the BPCSU computes).
 *
 * Distance, evaluated in float64 from the float32 operands (the element differences of two
 * float32 values are exact in float64 for all data of practical range):
 * - `chebyshev`: max over elements e of |x[e] - c[e]|;
 * - `l2sq`: sum over elements e (in ascending e) of (x[e] - c[e])^2.
 * Tie-break: centroids are scanned in ascending index and one replaces the best only when its
 * distance is STRICTLY smaller, so among equal distances the LOWEST index wins. The BPCSU chain
 * and argmin tree must reproduce exactly this (each comparator keeps the lower index on a tie).
 */
export function centroidDistance(
  x: Float32Array,
  xOffset: number,
  codebook: Float32Array,
  cOffset: number,
  v: number,
  metric: DistanceMetric,
): number {
  let d = 0;
  if (metric === 'chebyshev') {
    for (let e = 0; e < v; e++) {
      const a = Math.abs(x[xOffset + e]! - codebook[cOffset + e]!);
      if (a > d) d = a;
    }
  } else {
    for (let e = 0; e < v; e++) {
      const a = x[xOffset + e]! - codebook[cOffset + e]!;
      d += a * a;
    }
  }
  return d;
}

/**
 * Index of the nearest of `k` centroids (codebook[cbOffset + j*v .. +v), j < k) to the
 * sub-vector x[xOffset .. xOffset+v). Ties -> lowest index (see the module comment).
 */
export function nearestCentroid(
  x: Float32Array,
  xOffset: number,
  codebook: Float32Array,
  cbOffset: number,
  k: number,
  v: number,
  metric: DistanceMetric,
): number {
  let best = 0;
  let bestD = Infinity;
  if (v === 2) {
    const x0 = x[xOffset]!;
    const x1 = x[xOffset + 1]!;
    if (metric === 'chebyshev') {
      for (let j = 0, o = cbOffset; j < k; j++, o += 2) {
        const a = Math.abs(x0 - codebook[o]!);
        const b = Math.abs(x1 - codebook[o + 1]!);
        const d = a > b ? a : b;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
    } else {
      for (let j = 0, o = cbOffset; j < k; j++, o += 2) {
        const a = x0 - codebook[o]!;
        const b = x1 - codebook[o + 1]!;
        const d = a * a + b * b;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
    }
    return best;
  }
  for (let j = 0, o = cbOffset; j < k; j++, o += v) {
    const d = centroidDistance(x, xOffset, codebook, o, v, metric);
    if (d < bestD) {
      bestD = d;
      best = j;
    }
  }
  return best;
}

/**
 * Encodes activations x [T][D] (row-major) into activation indices [T][P], P = D / v:
 * out[t*P + p] = nearest centroid of x[t][p*v .. p*v+v) in actCodebooks [P][cA][v].
 * Throws on shape mismatch or non-finite activations.
 */
export function encodeActivations(
  x: Float32Array,
  tokens: number,
  actCodebooks: Float32Array,
  cfg: Pick<VqConfig, 'v' | 'cA' | 'distance'>,
  out?: Uint8Array,
): Uint8Array {
  assertInt('tokens', tokens, 1);
  const v = cfg.v;
  if (x.length % tokens !== 0) {
    throw new VqInputError(`activations have length ${x.length}, not a multiple of tokens = ${tokens}`);
  }
  const D = x.length / tokens;
  if (D % v !== 0) throw new VqInputError(`in-features D = ${D} is not divisible by v = ${v}`);
  const P = D / v;
  assertLength('actCodebooks', actCodebooks, P * cfg.cA * v, `[P=${P}][cA=${cfg.cA}][v=${v}]`);
  assertFinite('activations', x, D, 't', 'd');
  const dst = out ?? new Uint8Array(tokens * P);
  assertLength('activation index output', dst, tokens * P, `[T=${tokens}][P=${P}]`);
  const k = cfg.cA;
  for (let t = 0; t < tokens; t++) {
    for (let p = 0; p < P; p++) {
      dst[t * P + p] = nearestCentroid(x, t * D + p * v, actCodebooks, p * k * v, k, v, cfg.distance);
    }
  }
  return dst;
}
