import { describe, expect, it } from 'vitest';
import { DEFAULT_VQ_CONFIG, indexBitsFor, resolveVqConfig } from './config.js';
import { VqInputError } from './errors.js';

describe('VqConfig', () => {
  it('defaults are the paper configuration (DESIGN.md 1.1)', () => {
    expect(DEFAULT_VQ_CONFIG).toMatchObject({ v: 2, cA: 64, cW: 16, groupSize: 512, lutBits: 8, distance: 'chebyshev' });
    expect(resolveVqConfig()).toEqual(DEFAULT_VQ_CONFIG);
    expect(resolveVqConfig({ cW: 8, distance: 'l2sq' })).toMatchObject({ cW: 8, distance: 'l2sq', cA: 64 });
  });

  it.each([
    [{ v: 3 as 2 }, /VqConfig.v must be 2 or 4, got 3/],
    [{ cA: 300 }, /VqConfig.cA \(activation codebook size\) must be an integer in \[1, 256\], got 300/],
    [{ cW: 0 }, /VqConfig.cW \(weight codebook size\) must be an integer in \[1, 256\], got 0/],
    [{ cW: 2.5 }, /cW .* got 2.5/],
    [{ groupSize: 0 }, /groupSize must be an integer >= 1, got 0/],
    [{ lutBits: 6 as 8 }, /lutBits must be 8 or 4, got 6/],
    [{ distance: 'l1' as 'l2sq' }, /distance must be 'chebyshev' or 'l2sq', got l1/],
    [{ kmeansIters: -1 }, /kmeansIters/],
    [{ seed: -3 }, /seed/],
  ])('rejects %o', (partial, msg) => {
    expect(() => resolveVqConfig(partial)).toThrow(VqInputError);
    expect(() => resolveVqConfig(partial)).toThrow(msg);
  });

  it('rejects unknown fields (typos must not silently fall back to defaults)', () => {
    expect(() => resolveVqConfig({ ca: 32 } as never)).toThrow(/unknown field 'ca'/);
  });

  it('indexBitsFor gives ceil(log2 c)', () => {
    expect([1, 2, 3, 4, 16, 17, 64, 256].map(indexBitsFor)).toEqual([1, 1, 2, 2, 4, 5, 6, 8]);
    expect(() => indexBitsFor(257)).toThrow(/codebook size must be an integer in \[1, 256\], got 257/);
  });
});
