import { describe, expect, it } from 'vitest';
import { adderTreeFp32 } from './index.js';

describe('adderTreeFp32', () => {
  it('adds pairwise with FP32 rounding at every level (not left to right), an odd value passing through', () => {
    // (1 + 1e8) and (-1e8 + 1) each round to +-1e8 in FP32: the tree gives 0, a running sum 1.
    expect(adderTreeFp32(Float32Array.of(1, 1e8, -1e8, 1), 4)).toBe(0);
    // Odd count: [a, b, c] -> [a + b, c] -> a + b + c; only the first n values are read.
    expect(adderTreeFp32(Float32Array.of(0.5, 0.25, 2, 99), 3)).toBe(2.75);
    expect(adderTreeFp32(Float32Array.of(7), 1)).toBe(7);
  });
});
