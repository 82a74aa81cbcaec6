// The synthetic data generators against their written definitions, on a twin Rng: every element
// is rng.normal() x std; an outlier channel c holds s_c (sigma_c std + n std) with s_c in
// [min, max] and sigma_c = +-1 the same for every token. Plus the option checks' messages.
import { describe, expect, it } from 'vitest';
import { Rng, syntheticActivations, syntheticActivationsWithInfo, syntheticWeights } from './index.js';

describe('synthetic data by definition', () => {
  it('weights: W[i] = normal() x std, default std 1/sqrt(D) (D = 4: 1/2)', () => {
    const twin = new Rng(21);
    const want = Array.from({ length: 12 }, () => Math.fround(twin.normal() * 0.5));
    expect(Array.from(syntheticWeights(3, 4, new Rng(21)))).toEqual(want);
    expect(Array.from(syntheticWeights(3, 4, new Rng(21), { std: 0.5 }))).toEqual(want);
  });

  it('activations without outliers: x = normal() x std', () => {
    const twin = new Rng(4);
    const want = Array.from({ length: 10 }, () => Math.fround(twin.normal() * 3));
    expect(Array.from(syntheticActivations(2, 5, new Rng(4), { std: 3, outlierChannels: 0 }))).toEqual(want);
  });

  it('outlier channels: distinct, ascending, x = s (sigma std + n std) with one sign per channel; the others untouched', () => {
    const T = 3;
    const D = 16;
    const std = 2;
    const twin = new Rng(8);
    const n = Array.from({ length: T * D }, () => twin.normal() * std);
    const { x, outlierChannels, outlierScales } = syntheticActivationsWithInfo(T, D, new Rng(8), { std, outlierChannels: 4, outlierScaleMin: 7, outlierScaleMax: 7 });
    const chans = Array.from(outlierChannels);
    expect(chans.length).toBe(4);
    expect(new Set(chans).size).toBe(4);
    expect([...chans].sort((a, b) => a - b)).toEqual(chans);
    expect(chans.every((c) => c >= 0 && c < D)).toBe(true);
    expect(Array.from(outlierScales)).toEqual([7, 7, 7, 7]);
    for (let c = 0; c < D; c++) {
      const signs = new Set<number>();
      for (let t = 0; t < T; t++) {
        const got = x[t * D + c]!;
        const base = Math.fround(n[t * D + c]!);
        if (!chans.includes(c)) {
          expect(got).toBe(base);
          continue;
        }
        const sigma = Math.round((got / 7 - base) / std);
        expect(Math.abs(sigma)).toBe(1);
        signs.add(sigma);
        expect(got).toBe(Math.fround(7 * (sigma * std + base)));
      }
      expect(signs.size).toBeLessThanOrEqual(1);
    }
  });

  it('default count max(1, round(D / 512)); scales drawn within [min, max]', () => {
    expect(syntheticActivationsWithInfo(1, 4, new Rng(1)).outlierChannels.length).toBe(1);
    expect(syntheticActivationsWithInfo(1, 1280, new Rng(1)).outlierChannels.length).toBe(3); // round(2.5) = 3
    const s = syntheticActivationsWithInfo(1, 64, new Rng(1), { outlierChannels: 64, outlierScaleMin: 2, outlierScaleMax: 3 }).outlierScales;
    expect(Math.min(...s)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...s)).toBeLessThanOrEqual(3);
    expect(Math.max(...s) - Math.min(...s)).toBeGreaterThan(0.5); // spread over the interval, not a constant
    expect(Array.from(syntheticActivationsWithInfo(1, 8, new Rng(1), { outlierChannels: 8 }).outlierChannels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('option checks name the option and the value', () => {
    const r = new Rng(1);
    expect(() => syntheticWeights(2, 2, r, { std: 0 })).toThrow('weight std must be a positive finite number, got 0');
    expect(() => syntheticWeights(2, 2, r, { std: Infinity })).toThrow('weight std must be a positive finite number, got Infinity');
    expect(() => syntheticWeights(0, 2, r)).toThrow('out-features M must be an integer >= 1, got 0');
    expect(() => syntheticActivations(0, 2, r)).toThrow('tokens T must be an integer >= 1, got 0');
    expect(() => syntheticActivations(1, 0, r)).toThrow('in-features D must be an integer >= 1, got 0');
    expect(() => syntheticActivations(1, 2, r, { std: -1 })).toThrow('activation std must be a positive finite number, got -1');
    expect(() => syntheticActivations(1, 2, r, { std: NaN })).toThrow('activation std must be a positive finite number, got NaN');
    expect(() => syntheticActivations(1, 2, r, { outlierScaleMin: 0 })).toThrow('outlier scales must satisfy 0 < outlierScaleMin <= outlierScaleMax, got [0, 100]');
    expect(() => syntheticActivations(1, 2, r, { outlierScaleMin: 5, outlierScaleMax: 4 })).toThrow('outlier scales must satisfy 0 < outlierScaleMin <= outlierScaleMax, got [5, 4]');
    expect(() => syntheticActivations(1, 2, r, { outlierScaleMax: Infinity })).toThrow('outlier scales must satisfy 0 < outlierScaleMin <= outlierScaleMax, got [20, Infinity]');
    expect(() => syntheticActivations(1, 2, r, { outlierChannels: -1 })).toThrow('outlierChannels must be an integer in [0, 2], got -1');
    expect(() => syntheticActivations(1, 2, r, { outlierScaleMin: 5, outlierScaleMax: 5 })).not.toThrow();
  });
});
