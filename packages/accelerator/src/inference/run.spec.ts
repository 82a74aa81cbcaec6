import { describe, expect, it } from 'vitest';
import { decodeSampleSteps } from './run.js';

describe('decodeSampleSteps', () => {
  it('spreads N samples evenly from the first decode step to the last', () => {
    // 128 output tokens: 127 decode steps (0..126); 3 samples at 0, 126/2, 126.
    expect(decodeSampleSteps(128, 3)).toEqual([0, 63, 126]);
    expect(decodeSampleSteps(11, 4)).toEqual([0, 3, 6, 9]); // round(i * 9 / 3)
    expect(decodeSampleSteps(4, 5)).toEqual([0, 1, 2]); // more samples than steps: every step once
    expect(decodeSampleSteps(5, 'all')).toEqual([0, 1, 2, 3]);
    expect(decodeSampleSteps(2, 3)).toEqual([0]);
    expect(decodeSampleSteps(1, 3)).toEqual([]); // the only token comes out of prefill
  });

  it('rejects a sample count below 2', () => {
    expect(() => decodeSampleSteps(10, 1)).toThrow(/decodeSamples must be 'all' or an integer >= 2, got 1/);
    expect(() => decodeSampleSteps(10, 2.5)).toThrow(/got 2.5/);
  });
});
