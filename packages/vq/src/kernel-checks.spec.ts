// The exact messages of the co-quantized and weight-only kernels' tile checks, and a dequantized
// tile by hand ((acc - zero point x P) x scale per group).
import { describe, expect, it } from 'vitest';
import { Rng, dequantizeTile, lutAccumulateTile, lutLinear, synthesizeQuantizedLinear, weightOnlyAccumulateTile, weightOnlyGemm } from './index.js';

// M = 6, D = 4 (P = 2), G = 4: groups [0, 4) and [4, 6).
const q = synthesizeQuantizedLinear(6, 4, { v: 2, cA: 2, cW: 4, groupSize: 4 }, new Rng(9));

describe('kernel tile checks name the argument and its shape', () => {
  it('lutAccumulateTile', () => {
    const idx = new Uint8Array(2);
    expect(() => lutAccumulateTile(q, idx, 0, 0, 2, 0, 6, new Int32Array(6))).toThrow('tokens must be an integer >= 1, got 0');
    expect(() => lutAccumulateTile(q, idx, 1, 0, 3, 0, 6, new Int32Array(6))).toThrow('position range [0, 3) is not a valid sub-range of [0, 2)');
    expect(() => lutAccumulateTile(q, idx, 1, 0, 2, 2, 7, new Int32Array(5))).toThrow('output range [2, 7) is not a valid sub-range of [0, 6)');
    expect(() => lutAccumulateTile(q, new Uint8Array(3), 1, 0, 2, 0, 6, new Int32Array(6))).toThrow('actIdx has length 3, expected 2 ([tokens=1][P=2])');
    expect(() => lutAccumulateTile(q, idx, 1, 0, 2, 1, 4, new Int32Array(2))).toThrow('acc has length 2, expected 3 ([tokens=1][outEnd-outStart=3])');
    expect(() => lutAccumulateTile(q, Uint8Array.from([0, 2]), 1, 0, 2, 0, 6, new Int32Array(6))).toThrow('actIdx[t=0][p=1] = 2 is out of range for cA = 2');
    // an index past c_a outside the position range is not read
    expect(() => lutAccumulateTile(q, Uint8Array.from([0, 2]), 1, 0, 1, 0, 6, new Int32Array(6))).not.toThrow();
    expect(() => lutLinear(q, new Float32Array(5), 1)).toThrow('x has length 5, expected 4 ([T=1][D=4])');
  });

  it('dequantizeTile: (acc - zp x P) x scale per group, and its checks', () => {
    const acc = Int32Array.from([10, 20, 30, 40, 50, 60]);
    const out = new Float32Array(6);
    dequantizeTile(q, acc, 1, 0, 6, out);
    const want = [10, 20, 30, 40, 50, 60].map((a, n) => {
      const g = n < 4 ? 0 : 1;
      return Math.fround((a - q.lutZeroPoint[g]! * 2) * q.lutScale[g]!);
    });
    expect(Array.from(out)).toEqual(want);
    // a tile of outputs [3, 5): output 3 in group 0, output 4 in group 1
    const tile = new Float32Array(2);
    dequantizeTile(q, Int32Array.from([40, 50]), 1, 3, 5, tile);
    expect(Array.from(tile)).toEqual([want[3], want[4]]);
    expect(() => dequantizeTile(q, acc, 0, 0, 6, out)).toThrow('tokens must be an integer >= 1, got 0');
    expect(() => dequantizeTile(q, acc, 1, 0, 7, out)).toThrow('output range [0, 7) is not a valid sub-range of [0, 6)');
    expect(() => dequantizeTile(q, acc, 1, 0, 5, out)).toThrow('acc has length 6, expected 5 ([tokens=1][outEnd-outStart=5])');
    expect(() => dequantizeTile(q, acc, 1, 0, 6, new Float32Array(5))).toThrow('out has length 5, expected 6 ([tokens=1][outEnd-outStart=6])');
  });

  it('weight-only tiles and GEMM', () => {
    const x = new Float32Array(4);
    expect(() => weightOnlyAccumulateTile(q, x, 0, 0, 2, 0, 6, new Float32Array(6))).toThrow('tokens must be an integer >= 1, got 0');
    expect(() => weightOnlyAccumulateTile(q, x, 1, 1, 0, 0, 6, new Float32Array(6))).toThrow('position range [1, 0) is not a valid sub-range of [0, 2)');
    expect(() => weightOnlyAccumulateTile(q, x, 1, 0, 2, -1, 6, new Float32Array(7))).toThrow('output range [-1, 6) is not a valid sub-range of [0, 6)');
    expect(() => weightOnlyAccumulateTile(q, new Float32Array(3), 1, 0, 2, 0, 6, new Float32Array(6))).toThrow('x has length 3, expected 4 ([tokens=1][D=4])');
    expect(() => weightOnlyAccumulateTile(q, x, 1, 0, 2, 0, 6, new Float32Array(5))).toThrow('acc has length 5, expected 6 ([tokens=1][outEnd-outStart=6])');
    expect(() => weightOnlyGemm(q, x, 0)).toThrow('tokens must be an integer >= 1, got 0');
    expect(() => weightOnlyGemm(q, new Float32Array(5), 1)).toThrow('x has length 5, expected 4 ([T=1][D=4])');
    expect(() => weightOnlyGemm(q, Float32Array.from([0, 0, 0, 0, 0, NaN, 0, 0]), 2)).toThrow('x[t=1][d=1] is NaN; inputs must be finite');
  });
});
