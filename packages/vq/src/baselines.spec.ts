import { describe, expect, it } from 'vitest';
import { fp32Gemm, fp32Gemv } from './fp32.js';
import { quantizeRtnInt8Activations, quantizeRtnInt8Weights, rtnInt8Gemm, rtnInt8Gemv } from './rtn-int8.js';
import { Rng } from './rng.js';
import { syntheticActivations, syntheticWeights } from './synthetic.js';

describe('FP32 baseline', () => {
  it('computes W x for a hand example and rejects shape mismatches', () => {
    const W = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2][3]
    const x = Float32Array.from([1, 0, -1, 2, 2, 2]); // [2][3]
    expect(Array.from(fp32Gemm(W, 2, 3, x, 2))).toEqual([-2, -2, 12, 30]);
    expect(Array.from(fp32Gemv(W, 2, 3, x.subarray(0, 3)))).toEqual([-2, -2]);
    expect(() => fp32Gemm(W, 3, 3, x, 2)).toThrow(/weight has length 6, expected 9 \(\[M=3\]\[D=3\]\)/);
    expect(() => fp32Gemv(W, 2, 3, x)).toThrow(/x has length 6, expected D = 3/);
  });
});

describe('RTN INT8 baseline (per-channel weights, per-token activations)', () => {
  it('quantizes symmetrically with round-half-to-even and max -> 127', () => {
    const w = quantizeRtnInt8Weights(Float32Array.from([127, -63.5, 0.5, 1.5]), 1, 4);
    expect(w.scale[0]).toBe(1);
    expect(Array.from(w.q)).toEqual([127, -64, 0, 2]);
    const zero = quantizeRtnInt8Weights(new Float32Array(3), 1, 3);
    expect(zero.scale[0]).toBe(1);
  });

  it('equals an exact integer reference and is close to FP32', () => {
    const M = 16;
    const D = 32;
    const T = 3;
    const W = syntheticWeights(M, D, new Rng(1));
    const x = syntheticActivations(T, D, new Rng(2), { outlierChannels: 0 });
    const wq = quantizeRtnInt8Weights(W, M, D);
    const xq = quantizeRtnInt8Activations(x, T, D);
    const y = rtnInt8Gemm(wq, x, T);
    const ref = fp32Gemm(W, M, D, x, T);
    for (let t = 0; t < T; t++) {
      for (let n = 0; n < M; n++) {
        let acc = 0;
        for (let d = 0; d < D; d++) acc += wq.q[n * D + d]! * xq.q[t * D + d]!;
        expect(y[t * M + n]).toBe(Math.fround(acc * wq.scale[n]! * xq.scale[t]!));
        expect(Math.abs(y[t * M + n]! - ref[t * M + n]!)).toBeLessThan(0.05);
      }
    }
    expect(Array.from(rtnInt8Gemv(wq, x.subarray(0, D)))).toEqual(Array.from(y.subarray(0, M)));
  });

  it('rejects NaN weights naming the element', () => {
    expect(() => quantizeRtnInt8Weights(Float32Array.from([1, NaN]), 1, 2)).toThrow(/weight\[n=0\]\[d=1\] is NaN/);
  });
});
