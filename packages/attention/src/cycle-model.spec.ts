import { describe, expect, it } from 'vitest';
import {
  attentionBlockCycles,
  attentionFiringCosts,
  attentionJobCycles,
  attentionKvHistoryBytes,
  attentionKvReadCycles,
  attentionPipelineFillCycles,
  attentionTailCycles,
  DEFAULT_ATTENTION_PARAMS as P,
  normalizationCycles,
  resolveAttentionParams,
  splitKReductionCycles,
} from './index.js';

describe('attention cycle model (hand-computed at the defaults: 16 heads, D = 128, 256 + 256 MACs, 2 exp/cycle)', () => {
  it('pipeline fill = mul + log2(128) adds + mul + exp + mul + add = 4 + 28 + 4 + 16 + 4 + 4', () => {
    expect(attentionPipelineFillCycles(P)).toBe(60);
  });

  it('decode chunk of 64 positions: QK 64*128*16/256 = 512, softmax 64*16/2 = 512, PV 512 -> 512 cycles', () => {
    const b = attentionBlockCycles(P, { queryTokens: 1, queryStart: 128, positionStart: 0, positions: 64, algorithm: 'split-k' });
    expect(b).toEqual({ tilePairs: 1, qkCycles: 512, softmaxCycles: 512, pvCycles: 512, cycles: 512, qkMacs: 64 * 128 * 16 });
  });

  it('decode at history 128: q firing 8 + 2 chunks x 512 + fill 60 + split-K merge of 3 partials 48 + normalisation 32 = 1172', () => {
    const job = { layer: 0, phase: 'decode' as const, queryTokens: 1, queryStart: 128 };
    // merge: exp 16 + max(ceil(16*3/2) = 24, ceil(16*3*128/256) = 24) + mul 4 + add 4 = 48
    expect(splitKReductionCycles(P, 1, 3)).toBe(48);
    // normalisation: div 12 + max(16 reciprocals, 16*128/256 = 8) + mul 4 = 32
    expect(normalizationCycles(P, 1)).toBe(32);
    expect(attentionTailCycles(P, job)).toBe(60 + 48 + 32);
    expect(attentionFiringCosts(P, job).map((f) => [f.kind, f.iiCycles, f.latencyCycles])).toEqual([
      ['q', 8, 8],
      ['kv', 512, 512],
      ['kv', 512, 512 + 140],
    ]);
    expect(attentionJobCycles(P, job)).toBe(1172);
  });

  it('prefill skips tiles above the causal diagonal: 32 tokens with 16 x 16 tiles computes 3 of 4 pairs', () => {
    const p = resolveAttentionParams({ queryTileRows: 16, kvTilePositions: 16 });
    const b = attentionBlockCycles(p, { queryTokens: 32, queryStart: 0, positionStart: 0, positions: 32, algorithm: 'online' });
    // per pair: QK 16*16*128*16/256 = 2048; softmax (16*16*16 + 16*16)/2 = 2176; PV (524288 + 16*16*128)/256 = 2176
    expect(b).toEqual({ tilePairs: 3, qkCycles: 3 * 2048, softmaxCycles: 3 * 2176, pvCycles: 3 * 2176, cycles: 3 * 2176, qkMacs: 3 * 16 * 16 * 128 * 16 });
  });

  it('partial tiles cost their actual size (variable trip counts), not the full tile', () => {
    const b = attentionBlockCycles(P, { queryTokens: 5, queryStart: 100, positionStart: 0, positions: 10, algorithm: 'online' });
    // one pair of 5 rows x 10 positions: QK 5*10*128*16/256 = 400; softmax (800 + 80)/2 = 440; PV (102400 + 10240)/256 = 440
    expect(b.cycles).toBe(440);
  });

  it('KV bytes from HBM: 8 KV heads x 128 x 2 (K, V) x 4 B = 8 KiB per position; 2048 positions over 64 B/cycle = 262144 cycles', () => {
    const job = { layer: 3, phase: 'decode' as const, queryTokens: 1, queryStart: 2048 };
    expect(attentionKvHistoryBytes(P.shape, job, 4)).toBe(2048 * 8192);
    expect(attentionKvReadCycles(P, job, 64, 4)).toBe(262144);
    expect(attentionKvReadCycles(P, { ...job, queryStart: 100 }, 64, 2)).toBe(Math.ceil((64 * 4096) / 64) + Math.ceil((36 * 4096) / 64));
  });
});

describe('FlashDecoding split-K vs sequential decode: hand-derived job cycles', () => {
  // Qwen3-1.7B (H 16, D 128), defaults (256 MACs/cycle for QK and PV, 2 exp/cycle, chunks and KV
  // tiles of 64, fmul 4, fadd 4, exp 16, div 12); one decode token at position 128 (2 history chunks).
  // Split-K: q block (1 position): QK ceil(2048/256) = 8, softmax ceil(16/2) = 8, PV 8 -> 8.
  //   Each chunk of 64, one tile: QK 131072/256 = 512, softmax 1024/2 = 512, PV 512 -> 512 (x 2).
  //   Tail: fill 4 + 7 x 4 + 4 + 16 + 4 + 4 = 60; reduction of 3 partials: 16 + max(48/2, 48 x 128/256) + 4 + 4 = 48;
  //   normalisation 12 + max(16, 8) + 4 = 32.  Job = 8 + 1024 + 60 + 48 + 32 = 1172.
  // Sequential (online, the rescale costs r H exps and r H D MACs per tile): q block: softmax
  //   ceil((16 + 16)/2) = 16, PV ceil((2048 + 2048)/256) = 16 -> 16; each chunk: softmax
  //   ceil((1024 + 16)/2) = 520, PV ceil((131072 + 2048)/256) = 520 -> 520 (x 2); tail 60 + 32 = 92.
  //   Job = 16 + 1040 + 92 = 1148.
  const job = { layer: 0, phase: 'decode' as const, queryTokens: 1, queryStart: 128 };
  it('split-K 1172 cycles, sequential 1148', () => {
    expect(attentionJobCycles(resolveAttentionParams({}), job)).toBe(1172);
    expect(attentionJobCycles(resolveAttentionParams({ decodeSplitK: false }), job)).toBe(1148);
  });
});
