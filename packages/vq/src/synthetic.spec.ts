import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { syntheticActivations, syntheticActivationsWithInfo, syntheticWeights } from './synthetic.js';

describe('synthetic data', () => {
  it('weights are N(0, 1/D) by default and seeded', () => {
    const D = 256;
    const w = syntheticWeights(64, D, new Rng(1));
    let s2 = 0;
    for (const x of w) s2 += x * x;
    expect(Math.sqrt(s2 / w.length) * Math.sqrt(D)).toBeCloseTo(1, 1);
    expect(Array.from(syntheticWeights(4, 4, new Rng(9)))).toEqual(Array.from(syntheticWeights(4, 4, new Rng(9))));
  });

  it('activations have a few outlier channels 20-100x larger with a consistent sign', () => {
    const T = 400;
    const D = 1024;
    const { x, outlierChannels, outlierScales } = syntheticActivationsWithInfo(T, D, new Rng(3));
    expect(outlierChannels.length).toBe(2); // round(1024 / 512)
    const rms = (c: number) => Math.sqrt(Array.from({ length: T }, (_, t) => x[t * D + c]! ** 2).reduce((a, b) => a + b) / T);
    const mean = (c: number) => Array.from({ length: T }, (_, t) => x[t * D + c]!).reduce((a, b) => a + b) / T;
    for (let i = 0; i < outlierChannels.length; i++) {
      const c = outlierChannels[i]!;
      expect(outlierScales[i]!).toBeGreaterThanOrEqual(20);
      expect(outlierScales[i]!).toBeLessThanOrEqual(100);
      // x = s (sigma + N(0,1)): rms ~ s sqrt 2, |mean| ~ s.
      expect(rms(c) / outlierScales[i]!).toBeCloseTo(Math.SQRT2, 0);
      expect(Math.abs(mean(c)) / outlierScales[i]!).toBeGreaterThan(0.8);
    }
    const ordinary = [0, 1, 2, 3].filter((c) => !outlierChannels.includes(c));
    for (const c of ordinary) expect(rms(c)).toBeLessThan(1.2);
    expect(syntheticActivations(2, 8, new Rng(1), { outlierChannels: 0 }).every((v) => Math.abs(v) < 6)).toBe(true);
  });

  it('outlier channels belong to the "model" (outlierSeed), not to the token draw', () => {
    const a = syntheticActivationsWithInfo(4, 512, new Rng(1), { outlierChannels: 3 });
    const b = syntheticActivationsWithInfo(4, 512, new Rng(2), { outlierChannels: 3 });
    const c = syntheticActivationsWithInfo(4, 512, new Rng(1), { outlierChannels: 3, outlierSeed: 77 });
    expect(Array.from(a.outlierChannels)).toEqual(Array.from(b.outlierChannels));
    expect(Array.from(a.outlierScales)).toEqual(Array.from(b.outlierScales));
    expect(Array.from(a.x)).not.toEqual(Array.from(b.x));
    expect(Array.from(c.outlierChannels)).not.toEqual(Array.from(a.outlierChannels));
  });

  it('reject bad options clearly', () => {
    expect(() => syntheticActivations(2, 8, new Rng(1), { outlierChannels: 9 })).toThrow(/outlierChannels must be an integer in \[0, 8\], got 9/);
    expect(() => syntheticActivations(2, 8, new Rng(1), { outlierScaleMin: 50, outlierScaleMax: 20 })).toThrow(/outlier scales/);
    expect(() => syntheticWeights(2, 0, new Rng(1))).toThrow(/in-features D must be an integer >= 1, got 0/);
  });
});
