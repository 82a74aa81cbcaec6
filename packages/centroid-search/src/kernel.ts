import type { ActivationIndexTileMeta, ActivationTile, ActivationTileMeta, CentroidTile } from '@lut-llm/contracts';
import type { Kernel } from '@lut-llm/core';
import { centroidDistance, type DistanceMetric } from '@lut-llm/vq';
import { CentroidSearchError } from './params.js';

/** What the search kernel needs to know about the array. */
export interface BpcsuKernelConfig {
  readonly centroids: number;
  readonly subvectorLength: number;
  readonly chainLength: number;
  readonly distance: DistanceMetric;
}

/**
 * The BPCSU kernel, structurally: for each (token t, position p) of a block, every chain scans its
 * centroids in ascending index and replaces its carried best only on a STRICTLY smaller distance
 * (so a chain keeps the lowest index among its ties), then the argmin tree merges adjacent chains
 * pairwise, level by level, keeping the LEFT (lower-index) operand on a tie (d_left <= d_right).
 * The result is the lowest index among the global minima, which is vq's tie rule: the indices are
 * exactly `encodeActivations`' (the spec checks it, including crafted ties across chains).
 * Distances come from vq's `centroidDistance`, so the metric is defined in one place.
 *
 * x: Float32Array [T][np * v] (the block's sub-vectors), codebooks: Float32Array [np][c_a][v].
 * Returns Uint8Array [T][np]. Throws `CentroidSearchError` on shape mismatch or non-finite input.
 */
export function bpcsuSearch(x: Float32Array, tokens: number, codebooks: Float32Array, cfg: BpcsuKernelConfig, out?: Uint8Array): Uint8Array {
  const { centroids: k, subvectorLength: v, chainLength: l, distance } = cfg;
  if (!Number.isInteger(tokens) || tokens < 1) throw new CentroidSearchError(`centroid-search kernel: tokens must be an integer >= 1, got ${tokens}`);
  if (x.length % (tokens * v) !== 0) {
    throw new CentroidSearchError(`centroid-search kernel: activation tile has ${x.length} values, not a multiple of T * v = ${tokens * v}`);
  }
  const np = x.length / (tokens * v);
  if (codebooks.length !== np * k * v) {
    throw new CentroidSearchError(
      `centroid-search kernel: codebooks have ${codebooks.length} values, expected positions * c_a * v = ${np} * ${k} * ${v} = ${np * k * v}`,
    );
  }
  const dst = out ?? new Uint8Array(tokens * np);
  if (dst.length !== tokens * np) throw new CentroidSearchError(`centroid-search kernel: output has ${dst.length} slots, expected ${tokens * np}`);
  for (let i = 0; i < x.length; i++) {
    const e = x[i]!;
    if (e - e !== 0) {
      const t = Math.floor(i / (np * v));
      throw new CentroidSearchError(`centroid-search kernel: activation [t=${t}][d=${i - t * np * v}] is ${e}; inputs must be finite`);
    }
  }
  const chains = Math.ceil(k / l);
  const chainD = new Float64Array(chains);
  const chainI = new Int32Array(chains);
  for (let t = 0; t < tokens; t++) {
    for (let p = 0; p < np; p++) {
      const xo = (t * np + p) * v;
      const cb = p * k * v;
      // Chains: a systolic scan in ascending centroid index, strict < keeps the earliest.
      for (let c = 0; c < chains; c++) {
        let bestD = Infinity;
        let best = c * l;
        const end = Math.min(k, (c + 1) * l);
        for (let j = c * l; j < end; j++) {
          const d = centroidDistance(x, xo, codebooks, cb + j * v, v, distance);
          if (d < bestD) {
            bestD = d;
            best = j;
          }
        }
        chainD[c] = bestD;
        chainI[c] = best;
      }
      // Argmin tree: adjacent pairs, left wins ties; an odd last operand passes through.
      let n = chains;
      while (n > 1) {
        const half = n >> 1;
        for (let i = 0; i < half; i++) {
          const a = 2 * i;
          const b = a + 1;
          if (chainD[a]! <= chainD[b]!) {
            chainD[i] = chainD[a]!;
            chainI[i] = chainI[a]!;
          } else {
            chainD[i] = chainD[b]!;
            chainI[i] = chainI[b]!;
          }
        }
        if (n & 1) {
          chainD[half] = chainD[n - 1]!;
          chainI[half] = chainI[n - 1]!;
        }
        n = half + (n & 1);
      }
      dst[t * np + p] = chainI[0]!;
    }
  }
  return dst;
}

/**
 * The stage kernel as a pure function of the firing (worker-thread safe): the search parameters
 * come from the output metadata's `search` field, T from the activation tile's metadata.
 */
export const centroidSearchKernel: Kernel = (inputs, outputs, firing) => {
  const out = outputs['out'] as ActivationIndexTileMeta;
  const s = out.search!;
  const act = inputs['act'] as ActivationTile;
  const cent = inputs['centroids'] as CentroidTile;
  const tokens = (firing.inputs['act'] as ActivationTileMeta).tokens;
  return { out: { indices: bpcsuSearch(act.x, tokens, cent.codebooks, { centroids: s.centroids, subvectorLength: s.v, chainLength: s.chainLength, distance: s.distance }) } };
};
