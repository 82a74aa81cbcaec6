// Cycle counts of the pipelined attention unit derived by hand from the cycle model's formulas
// (cycle-model.ts) on a small shape, where every tile pair can be listed, and the same job run
// through the engine (the actor's firings chained by its carry loop).
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import type { AttentionJob } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import {
  attentionBlockCycles,
  attentionFiringCosts,
  attentionJobCycles,
  attentionPortWidths,
  attentionTailCycles,
  invokeAttention,
  normalizationCycles,
  resolveAttentionParams,
  splitKReductionCycles,
} from './index.js';

// H = 4 query heads on 2 KV heads, D = 16; 64 MACs per cycle in QK^T and PV, 2 exp per cycle, one
// reciprocal; query tiles of 9 rows, KV tiles of 8 positions, history chunks of 32; latencies at
// the defaults (mul 4, add 4, exp 16, div 12). For a pair of r rows x c positions, online:
//   QK^T    r c D H / 64 = r c
//   softmax (r c H + r H) / 2 = 2 r (c + 1)
//   PV      (r c D H + r H D) / 64 = r (c + 1)
// so softmax bounds every pair: cycles = 2 r (c + 1).
const P = resolveAttentionParams({ shape: { heads: 4, kvHeads: 2, headDim: 16 }, qkMacsPerCycle: 64, pvMacsPerCycle: 64, queryTileRows: 9, kvTilePositions: 8, kvChunkPositions: 32 });
// Prefill of 12 tokens at positions 40..51 after a 40-position history.
const prefill: AttentionJob = { layer: 0, phase: 'prefill', queryTokens: 12, queryStart: 40 };

describe('pipelined unit by hand: prefill of 12 tokens after 40 positions (small shape)', () => {
  it('the new tokens\' own block (positions 40..51): 4 tile pairs, one of them a single visible column', () => {
    // Row tile 0 (tokens 0..8, last sees position 48): KV tiles 40..47 (c 8) and 48..51 (c 4; its
    // first position 48 is exactly the last visible one, so it is computed). Row tile 1 (tokens
    // 9..11, r 3, last sees 51): c 8 and c 4. Pairs (9, 8), (9, 4), (3, 8), (3, 4):
    //   QK 72 + 36 + 24 + 12 = 144; PV 81 + 45 + 27 + 15 = 168; softmax = cycles = 2 x 168 = 336.
    const b = attentionBlockCycles(P, { queryTokens: 12, queryStart: 40, positionStart: 40, positions: 12, algorithm: 'online' });
    expect(b).toEqual({ tilePairs: 4, qkCycles: 144, softmaxCycles: 336, pvCycles: 168, cycles: 336, qkMacs: 144 * 64 });
  });

  it('a history chunk is never skipped: chunk 0..31 is 2 x 4 full pairs, 864 cycles; chunk 32..39 two pairs, 216', () => {
    // Chunk 0: 4 KV tiles of 8 for each row tile: 4 x 2 x 9 x 9 + 4 x 2 x 3 x 9 = 648 + 216 = 864.
    expect(attentionBlockCycles(P, { queryTokens: 12, queryStart: 40, positionStart: 0, positions: 32, algorithm: 'online' }).cycles).toBe(864);
    // Chunk 1 (8 positions): (9, 8) and (3, 8): 162 + 54 = 216.
    expect(attentionBlockCycles(P, { queryTokens: 12, queryStart: 40, positionStart: 32, positions: 8, algorithm: 'online' }).tilePairs).toBe(2);
  });

  it('tail: fill 48 + normalisation 64 (prefill: no split-K merge); firings 336, 864, 216 + 112; job 1528', () => {
    // Fill: mul 4 + log2(16) = 4 adds x 4 + mul 4 + exp 16 + mul 4 + add 4 = 48.
    // Normalisation: div 12 + max(4 heads x 12 tokens / 1 = 48 reciprocals, 48 x 16 / 64 = 12) + mul 4 = 64.
    expect(attentionTailCycles(P, prefill)).toBe(112);
    expect(attentionFiringCosts(P, prefill).map((f) => [f.kind, f.positionStart, f.positions, f.iiCycles, f.latencyCycles])).toEqual([
      ['q', 40, 12, 336, 336],
      ['kv', 0, 32, 864, 864],
      ['kv', 32, 8, 216, 216 + 112],
    ]);
    expect(attentionJobCycles(P, prefill)).toBe(336 + 864 + 216 + 112);
  });

  it('through the engine: q at 0, chunk 0 at 336 (the carry), chunk 1 at 1200; out readable at 1200 + 328 = 1528, run 1529', () => {
    const w = attentionPortWidths({ ...P, jobs: [prefill] });
    const g = new GraphBuilder('attention-hand');
    const q = g.stream('q', { depth: 1, widthBytes: w['q']! });
    const kv = g.stream('kv', { depth: 2, widthBytes: w['kv']! });
    const out = g.stream('out', { depth: 1, widthBytes: w['out']! });
    g.invoke(sourceActor({ name: 'q-src', count: 1, widthBytes: w['q']!, meta: () => ({ ...prefill }) }), { out: { out: q } });
    const chunks = [[0, 32, 0], [32, 8, 1]] as const;
    g.invoke(sourceActor({ name: 'kv-src', count: 2, widthBytes: w['kv']!, meta: (i) => ({ layer: 0, positionStart: chunks[i]![0], positions: chunks[i]![1], chunk: chunks[i]![2], chunks: 2 }) }), { out: { out: kv } });
    invokeAttention(g, 'att', { ...P, jobs: [prefill] }, { q, out, kv });
    g.invoke(sinkActor({ name: 'sink', widthBytes: w['out']! }), { in: { in: out } });
    const r = runGraph(g.build());
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([1528]);
    expect(r.cycles).toBe(1529);
  });
});

describe('pipelined unit by hand: decode at position 40 (small shape), split-K and sequential', () => {
  const decode: AttentionJob = { layer: 3, phase: 'decode', queryTokens: 1, queryStart: 40 };
  it('split-K: each block one tile of all its positions; q 2, chunks 64 and 16; tail 48 + merge 30 + normalisation 20; job 180', () => {
    // One row (r 1), c = the block's positions, no online terms: QK c, softmax 4 c / 2 = 2 c, PV c.
    // q block (c 1): 2; chunk 0..31: 64; chunk 32..39: 16.
    // Merge of 3 partials: exp 16 + max(ceil(4 x 3 / 2) = 6, ceil(12 x 16 / 64) = 3) + mul 4 + add 4 = 30.
    // Normalisation: div 12 + max(4 / 1, ceil(4 x 16 / 64) = 1) + mul 4 = 20.
    expect(splitKReductionCycles(P, 1, 3)).toBe(30);
    expect(normalizationCycles(P, 1)).toBe(20);
    expect(attentionFiringCosts(P, decode).map((f) => [f.kind, f.iiCycles, f.latencyCycles])).toEqual([
      ['q', 2, 2],
      ['kv', 64, 64],
      ['kv', 16, 16 + 98],
    ]);
    expect(attentionJobCycles(P, decode)).toBe(180);
  });
  it('sequential: online tiles of 8 with the rescale terms; q 4, chunks 4 x 18 and 18; tail 48 + 20; job 162', () => {
    // r 1: a pair costs 2 (c + 1). q block (c 1): 4; chunk 0..31: 4 tiles of 8, 4 x 18 = 72; chunk 32..39: 18.
    const seq = resolveAttentionParams({ ...P, decodeSplitK: false });
    expect(attentionFiringCosts(seq, decode).map((f) => f.iiCycles)).toEqual([4, 72, 18]);
    expect(attentionTailCycles(seq, decode)).toBe(68);
    expect(attentionJobCycles(seq, decode)).toBe(162);
  });
  it('port widths (FP32): q 12 x (64 + 2 x 32) x 4 = 6144 B, out 12 x 64 x 4 = 3072, kv 32 x 2 x 32 x 4 = 8192, carry 12 x 4 x 18 x 4 = 3456', () => {
    expect(attentionPortWidths({ ...P, jobs: [prefill, decode] })).toEqual({ q: 6144, out: 3072, kv: 8192, carryIn: 3456, carryOut: 3456 });
    // No history: no kv port, no carry; one token of 1 x (64 + 64) x 4.
    expect(attentionPortWidths({ ...P, jobs: [{ ...decode, queryStart: 0 }] })).toEqual({ q: 512, out: 256 });
  });
});

/** q source (one token per job, metadata as given) + kv source (chunks as given) -> attention -> sink, timing mode. */
function unitGraph(jobs: readonly AttentionJob[], qMetas: readonly object[], kvMetas: readonly object[]) {
  const params = { ...P, jobs };
  const w = attentionPortWidths(params);
  const g = new GraphBuilder('attention-checks');
  const q = g.stream('q', { depth: 4, widthBytes: w['q']! });
  const out = g.stream('out', { depth: 4, widthBytes: w['out']! });
  g.invoke(sourceActor({ name: 'q-src', count: qMetas.length, widthBytes: w['q']!, meta: (i) => ({ ...qMetas[i]! }) }), { out: { out: q } });
  const kv = g.stream('kv', { depth: 4, widthBytes: w['kv']! });
  g.invoke(sourceActor({ name: 'kv-src', count: kvMetas.length, widthBytes: w['kv']!, meta: (i) => ({ ...kvMetas[i]! }) }), { out: { out: kv } });
  invokeAttention(g, 'att', params, { q, out, kv });
  g.invoke(sinkActor({ name: 'sink', widthBytes: w['out']! }), { in: { in: out } });
  return g.build();
}

describe('the actor checks every field of its tokens against its schedule', () => {
  // Job 0: decode of layer 3 at 40 (q, chunks 0..31 and 32..39); job 1: prefill of 2 tokens of layer 4 at 0 (q only).
  const jobs: AttentionJob[] = [
    { layer: 3, phase: 'decode', queryTokens: 1, queryStart: 40 },
    { layer: 4, phase: 'prefill', queryTokens: 2, queryStart: 0 },
  ];
  const chunk = (positionStart: number, positions: number, layer = 3) => ({ layer, positionStart, positions });
  const kvs = [chunk(0, 32), chunk(32, 8)];
  it('outputs carry the job, its index and whether it is the last job', () => {
    const r = runGraph(unitGraph(jobs, jobs, kvs));
    expect(r.sinks['sink']!.map((t) => t.meta)).toEqual([
      { ...jobs[0], index: 0, last: false },
      { ...jobs[1], index: 1, last: true },
    ]);
  });
  it('a q token of another layer, phase or position; a chunk of another layer or start', () => {
    const qErr = (got: string) => `attention 'att': firing 3 expects the q token of job 1 (layer 4 prefill, 2 token(s) at position 0) but got ${got}`;
    expect(() => runGraph(unitGraph(jobs, [jobs[0]!, { ...jobs[1]!, layer: 5 }], kvs))).toThrow(qErr('layer 5 prefill, 2 token(s) at position 0'));
    expect(() => runGraph(unitGraph(jobs, [jobs[0]!, { ...jobs[1]!, phase: 'decode' }], kvs))).toThrow(qErr('layer 4 decode, 2 token(s) at position 0'));
    expect(() => runGraph(unitGraph(jobs, [jobs[0]!, { ...jobs[1]!, queryStart: 1 }], kvs))).toThrow(qErr('layer 4 prefill, 2 token(s) at position 1'));
    const kvErr = (got: string) => `attention 'att': firing 2 expects history chunk 1 of job 0 (layer 3, positions 32..39) but got ${got} (KV chunk sizes must agree: kvChunkPositions = 32)`;
    expect(() => runGraph(unitGraph(jobs, jobs, [kvs[0]!, chunk(32, 8, 2)]))).toThrow(kvErr('layer 2, positions 32 + 8'));
    expect(() => runGraph(unitGraph(jobs, jobs, [kvs[0]!, chunk(31, 8)]))).toThrow(kvErr('layer 3, positions 31 + 8'));
  });
});

describe('merge and normalisation when the PV engine is the bound (16 MACs per cycle)', () => {
  const slowPv = resolveAttentionParams({ ...P, pvMacsPerCycle: 16, reciprocalsPerCycle: 4 });
  it('merge of 3 partials for 2 query tokens: n = 4 heads x 2 x 3 = 24; exp 16 + max(24 / 2 = 12, 24 x 16 / 16 = 24) + 4 + 4 = 48', () => {
    expect(splitKReductionCycles(slowPv, 2, 3)).toBe(48);
  });
  it('normalisation of 2 tokens: rows 8; div 12 + max(8 / 4 = 2, 8 x 16 / 16 = 8) + mul 4 = 24', () => {
    expect(normalizationCycles(slowPv, 2)).toBe(24);
  });
});
