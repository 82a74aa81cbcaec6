import { describe, expect, it } from 'vitest';
import { attention } from './attention.js';

describe('attention (causal, grouped-query)', () => {
  it('matches a hand-computed 2-token case', () => {
    // One head, headDim 2. k0 = [1,0], k1 = [0,1]; v0 = [1,2], v1 = [3,4]; q0 = [1,1], q1 = [2,0].
    // Token 0 sees only position 0 -> v0. Token 1: scores [2, 0] / sqrt(2) = [sqrt2, 0],
    // p1 = 1 / (1 + e^sqrt2) = 0.19557..., out = (1-p1) v0 + p1 v1 = [1 + 2 p1, 2 + 2 p1].
    const q = new Float32Array([1, 1, 2, 0]);
    const k = new Float32Array([1, 0, 0, 1]);
    const v = new Float32Array([1, 2, 3, 4]);
    const y = attention(q, k, v, { heads: 1, kvHeads: 1, headDim: 2 });
    expect(y[0]).toBeCloseTo(1, 7);
    expect(y[1]).toBeCloseTo(2, 7);
    expect(y[2]).toBeCloseTo(1.3911406349860862, 6);
    expect(y[3]).toBeCloseTo(2.391140634986086, 6);
  });

  it('decode query (queryStart = kvLength - 1) equals the last row of the full causal pass', () => {
    const q = new Float32Array([1, 1, 2, 0]);
    const k = new Float32Array([1, 0, 0, 1]);
    const v = new Float32Array([1, 2, 3, 4]);
    const shape = { heads: 1, kvHeads: 1, headDim: 2 };
    const last = attention(q.subarray(2), k, v, shape);
    expect(Array.from(last)).toEqual(Array.from(attention(q, k, v, shape).subarray(2)));
  });

  it('query head h reads KV head floor(h / (heads / kvHeads))', () => {
    // heads 4, kvHeads 2, headDim 1, one position: output of each head is the value of its KV head.
    const q = new Float32Array([1, 1, 1, 1]);
    const k = new Float32Array([1, 1]);
    const v = new Float32Array([10, 20]);
    expect(Array.from(attention(q, k, v, { heads: 4, kvHeads: 2, headDim: 1 }))).toEqual([10, 10, 20, 20]);
  });

  it('equal scores average the visible values (the mask hides the future)', () => {
    const q = new Float32Array([0, 0, 0]);
    const k = new Float32Array([5, 6, 7]);
    const v = new Float32Array([3, 6, 9]);
    const y = attention(q, k, v, { heads: 1, kvHeads: 1, headDim: 1 });
    expect(Array.from(y)).toEqual([3, 4.5, 6]);
  });

  it('rejects inconsistent shapes naming the problem', () => {
    const shape = { heads: 2, kvHeads: 1, headDim: 2 };
    expect(() => attention(new Float32Array(3), new Float32Array(2), new Float32Array(2), shape)).toThrow(/q has 3 values, not a multiple of heads x headDim = 4/);
    expect(() => attention(new Float32Array(8), new Float32Array(2), new Float32Array(2), shape)).toThrow(/queries at positions \[-1, 1\)|need keys up to position/);
    expect(() => attention(new Float32Array(4), new Float32Array(2), new Float32Array(4), shape)).toThrow(/values have 4 values but keys have 2/);
    expect(() => attention(new Float32Array(4), new Float32Array(2), new Float32Array(2), { heads: 3, kvHeads: 2, headDim: 2 })).toThrow(/heads \(3\) must be a multiple of kvHeads \(2\)/);
  });
});
