import { describe, expect, it } from 'vitest';
import { compareOutputs, cosineSimilarity, maxAbsError, relativeL2Error, sqnrDb } from './metrics.js';

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
});
