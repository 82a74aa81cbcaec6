import { Rng, encodeActivations, type DistanceMetric } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';
import { bpcsuSearch } from './kernel.js';
import { CentroidSearchError } from './params.js';

function randomBlock(T: number, np: number, k: number, v: number, seed: number) {
  const r = new Rng(seed);
  const x = Float32Array.from({ length: T * np * v }, () => r.normal());
  const codebooks = Float32Array.from({ length: np * k * v }, () => r.normal());
  return { x, codebooks };
}

describe('BPCSU kernel (chains + argmin tree) vs vq.encodeActivations', () => {
  const metrics: DistanceMetric[] = ['chebyshev', 'l2sq'];
  for (const distance of metrics) {
    for (const chainLength of [1, 4, 5, 16, 64]) {
      it(`random data, ${distance}, chains of ${chainLength}: identical indices`, () => {
        const T = 3;
        const np = 16;
        const k = 64;
        const { x, codebooks } = randomBlock(T, np, k, 2, 11 + chainLength);
        const got = bpcsuSearch(x, T, codebooks, { centroids: k, subvectorLength: 2, chainLength, distance });
        const want = encodeActivations(x, T, codebooks, { v: 2, cA: k, distance });
        expect(Array.from(got)).toEqual(Array.from(want));
      });
    }
  }

  it('v = 4 sub-vectors and a codebook size that is not a multiple of the chain length', () => {
    const { x, codebooks } = randomBlock(2, 5, 23, 4, 3);
    const got = bpcsuSearch(x, 2, codebooks, { centroids: 23, subvectorLength: 4, chainLength: 6, distance: 'l2sq' });
    expect(Array.from(got)).toEqual(Array.from(encodeActivations(x, 2, codebooks, { v: 4, cA: 23, distance: 'l2sq' })));
  });

  it('ties: the lowest index wins, within a chain and across chains and tree levels', () => {
    // One position, 64 centroids, all far away except exact copies of the nearest one placed in
    // several chains (indices 37, 21, 60 and 50): vq picks 21; a tree keeping the right operand on
    // a tie, or a chain replacing on <=, would pick another copy.
    const k = 64;
    const x = Float32Array.from([0.25, -0.5]);
    const codebooks = new Float32Array(k * 2).fill(100);
    for (const j of [37, 21, 60, 50]) codebooks.set([0.5, -0.5], 2 * j);
    // Chebyshev ties with a different vector at the same distance (|dx| = 0.25 = |dy|), in chain 0.
    codebooks.set([0.25, -0.25], 2 * 40);
    for (const chainLength of [1, 2, 8, 16, 32, 64]) {
      for (const distance of ['chebyshev', 'l2sq'] as const) {
        const want = encodeActivations(x, 1, codebooks, { v: 2, cA: k, distance })[0]!;
        const got = bpcsuSearch(x, 1, codebooks, { centroids: k, subvectorLength: 2, chainLength, distance })[0]!;
        expect(got).toBe(want);
        expect(got).toBe(21);
      }
    }
  });

  it('rejects mismatched shapes and non-finite activations with a clear error', () => {
    const cfg = { centroids: 4, subvectorLength: 2, chainLength: 2, distance: 'chebyshev' } as const;
    expect(() => bpcsuSearch(new Float32Array(6), 1, new Float32Array(3 * 4 * 2 - 1), cfg)).toThrow(CentroidSearchError);
    expect(() => bpcsuSearch(new Float32Array(5), 1, new Float32Array(8), cfg)).toThrow(/not a multiple of T \* v/);
    expect(() => bpcsuSearch(Float32Array.from([0, Number.NaN]), 1, new Float32Array(8), cfg)).toThrow(/\[t=0\]\[d=1\] is NaN/);
  });
});
