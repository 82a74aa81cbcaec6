import { describe, expect, it } from 'vitest';
import { asBuiltAttentionCycles, attentionFiringCosts, attentionJobCycles, resolveAttentionParams } from './index.js';

// A small GQA shape: 2 query heads share 1 KV head, head dim 32 (2 slices of 16), FP32 operator
// latencies at the package defaults: mul 4, add 4, exp 16, div 12. Every count below is derived by
// hand from the loop structure of the build's gqa/gqa.h (see the README, "Attention as built").
const P = resolveAttentionParams({ implementation: 'as-built', shape: { heads: 2, kvHeads: 1, headDim: 32 }, kvChunkPositions: 16 });
const prefill = (tokens: number) => ({ layer: 0, phase: 'prefill' as const, queryTokens: tokens, queryStart: 0 });

describe('attention as built (gqa/gqa.h loop structure)', () => {
  it('prefill of 32 tokens: 2 key blocks for every row, MAC and reduction loops apart', () => {
    const c = asBuiltAttentionCycles(P, prefill(32));
    // load_kv: 2 slices x (32 - 1 + depth 2) = 66
    expect(c.loadCycles).toBe(66);
    // QK block: compute_macc (2 - 1 + BRAM 1 + mul 4 + add 4 = 10) + reduction (7 - 1 + add 4 = 10) + final add 4 + write 1
    expect(c.qkBlockCycles).toBe(25);
    expect(c.qkRowCycles).toBe(50);
    // softmax row: exp_sum (2 - 1 + mul 4 + exp 16 + 4 tree adds 16 + sum add 4 = 41) + div 12 + send_exp (2 - 1 + mul 4 + write 1 = 6)
    expect(c.softmaxRowCycles).toBe(59);
    // AV row: 2 slices x (MAC over 2 key blocks 10 + reduction 10 + add 4 + write 1)
    expect(c.avRowCycles).toBe(50);
    // group: 2 loads 132 + one row through all tasks 159 + (2 heads x 32 rows - 1) x slowest row 59
    expect(c.groupCycles).toBe(132 + 159 + 63 * 59);
    expect(c.cycles).toBe(4008);
  });

  it('no causal skipping: 64 tokens walk 4 key blocks per row, so QK dominates and the cost grows ~quadratically', () => {
    const c = asBuiltAttentionCycles(P, prefill(64));
    // load 2 x 65 = 130; QK row 4 x 25 = 100; softmax (3 + 40) + 12 + (3 + 5) = 63; AV 2 x ((3 + 9) + 10 + 5) = 54
    expect([c.loadCycles, c.qkRowCycles, c.softmaxRowCycles, c.avRowCycles]).toEqual([130, 100, 63, 54]);
    expect(c.cycles).toBe(260 + 217 + 127 * 100);
    // the pipelined unit skips the tile pairs above the diagonal; the built one computes every block
    const pipelined = attentionJobCycles({ ...P, implementation: 'pipelined' }, prefill(64));
    expect(c.cycles).toBeGreaterThan(pipelined);
  });

  it('decode at 31 positions of history: the history sits in the on-chip buffers, only the new K/V row is loaded', () => {
    const job = { layer: 0, phase: 'decode' as const, queryTokens: 1, queryStart: 31 };
    const c = asBuiltAttentionCycles(P, job);
    // 32 keys = 2 blocks; load 2 x (0 + 2) = 4; rows 50 / 59 / 50; group 8 + 159 + (2 - 1) x 59
    expect(c.cycles).toBe(226);
    // firings: q and the two history chunks fill the buffers (1 cycle each), the last runs the tasks
    expect(attentionFiringCosts(P, job).map((f) => [f.kind, f.iiCycles, f.latencyCycles])).toEqual([
      ['q', 1, 1],
      ['kv', 1, 1],
      ['kv', 224, 224],
    ]);
    expect(attentionJobCycles(P, job)).toBe(226);
  });

  it('Qwen3-1.7B prefill of 128 tokens (8 groups x 2 heads, D = 128): 526968 cycles per layer', () => {
    // load 8 x 129 = 1032; QK row 8 x 31 = 248 (MAC 8 - 1 + 9, reduction 10, add 4, write 1);
    // softmax (7 + 40) + 12 + (7 + 5) = 71; AV 8 x (16 + 10 + 5) = 248;
    // group 2064 + 567 + 255 x 248 = 65871; 8 groups
    const c = asBuiltAttentionCycles(resolveAttentionParams({ implementation: 'as-built' }), prefill(128));
    expect(c.groupCycles).toBe(65871);
    expect(c.cycles).toBe(526968);
  });

  it('rejects an unknown implementation by name', () => {
    expect(() => resolveAttentionParams({ implementation: 'flash' as never })).toThrow(/implementation must be one of 'pipelined', 'as-built', got "flash"/);
  });
});
