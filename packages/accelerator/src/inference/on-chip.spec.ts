import { describe, expect, it } from 'vitest';
import { V80_ON_CHIP } from '@lut-llm/memory';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { loadPlatformConfig, PLATFORM_PRESETS } from '../platform/index.js';
import { estimateLinearOnChip, estimateOnChip, onChipSummary, physicalFifos, V80_DSP58 } from './on-chip.js';

const M17 = QWEN3_CONFIGS['Qwen3-1.7B']!;
const P = PLATFORM_PRESETS['v80-int4-250'];

describe('physicalFifos', () => {
  it('merges per-layer copies and the LUTLinear ops\' streams, keeping the largest depth and width; state FIFOs are not streams', () => {
    const m = physicalFifos([
      { name: 'L0.qkv.activations', depth: 2, widthBytes: 64 },
      { name: 'L1.o.activations', depth: 4, widthBytes: 32 },
      { name: 'lm_head.activations', depth: 2, widthBytes: 128 },
      { name: 'L0.q', depth: 2, widthBytes: 1024 },
      { name: 'L3.q', depth: 2, widthBytes: 1024 },
      { name: 'L0.qkv.accumulator.buffer', depth: 297, widthBytes: 64 },
      { name: 'kv-prefetcher.kv', depth: 4, widthBytes: 524288 },
    ]);
    expect([...m]).toEqual([
      ['lut-linear.activations', { depth: 4, widthBytes: 128 }],
      ['q', { depth: 2, widthBytes: 1024 }],
    ]);
  });
});

describe('estimateOnChip (V80 device budget)', () => {
  it('Qwen3-1.7B on the public build fits; each count derived by hand', () => {
    const e = estimateOnChip(M17, P, { positions: 256, variant: 'co-quant' });
    // URAM: accumulator 128 tokens x 512 lanes x 32 bits = 16384 bits / 72 = 228 lanes, 128 words deep (one URAM each);
    // activations 128 x 6144 FP32, 32-bit words, 288 Ki / 32 = 9216 words per URAM -> ceil(786432 / 9216) = 86;
    // attention K/V of MAX_KV_LEN 256 x 2 x 8 heads = 4096 words of 128 x 32 = 4096 bits -> 57 lanes, 4096 deep = 57.
    expect(e.uram).toBe(228 + 86 + 57);
    // DSP: 16 BPCSUs x 64 dPEs x v = 2 FP32 subtracts = 2048, + the attention's 256 QK + 256 PV MACs.
    expect(e.dsp).toBe(2048 + 512);
    // Every stream is at most 32 deep, so each is an SRL of one LUT per bit of its (capped) word.
    expect(e.fifos.bram18 + e.fifos.uram).toBe(0);
    expect(e.fifos.lutramLuts % 8).toBe(0);
    expect(e.budget).toEqual({ bram18: 2 * 3741, uram: 1925, lutramLuts: 1_287_104, dsp: V80_DSP58 });
    expect(V80_DSP58).toBe(V80_ON_CHIP.dsp58);
    expect(e.problems).toEqual([]);
    expect(onChipSummary(e)).toMatch(/^\d+ of 7,482 BRAM18 \(\d+%\), 371 of 1,925 URAM \(19%\), [\d,]+ of 1,287,104 LUTRAM LUTs \(\d+%\), 2,560 of 10,848 DSP58 \(24%\)$/);
  });

  it('names what does not fit and by how much: the same design on a device with 100 URAM', () => {
    const small = loadPlatformConfig({ name: 'small', onChip: { uram288: 100 } }, { base: P });
    const e = estimateOnChip(M17, small, { positions: 256, variant: 'co-quant' });
    // 371 URAM needed (above), 100 available: 271 over, 3.71x.
    expect(e.problems).toEqual(['on-chip URAM: 371 needed (estimate), the platform has 100: 271 over (3.71x)']);
  });

  it('a FIFO set deep enough moves from LUTRAM to block RAM and is counted (2^20 x 64 B = 29,184 BRAM18)', () => {
    const deep = loadPlatformConfig({ name: 'deep', fifoDepthOverrides: { activations: 2 ** 20 } }, { base: P });
    const base = estimateOnChip(M17, P, { positions: 256, variant: 'co-quant' });
    const e = estimateOnChip(M17, deep, { positions: 256, variant: 'co-quant' });
    // One stream (the LUTLinear ops' activations merge into the unit's), 2^20 words of 512 bits (the capped word).
    // fifoMemory: RAMB18 aspects 512x36: 2048 x 15 = 30,720; 1Kx18: 1024 x 29 = 29,696; 2Kx9: 512 x 57 = 29,184;
    // 4Kx4, 8Kx2, 16Kx1: 32,768 each -> 29,184 BRAM18; URAM 256 deep x 8 wide = 2048, not <= 29,184 / 16: BRAM18.
    // It replaces an SRL of 512 LUTs (depth 2 x 64 B).
    expect(e.bram18 - base.bram18).toBe(29_184);
    expect(base.lutramLuts - e.lutramLuts).toBe(512);
    const need = base.bram18 + 29_184;
    expect(e.problems).toEqual([`on-chip BRAM18: ${need.toLocaleString('en-US')} needed (estimate), the platform has 7,482: ${(need - 7482).toLocaleString('en-US')} over (${(need / 7482).toFixed(2)}x)`]);
  });

  it('linear: the LUTLinear unit alone, sized for its op', () => {
    // 2048 x 2048 GEMV: tables as above, accumulator 1 token x 512 x 32 bits = 228 URAM lanes,
    // activations 1 x 2048 FP32 = 1 URAM; DSP only the 2048 dPE subtracts (co-quant).
    const e = estimateLinearOnChip(P, 2048, 2048, 1, 'co-quant');
    expect(e.uram).toBe(228 + 1);
    expect(e.dsp).toBe(2048);
    expect(e.fifos.count).toBe(0);
    // weight-only (dsp-dequant): its PSum's 16 matchers x 128 FP32 MAC DSPs, and one DSPFP32 per accumulator lane
    // (DEFAULT_FP32_ACCUMULATOR_PARAMS: 128 lanes); its codebooks sit in registers: no table memory.
    const wo = estimateLinearOnChip(P, 2048, 2048, 1, 'weight-only');
    expect(wo.dsp).toBe(2048 + 16 * 128 + 128);
    expect(wo.banks.some((b) => b.name.startsWith('lut-psum.tables'))).toBe(false);
    // activation-only: 1D tables, per matcher 2 x 64 x 512 entries of 32 bits in LUTRAM, partitioned per output lane:
    // 512 lanes x (2 x 64 = 128 words of 32 bits: 32 LUT lanes x 2 deep) = 32,768 LUTs per matcher, x 16 = 524,288
    // (the PSum LUTRAM that \`linear\` prints for it).
    expect(estimateLinearOnChip(P, 2048, 2048, 1, 'activation-only').lutramLuts).toBe(524_288);
  });
});
