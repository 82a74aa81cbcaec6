import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { V80_ON_CHIP } from '@lut-llm/memory';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { loadPlatformConfig, PLATFORM_PRESETS } from '../platform/index.js';
import { fifoMemory } from '@lut-llm/memory';
import { estimateLinearOnChip, estimateOnChip, onChipSummary, physicalFifos, streamFifoMemory, V80_DSP58 } from './on-chip.js';

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

describe('streamFifoMemory: an emulated FIFO of whole tokens, stored as 512-bit words', () => {
  it('a narrow FIFO (token <= 64 B) is depth words of its own width', () => {
    // 1,024 x 8 B (a vec_t<float, 2> stream) = 64 bits: RAMB18 512x36 2 x 2 = 4, 1Kx18 1 x 4 = 4,
    // 2Kx9 1 x 8 = 8: 4; URAM 1 x 1 = 1, x16 = 16 > 4: 4 BRAM18.
    expect(streamFifoMemory(1024, 8)).toEqual({ kind: 'BRAM18', count: 4, label: '4 BRAM18' });
    // 65,536 x 9 B = 72 bits: RAMB18 128 x 2 = 256; URAM 16 x 1 = 16, x16 = 256 <= 256: 16 URAM.
    expect(streamFifoMemory(65536, 9)).toEqual({ kind: 'URAM', count: 16, label: '16 URAM' });
    // Up to 32 deep: an SRL, one LUT per bit (2 x 64 B: 512 LUTs; 2 x 4 B: 32).
    expect(streamFifoMemory(2, 64)).toEqual({ kind: 'LUTRAM', count: 512, label: '512 LUTs' });
    expect(streamFifoMemory(2, 4)).toEqual({ kind: 'LUTRAM', count: 32, label: '32 LUTs' });
  });

  it('a wide FIFO (a tile) is depth x ceil(width / 64) words of 512 bits', () => {
    // 2 hidden vectors of 8,192 B = 2 x 128 = 256 words (over the 32-deep SRL): RAMB18 512x36
    // 1 x ceil(512 / 36) = 15, 1Kx18 1 x 29: 15 BRAM18 (URAM 1 x 8 = 8, x16 = 128 > 15).
    expect(streamFifoMemory(2, 8192)).toEqual({ kind: 'BRAM18', count: 15, label: '15 BRAM18' });
    // The same 16 words as a 1-deep FIFO of 1,024 B: 16 words fit an SRL of 512 LUTs.
    expect(streamFifoMemory(1, 1024)).toEqual({ kind: 'LUTRAM', count: 512, label: '512 LUTs' });
    // 100 B: ceil(100 / 64) = 2 words a token: 40 tokens = 80 words: 512x36 1 x 15 = 15 BRAM18.
    expect(streamFifoMemory(40, 100)).toEqual({ kind: 'BRAM18', count: 15, label: '15 BRAM18' });
    // 44 KV chunks of 524,288 B = 44 x 8,192 = 360,448 words. RAMB18 512x36 704 x 15 = 10,560;
    // 1Kx18 352 x 29 = 10,208; 2Kx9 176 x 57 = 10,032 (the fewest); 4Kx4 88 x 128 = 11,264;
    // URAM 4Kx72 88 x 8 = 704, x16 = 11,264 > 10,032: 10,032 BRAM18. As one 4,194,304-bit word
    // it would be ceil(4,194,304 / 36) = 116,509 RAMB18 lanes.
    expect(streamFifoMemory(44, 524288)).toEqual({ kind: 'BRAM18', count: 10032, label: '10,032 BRAM18' });
    expect(fifoMemory(44, 524288).count).toBe(116509);
  });

  it("the accelerator README's worked example and figures are what the code gives", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const lines = [...readme.matchAll(/^streamFifoMemory\((\d+), (\d+)\); +\/\/ .*\{ kind: '(\w+)', count: (\d+)/gm)];
    expect(lines.length).toBe(3);
    for (const [, d, w, kind, count] of lines) expect(streamFifoMemory(Number(d), Number(w))).toMatchObject({ kind, count: Number(count) });
    const e = estimateOnChip(M17, P, { positions: 256, variant: 'co-quant' });
    expect(readme).toContain(`the ${e.fifos.count} physical streams take ${e.fifos.bram18.toLocaleString('en-US')} BRAM18 and ${e.fifos.lutramLuts.toLocaleString('en-US')} LUTs`);
  });

  it('bad input is an error naming it', () => {
    expect(() => streamFifoMemory(0, 64)).toThrow('streamFifoMemory: depth must be an integer >= 1, got 0');
    expect(() => streamFifoMemory(2, 1.5)).toThrow('streamFifoMemory: widthBytes must be an integer >= 1, got 1.5');
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
    // FIFOs (streamFifoMemory; the 42 physical streams of a one-layer decode pass, each at its
    // platform depth):
    // - 5 one-word 4-B control streams at depth 1-2 (layer-start, lm-head-start, the loaders'
    //   weights-go, centroids-go, scales-go): SRLs of 32 LUTs = 160 LUTs;
    // - 8 LUTLinear streams of 64-B tokens (activations, weight-tiles, psums, outputs, centroids,
    //   scales, accumulated at 2; activation-indices at 16): SRLs of 512 LUTs = 4,096 LUTs;
    // - 24 vectors of 4,096-16,384 B at depth 2 (hidden-size 8,192 B: the residual, norm, skip,
    //   attention input/output streams; q 8,192; k, v 4,096; attention.q 16,384): 128 to 512
    //   words, each 15 BRAM18 (512x36: 1 x 15) = 360;
    // - gate, up, swiglu.out: 2 x 24,576 B = 768 words: 512x36 2 x 15 = 30, 1Kx18 1 x 29 = 29: 3 x 29 = 87;
    // - lut-linear.out (the unit's widest output, gate_up: 49,152 B) at 2: 1,536 words: 512x36
    //   3 x 15 = 45, 1Kx18 2 x 29 = 58, 2Kx9 1 x 57: 45;
    // - logits (151,936 x 4 = 607,744 B) at 2: 18,992 words: 512x36 38 x 15 = 570, 1Kx18 19 x 29
    //   = 551, 2Kx9 10 x 57 = 570, 4Kx4 5 x 128 = 640; URAM 5 x 8 = 40, x16 = 640: 551.
    // 5 + 8 + 24 + 3 + 1 + 1 = 42 streams. Before the one mapping (depth x min(width, 64 B)),
    // every one was an SRL: 19,104 LUTs, 0 BRAM18.
    expect(e.fifos).toEqual({ count: 42, bram18: 360 + 87 + 45 + 551, uram: 0, lutramLuts: 160 + 4096 });
    // Banks: 16 matchers x 4 BRAM36 of tables = 128 BRAM18; activation indices 128 x 6144 / 2 =
    // 393,216 words of 6 bits, 36,864 / 6 = 6,144 a BRAM36: 64 BRAM36 = 128 BRAM18. 256 + the FIFOs'.
    expect(e.bram18).toBe(256 + 1043);
    expect(e.lutramLuts).toBe(4256);
    expect(e.budget).toEqual({ bram18: 2 * 3741, uram: 1925, lutramLuts: 1_287_104, dsp: V80_DSP58 });
    expect(V80_DSP58).toBe(V80_ON_CHIP.dsp58);
    expect(e.problems).toEqual([]);
    expect(onChipSummary(e)).toBe('1,299 of 7,482 BRAM18 (17%), 371 of 1,925 URAM (19%), 4,256 of 1,287,104 LUTRAM LUTs (0%), 2,560 of 10,848 DSP58 (24%)');
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
