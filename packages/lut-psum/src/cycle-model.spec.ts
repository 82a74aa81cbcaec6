import { describe, expect, it } from 'vitest';
import {
  fanoutStages,
  lutPsum1dBank,
  lutPsum1dLatencyCycles,
  lutPsum1dTileCycles,
  lutPsum2dBank,
  lutPsum2dLatencyCycles,
  lutPsum2dPortAccesses,
  lutPsum2dRegisterBits,
  lutPsum2dTileCycles,
  weightOnlyPsumLatencyCycles,
  weightOnlyPsumTileCycles,
} from './cycle-model.js';
import {
  DEFAULT_LUT_PSUM_1D_PARAMS,
  DEFAULT_LUT_PSUM_2D_PARAMS,
  DEFAULT_WEIGHT_ONLY_PSUM_PARAMS,
  LutPsumError,
  resolveLutPsum2dParams,
  resolveWeightOnlyPsumParams,
} from './params.js';

const P2 = DEFAULT_LUT_PSUM_2D_PARAMS;

describe('2D LUT-PSum cycle model (hand-derived)', () => {
  it('latency: BRAM read 2 + fan-out of 512 muxes from one register set (2 stages at 16) + mux 1 + 16 adders = 21', () => {
    expect(fanoutStages(512, 16)).toBe(2);
    expect(lutPsum2dLatencyCycles(P2)).toBe(2 + 2 + 1 + 16);
  });

  it('register replication trades flip-flops for fan-out: 32 copies drive 16 muxes each, no replication stage', () => {
    const p = resolveLutPsum2dParams({ registerCopies: 32 });
    expect(lutPsum2dLatencyCycles(p)).toBe(2 + 0 + 1 + 16);
    expect(lutPsum2dRegisterBits(p)).toBe(32 * lutPsum2dRegisterBits(P2));
    expect(lutPsum2dRegisterBits(P2)).toBe(16 * 1 * 16 * 8);
  });

  it('II = T per tile of <= 512 outputs; a 1024-wide tile takes two passes', () => {
    expect(lutPsum2dTileCycles(P2, { tokens: 1, width: 512, loadsTable: true })).toBe(1);
    expect(lutPsum2dTileCycles(P2, { tokens: 7, width: 300, loadsTable: true })).toBe(7);
    expect(lutPsum2dTileCycles(P2, { tokens: 7, width: 1024, loadsTable: true })).toBe(14);
  });

  it('port accesses: one row read per token (+ 64 row writes for a new table) vs one read per lane when rows are not copied', () => {
    expect(lutPsum2dPortAccesses(P2, { tokens: 1, width: 512, loadsTable: true })).toBe(1 + 64);
    expect(lutPsum2dPortAccesses(P2, { tokens: 5, width: 512, loadsTable: false })).toBe(5);
    const direct = resolveLutPsum2dParams({ rowFetch: 'direct' });
    expect(lutPsum2dPortAccesses(direct, { tokens: 1, width: 512, loadsTable: true })).toBe(512 + 64);
    expect(lutPsum2dLatencyCycles(direct)).toBe(2 + 1 + 16);
  });

  it('the table bank: 4 cyclic partitions of dual-port BRAM = 8 accesses per cycle', () => {
    const bank = lutPsum2dBank('m', P2);
    expect(bank.portsPerCycle).toBe(8);
    expect(bank.kind).toBe('bram');
  });
});

describe('1D (activation-only) and weight-only cycle models', () => {
  it('1D: LUTRAM read 1 + 16 FP32 adders of 3 cycles = 49; II = T * 512 / 128 lanes', () => {
    expect(lutPsum1dLatencyCycles(DEFAULT_LUT_PSUM_1D_PARAMS)).toBe(49);
    expect(lutPsum1dTileCycles(DEFAULT_LUT_PSUM_1D_PARAMS, { tokens: 3, width: 512, loadsTable: true })).toBe(12);
    expect(lutPsum1dBank('m', DEFAULT_LUT_PSUM_1D_PARAMS).portsPerCycle).toBe(512);
  });

  it('weight-only: 2 FP32 multiplies (6) + 2 fan-out stages + mux 1 + 16 x 3 = 57; II = T * max(4 add passes, 1 table build)', () => {
    expect(weightOnlyPsumLatencyCycles(DEFAULT_WEIGHT_ONLY_PSUM_PARAMS)).toBe(57);
    expect(weightOnlyPsumTileCycles(DEFAULT_WEIGHT_ONLY_PSUM_PARAMS, { tokens: 3, width: 512, loadsTable: true })).toBe(12);
    const slowBuild = resolveWeightOnlyPsumParams({ tableBuildMacsPerCycle: 4 });
    expect(weightOnlyPsumTileCycles(slowBuild, { tokens: 3, width: 512, loadsTable: true })).toBe(3 * 8);
  });

  it('rejects bad parameters with the field named', () => {
    expect(() => resolveLutPsum2dParams({ matchers: 0 })).toThrow(LutPsumError);
    expect(() => resolveLutPsum2dParams({ lutBits: 6 as 8 })).toThrow(/lutBits must be 8 or 4/);
    expect(() => resolveLutPsum2dParams({ registerCopies: 1024 })).toThrow(/registerCopies \(1024\) must be <= outputLanes/);
    expect(() => resolveLutPsum2dParams({ bogus: 1 } as never)).toThrow(/unknown parameter 'bogus'/);
  });
});
