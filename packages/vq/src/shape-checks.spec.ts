// The exact messages of vq's shape and range checks (each names the field, the value and the
// expected shape), the INT32 overflow bound of the RTN baseline and the activation-only table
// limit, derived by hand, through the package's public exports.
import { describe, expect, it } from 'vitest';
import {
  MAX_ACTIVATION_ONLY_TABLE_ENTRIES,
  Rng,
  VqInputError,
  activationOnlyAccumulateTile,
  assertQuantizedLinear,
  assertWeightIndicesInRange,
  buildActivationOnlyLinear,
  linearShape,
  lutTableOffset,
  packIndices,
  quantizeRtnInt8Activations,
  quantizeRtnInt8Weights,
  resolveVqConfig,
  rtnInt8Gemm,
  synthesizeQuantizedLinear,
  type QuantizedLinear,
} from './index.js';

// M = 6 outputs, D = 4 (P = 2 positions of v = 2), G = 4 (2 groups), c_a = 2, c_w = 3 (2-bit
// indices, 6 x 2 bits = 2 bytes per position).
const cfg = { v: 2, cA: 2, cW: 3, groupSize: 4 } as const;
const q = synthesizeQuantizedLinear(6, 4, cfg, new Rng(5));

describe('QuantizedLinear shape checks', () => {
  it('the shape numbers: P 2, groups 2, 2-bit indices, 2 bytes per position; tables at (p groups + g) c_a c_w', () => {
    expect(linearShape(6, 4, resolveVqConfig(cfg))).toEqual({ P: 2, groups: 2, bits: 2, rowBytes: 2 });
    expect([lutTableOffset(q, 0, 0), lutTableOffset(q, 0, 1), lutTableOffset(q, 1, 0), lutTableOffset(q, 1, 1)]).toEqual([0, 6, 12, 18]);
    expect(() => assertQuantizedLinear(q)).not.toThrow();
  });

  it('each derived number and array length, named', () => {
    const bad = (o: Partial<QuantizedLinear>) => () => assertQuantizedLinear({ ...q, ...o });
    expect(bad({ positions: 3 })).toThrow('QuantizedLinear.positions = 3, expected D / v = 2');
    expect(bad({ groups: 1 })).toThrow('QuantizedLinear.groups = 1, expected ceil(M / G) = 2');
    expect(bad({ weightIndexBits: 3 })).toThrow('QuantizedLinear.weightIndexBits = 3, expected 2');
    expect(bad({ weightIndexRowBytes: 3 })).toThrow('QuantizedLinear.weightIndexRowBytes = 3, expected 2');
    expect(bad({ actCodebooks: new Float32Array(7) })).toThrow('QuantizedLinear.actCodebooks has length 7, expected 8 ([P=2][cA=2][v=2])');
    expect(bad({ weightCodebooks: new Float32Array(7) })).toThrow('QuantizedLinear.weightCodebooks has length 7, expected 24 ([P=2][groups=2][cW=3][v=2])');
    expect(bad({ weightIndices: new Uint8Array(3) })).toThrow('QuantizedLinear.weightIndices has length 3, expected 4 ([P=2][rowBytes=2])');
    expect(bad({ lut: new Int8Array(23) })).toThrow('QuantizedLinear.lut has length 23, expected 24 ([P=2][groups=2][cA=2][cW=3])');
    expect(bad({ lutScale: new Float32Array(1) })).toThrow('QuantizedLinear.lutScale has length 1, expected 2 ([groups=2])');
    expect(bad({ lutZeroPoint: new Int32Array(3) })).toThrow('QuantizedLinear.lutZeroPoint has length 3, expected 2 ([groups=2])');
    expect(bad({ outFeatures: 0 })).toThrow('out-features M must be an integer >= 1, got 0');
    expect(bad({ inFeatures: 0 })).toThrow('in-features D must be an integer >= 1, got 0');
    expect(bad({ inFeatures: 5 })).toThrow('in-features D = 5 is not divisible by v = 2');
  });

  it('weight indices >= c_w (3 fits in 2 bits) are found by position and output; c_w - 1 is fine', () => {
    const indices = (last: number) => {
      const wi = new Uint8Array(4);
      packIndices(Uint8Array.from([0, 1, 2, 0, 1, 2]), 2, wi, 0);
      packIndices(Uint8Array.from([2, 2, 2, 2, 2, last]), 2, wi, 2);
      return { ...q, weightIndices: wi };
    };
    expect(() => assertWeightIndicesInRange(indices(2))).not.toThrow();
    expect(() => assertWeightIndicesInRange(indices(3))).toThrow('weightIndices[p=1][n=5] = 3 is out of range for cW = 3');
    const e = (() => {
      try {
        assertWeightIndicesInRange(indices(3));
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(VqInputError);
    expect((e as Error).name).toBe('VqInputError');
  });
});

describe('activation-only checks', () => {
  // M = 2, D = 4: P = 2 positions, c_a = 2; table [P][c_a][M] of 8 entries.
  const aq = buildActivationOnlyLinear(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, 4, new Float32Array(8), { cA: 2 });
  const acc = (n: number) => new Float32Array(n);

  it('ranges [start, end) within [0, limit): empty ranges are fine, reversed, negative, fractional or past the end are not', () => {
    activationOnlyAccumulateTile(aq, new Uint8Array(2), 1, 1, 1, 2, 2, acc(0));
    activationOnlyAccumulateTile(aq, new Uint8Array(2), 1, 0, 2, 0, 2, acc(2));
    const pos = (s: number, e: number) => () => activationOnlyAccumulateTile(aq, new Uint8Array(2), 1, s, e, 0, 2, acc(2));
    expect(pos(1, 0)).toThrow('position range [1, 0) is not a valid sub-range of [0, 2)');
    expect(pos(-1, 1)).toThrow('position range [-1, 1) is not a valid sub-range of [0, 2)');
    expect(pos(0.5, 1)).toThrow('position range [0.5, 1) is not a valid sub-range of [0, 2)');
    expect(pos(0, 1.5)).toThrow('position range [0, 1.5) is not a valid sub-range of [0, 2)');
    expect(pos(0, 3)).toThrow('position range [0, 3) is not a valid sub-range of [0, 2)');
    expect(() => activationOnlyAccumulateTile(aq, new Uint8Array(2), 1, 0, 2, 1, 3, acc(2))).toThrow('output range [1, 3) is not a valid sub-range of [0, 2)');
  });

  it('tile arguments, named with their shapes', () => {
    expect(() => activationOnlyAccumulateTile(aq, new Uint8Array(2), 0, 0, 2, 0, 2, acc(2))).toThrow('tokens must be an integer >= 1, got 0');
    expect(() => activationOnlyAccumulateTile(aq, new Uint8Array(3), 1, 0, 2, 0, 2, acc(2))).toThrow('actIdx has length 3, expected 2 ([tokens=1][P=2])');
    expect(() => activationOnlyAccumulateTile(aq, new Uint8Array(2), 1, 0, 2, 0, 1, acc(2))).toThrow('acc has length 2, expected 1 ([tokens=1][outEnd-outStart=1])');
    expect(() => activationOnlyAccumulateTile({ ...aq, table: new Float32Array(7) }, new Uint8Array(2), 1, 0, 2, 0, 2, acc(2))).toThrow(
      'ActivationOnlyLinear.table has length 7, expected 8 ([P=2][cA=2][M=2])',
    );
    expect(() => buildActivationOnlyLinear(new Float32Array(8), 0, 4, new Float32Array(8), { cA: 2 })).toThrow('out-features M must be an integer >= 1, got 0');
    expect(() => buildActivationOnlyLinear(new Float32Array(8), 2, 0, new Float32Array(8), { cA: 2 })).toThrow('in-features D must be an integer >= 1, got 0');
    expect(() => buildActivationOnlyLinear(new Float32Array(7), 2, 4, new Float32Array(8), { cA: 2 })).toThrow('weight has length 7, expected 8 ([M=2][D=4])');
    expect(() => buildActivationOnlyLinear(new Float32Array(8), 2, 4, new Float32Array(9), { cA: 2 })).toThrow('actCodebooks has length 9, expected 8 ([P=2][cA=2][v=2])');
  });

  it('tables over 2^28 entries are refused before allocating: P 1025 x c_a 256 x M 1024 = 268,697,600 entries = 1025/1024 GiB', () => {
    expect(MAX_ACTIVATION_ONLY_TABLE_ENTRIES).toBe(268_435_456);
    expect(() => buildActivationOnlyLinear(new Float32Array(1024 * 2050), 1024, 2050, new Float32Array(1025 * 256 * 2), { cA: 256 })).toThrow(
      'activation-only tables would need 268697600 float32 entries (1.0009765625 GiB) for M=1024, D=2050, cA=256; limit is 268435456',
    );
  });
});

describe('RTN INT8 baseline checks', () => {
  it('the INT32 accumulator bound: D <= floor(2^31 / 127^2) = 133144 products of |127 x 127| fit', () => {
    const w = (D: number) => ({ outFeatures: 1, inFeatures: D, q: new Int8Array(D).fill(127), scale: Float32Array.from([1]) });
    expect(() => rtnInt8Gemm(w(133145), new Float32Array(133145), 1)).toThrow('D = 133145 could overflow INT32 accumulation');
    // x = all 1: per-token scale 1/127, q = 127: y = 133144 x 127 x 127 x 1 x float32(1/127)
    const y = rtnInt8Gemm(w(133144), new Float32Array(133144).fill(1), 1);
    expect(y[0]).toBe(Math.fround(133144 * 127 * 127 * Math.fround(1 / 127)));
  });

  it('argument messages', () => {
    expect(() => quantizeRtnInt8Weights(new Float32Array(4), 0, 4)).toThrow('out-features M must be an integer >= 1, got 0');
    expect(() => quantizeRtnInt8Weights(new Float32Array(4), 1, 0)).toThrow('in-features D must be an integer >= 1, got 0');
    expect(() => quantizeRtnInt8Weights(new Float32Array(3), 2, 2)).toThrow('weight has length 3, expected 4 ([M=2][D=2])');
    expect(() => quantizeRtnInt8Activations(new Float32Array(4), 0, 2)).toThrow('tokens T must be an integer >= 1, got 0');
    expect(() => quantizeRtnInt8Activations(new Float32Array(3), 2, 2)).toThrow('x has length 3, expected 4 ([T=2][D=2])');
    expect(() => quantizeRtnInt8Activations(Float32Array.from([1, 2, NaN, 4]), 2, 2)).toThrow('x[t=1][d=0] is NaN; inputs must be finite');
    expect(() => quantizeRtnInt8Weights(Float32Array.from([1, 2, 3, Infinity]), 2, 2)).toThrow('weight[n=1][d=1] is Infinity; inputs must be finite');
  });
});
