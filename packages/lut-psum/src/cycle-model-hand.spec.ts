// LUT-PSum cost model terms derived by hand from the formulas in cycle-model.ts and the on-chip
// primitives of @lut-llm/memory (BRAM36: 36 Kib, 72 bits wide, 2 ports, read latency 2;
// LUTRAM64: 64 x 1 bit, 1 port, latency 1).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LUT_PSUM_1D_PARAMS,
  DEFAULT_LUT_PSUM_2D_PARAMS,
  DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS,
  DEFAULT_WEIGHT_ONLY_PSUM_PARAMS,
  lutPsum1dBank,
  lutPsum1dPortAccesses,
  lutPsum2dBank,
  lutPsum2dLatencyCycles,
  lutPsum2dPortAccesses,
  lutPsum2dRegisterBits,
  resolveLutPsum2dParams,
  resolveWeightOnlyDspPsumParams,
  resolveWeightOnlyPsumParams,
  weightOnlyDspPsumLatencyCycles,
  weightOnlyPsumLatencyCycles,
} from './index.js';

describe('LUT-PSum cost terms by hand', () => {
  it('2D bank: 2 x c_a rows of c_w x lutBits bits over the partitions', () => {
    // default: 128 words of 16 x 8 = 128 bits, 4 partitions of 32 words: 2 BRAM36 wide (72 bits
    // each), one deep (512 words of 72 bits) -> 2 per partition, 8 in all; 2 ports x 4 = 8.
    expect(lutPsum2dBank('m', DEFAULT_LUT_PSUM_2D_PARAMS)).toEqual({ name: 'm.table', kind: 'bram', primitives: 8, portsPerCycle: 8, readLatencyCycles: 2 });
    // c_a 1024, one partition: 2048 words of 128 bits = 2 wide x ceil(2048 / 512) = 4 deep = 8; 2 ports.
    expect(lutPsum2dBank('m', resolveLutPsum2dParams({ activationCentroids: 1024, tablePartitions: 1 }))).toEqual({ name: 'm.table', kind: 'bram', primitives: 8, portsPerCycle: 2, readLatencyCycles: 2 });
  });

  it('1D bank: 2 x c_a x lanes words of entryBits over one partition per lane', () => {
    // 65,536 words of 32 bits over 512 partitions: 128 words each = 32 LUTRAM64 wide x 2 deep = 64 per lane.
    expect(lutPsum1dBank('m', DEFAULT_LUT_PSUM_1D_PARAMS)).toEqual({ name: 'm.table', kind: 'lutram', primitives: 64 * 512, portsPerCycle: 512, readLatencyCycles: 1 });
  });

  it('port accesses: a row per token and pass (registers) or one per output (direct), plus c_a on a table load', () => {
    const tile = { tokens: 3, width: 8, loadsTable: true };
    expect(lutPsum2dPortAccesses(DEFAULT_LUT_PSUM_2D_PARAMS, tile)).toBe(3 * 1 * 1 + 64);
    expect(lutPsum2dPortAccesses(resolveLutPsum2dParams({ rowFetch: 'direct' }), tile)).toBe(3 * 1 * 8 + 64);
    expect(lutPsum2dPortAccesses(resolveLutPsum2dParams({ rowFetch: 'direct', outputLanes: 4 }), { ...tile, loadsTable: false })).toBe(3 * 2 * 4);
    // 1D: one entry per token and output, and c_a entries per output to (re)load
    expect(lutPsum1dPortAccesses(DEFAULT_LUT_PSUM_1D_PARAMS, tile)).toBe(3 * 8 + 64 * 8);
  });

  it('row registers: matchers x copies x c_w x lutBits flip-flops, none when rows are read directly', () => {
    expect(lutPsum2dRegisterBits(DEFAULT_LUT_PSUM_2D_PARAMS)).toBe(16 * 1 * 16 * 8);
    expect(lutPsum2dRegisterBits(resolveLutPsum2dParams({ registerCopies: 4 }))).toBe(16 * 4 * 16 * 8);
    expect(lutPsum2dRegisterBits(resolveLutPsum2dParams({ rowFetch: 'direct' }))).toBe(0);
  });

  it('latency: the chain adds matchers x adder latency; fan-out stages of ceil(lanes / copies) loads at 16 per stage', () => {
    // adder latency 1 -> 2 adds 16 cycles over the 16 matchers
    expect(lutPsum2dLatencyCycles(resolveLutPsum2dParams({ adderLatencyCycles: 2 })) - lutPsum2dLatencyCycles(DEFAULT_LUT_PSUM_2D_PARAMS)).toBe(16);
    // 512 loads need 2 stages (16, 256 < 512); 512 / 4 = 128 loads need 1: one cycle less
    expect(weightOnlyPsumLatencyCycles(resolveWeightOnlyPsumParams({ registerCopies: 4 })) - weightOnlyPsumLatencyCycles(DEFAULT_WEIGHT_ONLY_PSUM_PARAMS)).toBe(-1);
    expect(weightOnlyDspPsumLatencyCycles(resolveWeightOnlyDspPsumParams({ registerCopies: 4 })) - weightOnlyDspPsumLatencyCycles(DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS)).toBe(-1);
    // direct row reads: no register fan-out (2 stages at the defaults)
    expect(lutPsum2dLatencyCycles(DEFAULT_LUT_PSUM_2D_PARAMS) - lutPsum2dLatencyCycles(resolveLutPsum2dParams({ rowFetch: 'direct' }))).toBe(2);
  });
});
