import { describe, expect, it } from 'vitest';
import {
  activationOnlyAccumulateTile,
  activationOnlyGemm,
  activationOnlyGemv,
  activationOnlyLinear,
  buildActivationOnlyLinear,
} from './activation-only.js';
import { encodeActivations } from './centroid-search.js';
import { Rng } from './rng.js';
import { syntheticActivations, syntheticWeights } from './synthetic.js';

function setup(M: number, D: number, cA: number, seed: number) {
  const r = new Rng(seed);
  const W = syntheticWeights(M, D, r);
  const actCodebooks = Float32Array.from({ length: (D / 2) * cA * 2 }, () => r.normal());
  return { W, aq: buildActivationOnlyLinear(W, M, D, actCodebooks, { cA }) };
}

describe('activation-only VQ', () => {
  it('table layout [P][cA][M] holds <actCentroid, W sub-vector> in float32', () => {
    const { W, aq } = setup(6, 8, 4, 1);
    const M = 6;
    const D = 8;
    for (let p = 0; p < 4; p++) {
      for (let a = 0; a < 4; a++) {
        for (let n = 0; n < M; n++) {
          const c = (p * 4 + a) * 2;
          const exact = aq.actCodebooks[c]! * W[n * D + 2 * p]! + aq.actCodebooks[c + 1]! * W[n * D + 2 * p + 1]!;
          expect(aq.table[(p * 4 + a) * M + n]).toBe(Math.fround(exact));
        }
      }
    }
  });

  it('matches a float64 loop over dequantized activations x W within float32 accumulation error', () => {
    const M = 24;
    const D = 32;
    const T = 3;
    const { W, aq } = setup(M, D, 8, 2);
    const x = syntheticActivations(T, D, new Rng(3));
    const idx = encodeActivations(x, T, aq.actCodebooks, aq.cfg);
    const y = activationOnlyLinear(aq, x, T);
    expect(Array.from(y)).toEqual(Array.from(activationOnlyGemm(aq, idx, T)));
    for (let t = 0; t < T; t++) {
      for (let n = 0; n < M; n++) {
        let ref = 0;
        let absSum = 0;
        for (let p = 0; p < D / 2; p++) {
          const c = (p * 8 + idx[t * (D / 2) + p]!) * 2;
          for (let e = 0; e < 2; e++) {
            ref += aq.actCodebooks[c + e]! * W[n * D + 2 * p + e]!;
            absSum += Math.abs(aq.actCodebooks[c + e]! * W[n * D + 2 * p + e]!);
          }
        }
        expect(Math.abs(y[t * M + n]! - ref)).toBeLessThanOrEqual(2 * (D / 2) * 2 ** -24 * absSum + 1e-9);
      }
    }
  });

  it('ascending position tiles and output tiles are bit-identical to the whole layer', () => {
    const M = 20;
    const D = 24;
    const T = 2;
    const { aq } = setup(M, D, 8, 4);
    const r = new Rng(5);
    const idx = Uint8Array.from({ length: T * 12 }, () => r.int(8));
    const whole = activationOnlyGemm(aq, idx, T);
    const acc = new Float32Array(T * 7);
    for (const [p0, p1] of [
      [0, 5],
      [5, 6],
      [6, 12],
    ] as const) {
      activationOnlyAccumulateTile(aq, idx, T, p0, p1, 13, 20, acc);
    }
    for (let t = 0; t < T; t++) for (let n = 13; n < 20; n++) expect(Object.is(acc[t * 7 + n - 13], whole[t * M + n])).toBe(true);
    expect(Array.from(activationOnlyGemv(aq, idx.subarray(0, 12)))).toEqual(Array.from(whole.subarray(0, M)));
  });

  it('rejects bad input clearly, including oversized tables', () => {
    const { aq } = setup(4, 4, 4, 6);
    expect(() => activationOnlyGemm(aq, Uint8Array.from([0, 4]), 1)).toThrow(/actIdx\[t=0\]\[p=1\] = 4 is out of range for cA = 4/);
    expect(() => buildActivationOnlyLinear(new Float32Array(12), 4, 3, new Float32Array(0), { cA: 4 })).toThrow(/D = 3 is not divisible by v = 2/);
    expect(() => buildActivationOnlyLinear(Float32Array.from([0, 0, 0, NaN]), 1, 4, new Float32Array(16), { cA: 4 })).toThrow(
      /weight\[n=0\]\[d=3\] is NaN/,
    );
    expect(() => buildActivationOnlyLinear(new Float32Array(0), 2048, 6144, new Float32Array(3072 * 64 * 2), {})).toThrow(
      /weight has length 0/,
    );
    // Oversized: P x cA x M entries with P = D / v = 1, cA = 256, M = 2^20 + 1 is 2^28 + 256 > 2^28
    // (the weight is only 8 MiB; the check comes before the 1 GiB table is allocated).
    const M = 2 ** 20 + 1;
    expect(() => buildActivationOnlyLinear(new Float32Array(M * 2), M, 2, new Float32Array(256 * 2), { v: 2, cA: 256 })).toThrow(
      `activation-only tables would need ${2 ** 28 + 256} float32 entries (${(2 ** 28 + 256) / 2 ** 28} GiB) for M=${M}, D=2, cA=256; limit is ${2 ** 28}`,
    );
  });
});
