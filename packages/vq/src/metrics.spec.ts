import { describe, expect, it } from 'vitest';
import { compareOutputs, cosineSimilarity, maxAbsError, relativeL2Error, relativeMaxAbsError, sqnrDb } from './metrics.js';

describe('error metrics', () => {
  const ref = Float32Array.from([3, 4, 0]);
  const test = Float32Array.from([3, 3, 1]);
  it('match hand-computed values', () => {
    // err = (0, -1, 1): ||err|| = sqrt 2, ||ref|| = 5; <ref,test> = 9 + 12 = 21, ||test|| = sqrt 19.
    expect(relativeL2Error(ref, test)).toBeCloseTo(Math.SQRT2 / 5, 12);
    expect(cosineSimilarity(ref, test)).toBeCloseTo(21 / (5 * Math.sqrt(19)), 12);
    expect(maxAbsError(ref, test)).toBe(1);
    expect(sqnrDb(ref, test)).toBeCloseTo(10 * Math.log10(25 / 2), 12);
    expect(compareOutputs(ref, test)).toEqual({
      relativeL2Error: relativeL2Error(ref, test),
      cosineSimilarity: cosineSimilarity(ref, test),
      maxAbsError: 1,
      sqnrDb: sqnrDb(ref, test),
    });
  });
  it('handle exact and degenerate cases', () => {
    expect(compareOutputs(ref, ref)).toEqual({ relativeL2Error: 0, cosineSimilarity: 1, maxAbsError: 0, sqnrDb: Infinity });
    const z = new Float32Array(3);
    expect(relativeL2Error(z, ref)).toBe(Infinity);
    expect(cosineSimilarity(z, z)).toBe(1);
    expect(cosineSimilarity(z, ref)).toBe(0);
    expect(maxAbsError(ref, Float32Array.from([3, 4, NaN]))).toBeNaN();
  });
  it('reject mismatched lengths', () => {
    expect(() => compareOutputs(ref, new Float32Array(2))).toThrow(/reference has length 3, test has 2/);
  });
  it('relativeMaxAbsError: max |test - ref| / max |ref|, by hand', () => {
    // errors (0, -1, 1) -> 1; max |ref| = 4 (not the last element, not the sum): 1 / 4.
    expect(relativeMaxAbsError(ref, test)).toBe(0.25);
    // negative references count by magnitude: max |ref| = 8, max error |-6 - (-8)| = 2 -> 0.25.
    expect(relativeMaxAbsError([-8, 2], [-6, 2.5])).toBe(0.25);
    // a zero reference: the absolute error itself.
    expect(relativeMaxAbsError([0, 0], [0.5, -0.75])).toBe(0.75);
    expect(relativeMaxAbsError([1, 2], [1, 2])).toBe(0);
    expect(() => relativeMaxAbsError([1, 2], [1])).toThrow(/relativeMaxAbsError: lengths differ \(2 vs 1\)/);
  });

  it('compareOutputs degenerate branches: a zero reference against a non-zero test, and a zero test', () => {
    const z = new Float32Array(3);
    expect(compareOutputs(z, ref)).toEqual({ relativeL2Error: Infinity, cosineSimilarity: 0, maxAbsError: 4, sqnrDb: 10 * Math.log10(0) });
    expect(compareOutputs(ref, z)).toEqual({ relativeL2Error: 1, cosineSimilarity: 0, maxAbsError: 4, sqnrDb: 0 });
    expect(compareOutputs(z, z)).toEqual({ relativeL2Error: 0, cosineSimilarity: 1, maxAbsError: 0, sqnrDb: Infinity });
    expect(relativeL2Error(z, z)).toBe(0);
    expect(cosineSimilarity(ref, z)).toBe(0);
    expect(sqnrDb(ref, z)).toBe(0); // 10 log10(25 / 25)
  });
});
