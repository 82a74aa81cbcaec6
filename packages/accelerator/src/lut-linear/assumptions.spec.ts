import { describe, expect, it } from 'vitest';
import { resolveLutLinearConfig } from './options.js';
import { lutLinearAssumptions, V80_BUILD_RESOURCES } from './assumptions.js';
import { compareLutLinearVariants } from './run.js';
import { formatLutLinearComparison } from './format.js';

describe('variant assumptions under the V80 build budget', () => {
  const cfg = (o: object) => resolveLutLinearConfig({ outFeatures: 2048, inFeatures: 2048, ...o });

  it('PSum DSPs: co-quant 16 x 512 / 4 = 2048 (INT lanes packed 4 per DSP58); the FP32 variants 16 x 128 = 2048 (iso-DSP); the LUT alternate + 16 x 32 table-build MACs = 2560', () => {
    expect(lutLinearAssumptions(cfg({ variant: 'co-quant' })).dsps).toBe(2048);
    expect(lutLinearAssumptions(cfg({ variant: 'weight-only' })).dsps).toBe(2048);
    expect(lutLinearAssumptions(cfg({ variant: 'activation-only' })).dsps).toBe(2048);
    expect(lutLinearAssumptions(cfg({ variant: 'weight-only', weightOnlyImplementation: 'online-table' }))).toMatchObject({ label: 'weight-only-lut', dsps: 2560 });
    for (const v of ['co-quant', 'weight-only', 'activation-only'] as const) expect(lutLinearAssumptions(cfg({ variant: v })).dsps).toBeLessThanOrEqual(V80_BUILD_RESOURCES.dsps);
  });

  it('table storage: co-quant 256 BRAM18, activation-only 524,288 LUTRAM LUTs, weight-only registers only', () => {
    // co-quant, per matcher: 2 x 64 rows of 16 x 8 = 128 bits, 4 cyclic partitions of 32 rows;
    // a 72-bit-wide BRAM36 holds a row in 2 lanes, 32 rows deep -> 2 BRAM36 per partition, 8 per
    // matcher = 16 BRAM18; x 16 matchers = 256 BRAM18.
    expect(lutLinearAssumptions(cfg({ variant: 'co-quant' }))).toMatchObject({ bram18: 256, uram: 0, lutramLuts: 0 });
    // activation-only, per matcher: 512 lane banks of 2 x 64 entries x 32 bits; a LUTRAM64 is
    // 64 x 1 bit, so 32 bit-lanes x 2 = 64 LUTs per lane, 32,768 per matcher; x 16 = 524,288 LUTs
    // (41% of the build's 1.27 M).
    expect(lutLinearAssumptions(cfg({ variant: 'activation-only' }))).toMatchObject({ bram18: 0, lutramLuts: 524_288 });
    // weight-only: 16 matchers x 2 (ping-pong) x 16 x 2 FP32 codebook entries in flip-flops.
    expect(lutLinearAssumptions(cfg({ variant: 'weight-only' }))).toMatchObject({ bram18: 0, lutramLuts: 0, registerBits: 16 * 2 * 16 * 2 * 32 });
  });

  it('linear --variant all prints each variant\'s bound, bits per weight and budget beside its cycles', () => {
    const reports = compareLutLinearVariants({ outFeatures: 512, inFeatures: 128 });
    expect(reports.map((r) => r.assumptions.label)).toEqual(['co-quant', 'weight-only', 'activation-only', 'weight-only-lut']);
    const text = formatLutLinearComparison(reports);
    expect(text).toMatch(/\n\s+co-quant\s+weight-only\s+activation-only\s+weight-only-lut\n/);
    expect(text).toMatch(/\nbits streamed \/ weight\s+10\s+3\s+1024\s+3\n/);
    expect(text).toMatch(/\nPSum DSPs \(of 4,162\)\s+2,048\s+2,048\s+2,048\s+2,560\n/);
    expect(text).toContain('budget: the public V80 build\'s resource report');
    expect(text).toMatch(/\n {2}weight-only: codebook de-quantisation \(16:1 mux\) \+ 2 FP32 MACs per weight sub-vector on 128 DSPs per matcher/);
  });
});
