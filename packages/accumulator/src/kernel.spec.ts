import { describe, expect, it } from 'vitest';
import { accumulateFp32Terms, accumulateInt32 } from './kernel.js';
import { AccumulatorError } from './params.js';

describe('accumulator kernels', () => {
  it('INT32: buffer + psum with 32-bit wrap-around, inputs untouched', () => {
    const psum = Int32Array.from([1, -2, 2 ** 31 - 1]);
    const buf = Int32Array.from([10, 20, 1]);
    expect(Array.from(accumulateInt32(psum, buf))).toEqual([11, 18, -(2 ** 31)]);
    expect(Array.from(accumulateInt32(psum))).toEqual([1, -2, 2 ** 31 - 1]);
    expect(Array.from(buf)).toEqual([10, 20, 1]);
  });

  it('FP32: folds positions in ascending order with a float32 rounding per add (not reassociated)', () => {
    // 1 + 2^-24 + 2^-24 in float32, left to right: each small term is lost (round to even) -> 1.
    // Summed first (2^-23) then added it would give 1 + 2^-23: the order matters and is kept.
    const e = 2 ** -24;
    const terms = Float32Array.from([1, e, e]); // 3 positions, T * w = 1
    expect(accumulateFp32Terms(terms, 3)[0]).toBe(1);
    expect(accumulateFp32Terms(Float32Array.from([e, e]), 2, Float32Array.from([1]))[0]).toBe(1);
    expect(Math.fround(1 + Math.fround(e + e))).not.toBe(1);
  });

  it('rejects mismatched shapes', () => {
    expect(() => accumulateInt32(new Int32Array(3), new Int32Array(2))).toThrow(AccumulatorError);
    expect(() => accumulateFp32Terms(new Float32Array(5), 2)).toThrow(/cannot be split into 2 positions/);
  });
});
