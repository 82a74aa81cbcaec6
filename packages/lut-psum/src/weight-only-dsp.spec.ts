import { describe, expect, it } from 'vitest';
import { weightOnlyDspPsumLatencyCycles, weightOnlyDspPsumTileCycles, weightOnlyPsumTileCycles } from './cycle-model.js';
import { DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, DEFAULT_WEIGHT_ONLY_PSUM_PARAMS, LutPsumError, resolveWeightOnlyDspPsumParams } from './params.js';

describe('weight-only VQ, de-quantisation + DSP arithmetic (the paper\'s weight-only)', () => {
  it('II = T * ceil(v * w / DSP MACs per matcher): 2 x 512 products on 128 DSPs = 8 cycles per token', () => {
    expect(weightOnlyDspPsumTileCycles(DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, { tokens: 1, width: 512, loadsTable: true })).toBe(8);
    expect(weightOnlyDspPsumTileCycles(DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, { tokens: 3, width: 512, loadsTable: false })).toBe(24);
    // A 100-wide tile: 200 products -> ceil(200 / 128) = 2 cycles per token.
    expect(weightOnlyDspPsumTileCycles(DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, { tokens: 5, width: 100, loadsTable: true })).toBe(10);
    // All 4,162 DSPs of the V80 build over 16 matchers (260 each): ceil(1024 / 260) = 4 per token.
    expect(weightOnlyDspPsumTileCycles(resolveWeightOnlyDspPsumParams({ dspMacsPerMatcher: 260 }), { tokens: 1, width: 512, loadsTable: true })).toBe(4);
    // Twice the online-table alternate's II on the same DSPs: it adds one looked-up term per output (512 / 128 = 4).
    expect(weightOnlyPsumTileCycles(DEFAULT_WEIGHT_ONLY_PSUM_PARAMS, { tokens: 1, width: 512, loadsTable: true })).toBe(4);
  });

  it('latency = 2 fan-out stages + mux 1 + FP32 multiply 3 + 1 add of the v = 2 products 3 + 16 chained adds x 3 = 57', () => {
    expect(weightOnlyDspPsumLatencyCycles(DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS)).toBe(2 + 1 + 3 + 3 + 48);
    // v = 4: two levels of adds for the four products.
    expect(weightOnlyDspPsumLatencyCycles(resolveWeightOnlyDspPsumParams({ subvectorLength: 4 }))).toBe(2 + 1 + 3 + 6 + 48);
  });

  it('rejects bad parameters naming the field', () => {
    expect(() => resolveWeightOnlyDspPsumParams({ dspMacsPerMatcher: 0 })).toThrow(/weight-only DSP\): dspMacsPerMatcher must be an integer >= 1, got 0/);
    expect(() => resolveWeightOnlyDspPsumParams({ tableBuildMacsPerCycle: 2 } as never)).toThrow(LutPsumError);
  });
});
