import { describe, expect, it } from 'vitest';
import { applyRope, ropeInverseFrequencies } from './rope.js';

describe('applyRope (Hugging Face rotate-half)', () => {
  it('inverse frequencies are theta^(-2i/headDim)', () => {
    expect(Array.from(ropeInverseFrequencies(4, 100))).toEqual([1, 0.1]);
    const f = ropeInverseFrequencies(128, 1e6);
    expect(f[1]).toBeCloseTo(Math.pow(1e6, -2 / 128), 15);
    expect(f[63]).toBeCloseTo(Math.pow(1e6, -126 / 128), 18);
  });

  it('matches a hand-computed case: headDim 4, theta 100, pairs (0,2) and (1,3)', () => {
    // x = [1, 2, 3, 4]; angles at position p are p*1 (pair 0,2) and p*0.1 (pair 1,3).
    // p = 1: y0 = 1 cos1 - 3 sin1, y2 = 3 cos1 + 1 sin1, y1 = 2 cos0.1 - 4 sin0.1, y3 = 4 cos0.1 + 2 sin0.1.
    const x = new Float32Array([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]); // three tokens, one head
    const y = applyRope(x, [0, 1, 2], 1, 4, 100);
    const expected = [
      1, 2, 3, 4,
      -1.9841106485555495, 1.590674663968739, 2.4623779024123156, 4.17968349440576,
      -3.1440391170241875, 1.1654558325022384, -0.33914308281574557, 4.317604972955089,
    ];
    expected.forEach((e, i) => expect(y[i]).toBeCloseTo(e, 6));
  });

  it('rotates every head of a token alike and preserves pair norms', () => {
    const x = new Float32Array([0.5, -1, 2, 0.25, 0.5, -1, 2, 0.25]); // one token, two heads
    const y = applyRope(x, [7], 2, 4, 1e6);
    for (let i = 0; i < 4; i++) expect(y[4 + i]).toBe(y[i]);
    expect(Math.hypot(y[0]!, y[2]!)).toBeCloseTo(Math.hypot(0.5, 2), 6);
    expect(Math.hypot(y[1]!, y[3]!)).toBeCloseTo(Math.hypot(-1, 0.25), 6);
  });

  it('relative-position property: <R(m)q, R(n)k> depends only on m - n', () => {
    const q = new Float32Array([0.3, -0.7, 1.1, 0.2, -0.4, 0.9]);
    const k = new Float32Array([-0.5, 0.8, 0.1, 0.6, 0.3, -1.2]);
    const dot = (m: number, n: number) => {
      const a = applyRope(q, [m], 1, 6, 10000);
      const b = applyRope(k, [n], 1, 6, 10000);
      return a.reduce((s, v, i) => s + v * b[i]!, 0);
    };
    expect(dot(5, 2)).toBeCloseTo(dot(13, 10), 5);
  });

  it('works in place and rejects bad input', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const y = applyRope(x, [1], 1, 4, 100, x);
    expect(y).toBe(x);
    expect(x[0]).toBeCloseTo(-1.9841106485555495, 6);
    expect(() => applyRope(new Float32Array(6), [0], 1, 4, 100)).toThrow(/6 values, expected tokens x heads x headDim = 1 x 1 x 4/);
    expect(() => applyRope(new Float32Array(4), [-1], 1, 4, 100)).toThrow(/position -1 \(token 0\)/);
    expect(() => ropeInverseFrequencies(3, 100)).toThrow(/positive even integer, got 3/);
  });
});
