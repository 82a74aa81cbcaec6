// Exact messages of the attention unit's argument checks, and small cases computable by hand:
// with all-zero queries every score is 0, so each query averages the values it may see.
import { GraphBuilder } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import {
  attendHistoryChunk,
  attentionJobFp32,
  beginAttentionJob,
  checkKvBlock,
  checkQueries,
  emptySoftmaxState,
  finalizeSoftmaxState,
  finishAttentionJob,
  historyChunks,
  invokeAttention,
  mergeSoftmaxStates,
  resolveAttentionParams,
  validateAttentionJob,
  validateAttentionShape,
} from './index.js';

const f32 = (...v: number[]) => Float32Array.from(v);
const shape = { heads: 1, kvHeads: 1, headDim: 2 };
const P = resolveAttentionParams({ shape, maxContextPositions: 4 });

describe('attention by hand (zero queries: uniform weights over the visible keys)', () => {
  it('prefill of 2 tokens at 0 (causal): token 0 sees v0, token 1 the mean of v0 and v1', () => {
    const out = attentionJobFp32({ layer: 0, phase: 'prefill', queryTokens: 2, queryStart: 0 }, new Float32Array(4), f32(1, 2, 3, 4), f32(2, 4, 6, 8), P);
    expect(Array.from(out)).toEqual([2, 4, 4, 6]);
  });
  it('decode at position 3 (history 0..2 + the token): the mean of 4 values, split-K and sequential alike', () => {
    for (const decodeSplitK of [true, false]) {
      const p = resolveAttentionParams({ shape, maxContextPositions: 4, decodeSplitK, kvChunkPositions: 2 });
      const out = attentionJobFp32({ layer: 1, phase: 'decode', queryTokens: 1, queryStart: 3 }, new Float32Array(2), new Float32Array(8), f32(1, 0, 3, 0, 5, 0, 7, 8), p);
      expect(out[0]).toBeCloseTo(4, 6);
      expect(out[1]).toBeCloseTo(2, 6);
    }
  });
  it('history chunks: 130 positions in chunks of 64 -> 64, 64, 2; none without history', () => {
    expect(historyChunks(130, 64)).toEqual([
      { positionStart: 0, positions: 64 },
      { positionStart: 64, positions: 64 },
      { positionStart: 128, positions: 2 },
    ]);
    expect(historyChunks(0, 64)).toEqual([]);
    expect(historyChunks(64, 64)).toEqual([{ positionStart: 0, positions: 64 }]);
  });
});

describe('parameter and shape checks', () => {
  it('each field, its message; latency 0 is valid', () => {
    const bad = (o: Record<string, unknown>, who?: string) => () => resolveAttentionParams(o as never, who);
    expect(bad({ lanes: 4 })).toThrow("attention: unknown parameter 'lanes'");
    expect(bad({ lanes: 4 }, 'me')).toThrow("me: unknown parameter 'lanes'");
    expect(bad({ implementation: 'naive' })).toThrow(`attention: implementation must be one of 'pipelined', 'as-built', got "naive"`);
    expect(bad({ decodeSplitK: 1 })).toThrow('attention: decodeSplitK must be true or false, got 1');
    expect(bad({ queryTileRows: 0 })).toThrow('attention: queryTileRows must be an integer >= 1, got 0');
    expect(bad({ maxContextPositions: 1.5 })).toThrow('attention: maxContextPositions must be an integer >= 1, got 1.5');
    expect(bad({ reciprocalsPerCycle: 0 })).toThrow('attention: reciprocalsPerCycle must be an integer >= 1, got 0');
    expect(bad({ expLatencyCycles: -1 })).toThrow('attention: expLatencyCycles must be an integer >= 0, got -1');
    expect(bad({ divLatencyCycles: 0.5 })).toThrow('attention: divLatencyCycles must be an integer >= 0, got 0.5');
    expect(resolveAttentionParams({ fmulLatencyCycles: 0, faddLatencyCycles: 0, expLatencyCycles: 0, divLatencyCycles: 0, decodeSplitK: false, implementation: 'as-built' })).toMatchObject({
      fmulLatencyCycles: 0,
      decodeSplitK: false,
      implementation: 'as-built',
    });
  });
  it('shapes: positive sizes, heads a multiple of kvHeads', () => {
    expect(() => validateAttentionShape({ heads: 0, kvHeads: 1, headDim: 2 })).toThrow('attention: heads must be an integer >= 1, got 0');
    expect(() => validateAttentionShape({ heads: 2, kvHeads: 1, headDim: 1.5 }, 'me')).toThrow('me: headDim must be an integer >= 1, got 1.5');
    expect(() => validateAttentionShape({ heads: 3, kvHeads: 2, headDim: 2 })).toThrow('attention: heads (3) must be a multiple of kvHeads (2)');
    expect(() => validateAttentionShape({ heads: 4, kvHeads: 2, headDim: 1 })).not.toThrow();
  });
});

describe('job checks', () => {
  const job = { layer: 0, phase: 'prefill' as const, queryTokens: 2, queryStart: 2 };
  const bad = (o: Record<string, unknown>) => () => validateAttentionJob({ ...job, ...o } as never, P);
  it('phase, sizes, one decode token, the KV capacity (history + new <= 4)', () => {
    expect(bad({ phase: 'train' })).toThrow("attention: job phase must be 'prefill' or 'decode', got 'train'");
    expect(bad({ layer: -1 })).toThrow('attention: job layer must be an integer >= 0, got -1');
    expect(bad({ layer: 0.5 })).toThrow('attention: job layer must be an integer >= 0, got 0.5');
    expect(bad({ queryTokens: 0 })).toThrow('attention: job queryTokens must be an integer >= 1, got 0');
    expect(bad({ queryStart: -1 })).toThrow('attention: job queryStart must be an integer >= 0, got -1');
    expect(bad({ queryStart: 1.5 })).toThrow('attention: job queryStart must be an integer >= 0, got 1.5');
    expect(bad({ phase: 'decode' })).toThrow('attention: a decode job has exactly 1 query token, got 2');
    expect(bad({ queryTokens: 3 })).toThrow('attention: layer 0 prefill needs 5 KV positions (history 2 + 3 new) but the KV capacity is 4 positions (maxContextPositions)');
    expect(bad({})).not.toThrow();
    expect(bad({ phase: 'decode', queryTokens: 1, queryStart: 3 })).not.toThrow();
  });

  it('queries, KV blocks, chunk order and the end of a job are checked by name', () => {
    expect(() => checkQueries(new Float32Array(3), 2, shape, 'att')).toThrow('att: q has 3 values, expected 2 tokens x 1 heads x 2 = 4');
    const blk = { positionStart: 0, positions: 2, k: new Float32Array(4), v: new Float32Array(3) };
    expect(() => checkKvBlock(blk, shape, 'att')).toThrow('att: KV block of 2 positions x 1 KV heads x 2 needs 4 keys and values, got 4 and 3');
    const decode = { layer: 0, phase: 'decode' as const, queryTokens: 1, queryStart: 3 };
    const carry = beginAttentionJob(decode, { q: new Float32Array(2), k: new Float32Array(2), v: new Float32Array(2) }, P);
    const chunk = (positionStart: number, positions: number) => ({ positionStart, positions, k: new Float32Array(positions * 2), v: new Float32Array(positions * 2) });
    expect(() => attendHistoryChunk(carry, chunk(1, 2), P)).toThrow('attention: expected the history chunk starting at position 0 (history is 0..2), got positions 1..2');
    expect(() => attendHistoryChunk(carry, chunk(0, 4), P)).toThrow('attention: expected the history chunk starting at position 0 (history is 0..2), got positions 0..3');
    const after = attendHistoryChunk(carry, chunk(0, 2), P);
    expect(after.nextPosition).toBe(2);
    expect(carry.nextPosition).toBe(0);
    expect(() => finishAttentionJob(after)).toThrow('attention: job ended after history position 1, but its history is 0..2');
    expect(() => attendHistoryChunk(after, chunk(2, 0), P)).toThrow('attention: expected the history chunk starting at position 2 (history is 0..2), got positions 2..1');
    expect(Array.from(finishAttentionJob(attendHistoryChunk(after, chunk(2, 1), P)))).toEqual([0, 0]);
    expect(() => beginAttentionJob(decode, { q: new Float32Array(2), k: new Float32Array(2), v: new Float32Array(1) }, P)).toThrow(
      "attention (the new tokens' own K/V): KV block of 1 positions x 1 KV heads x 2 needs 2 keys and values, got 2 and 1",
    );
    expect(() => attentionJobFp32(decode, new Float32Array(2), new Float32Array(8), new Float32Array(6), P)).toThrow('attention: keys and values must be 4 positions x 2 = 8 values, got 8 and 6');
  });

  it('softmax states: nothing to merge, mismatched partials, a row that saw no key', () => {
    expect(() => mergeSoftmaxStates([])).toThrow('mergeSoftmaxStates: no partial state to merge');
    expect(() => mergeSoftmaxStates([emptySoftmaxState(1, 2, 4), emptySoftmaxState(1, 2, 2)])).toThrow('mergeSoftmaxStates: partial of 1x2x2 does not match 1x2x4');
    expect(() => mergeSoftmaxStates([emptySoftmaxState(1, 2, 4), emptySoftmaxState(2, 1, 4)])).toThrow('mergeSoftmaxStates: partial of 2x1x4 does not match 1x2x4');
    const s = emptySoftmaxState(2, 2, 1);
    s.sum.set([1, 1, 0, 1]);
    expect(() => finalizeSoftmaxState(s)).toThrow('attention: query token 1, head 0 attended to no key');
    s.sum.set([1, 0, 1, 1]);
    expect(() => finalizeSoftmaxState(s)).toThrow('attention: query token 0, head 1 attended to no key');
    // a merge of two one-key partials: max 0 each, weights e^0 = 1: (acc 2 + 4) / (1 + 1) = 3
    const a = emptySoftmaxState(1, 1, 1);
    const b = emptySoftmaxState(1, 1, 1);
    a.max[0] = 0;
    a.sum[0] = 1;
    a.acc[0] = 2;
    b.max[0] = 0;
    b.sum[0] = 1;
    b.acc[0] = 4;
    const m = mergeSoftmaxStates([a, b, emptySoftmaxState(1, 1, 1)]);
    expect([m.max[0], m.sum[0], m.acc[0]]).toEqual([0, 2, 6]);
    expect(Array.from(finalizeSoftmaxState(m))).toEqual([3]);
  });
});

describe('invokeAttention', () => {
  const params = (queryStart: number) => ({ ...P, jobs: [{ layer: 0, phase: 'decode' as const, queryTokens: 1, queryStart }] });
  it("a 'kv' stream exactly when some job has a history", () => {
    const g = new GraphBuilder('att');
    const q = g.stream('q', { depth: 1, widthBytes: 4 });
    const out = g.stream('out', { depth: 1, widthBytes: 4 });
    const kv = g.stream('kv', { depth: 1, widthBytes: 4 });
    expect(() => invokeAttention(g, 'a', params(2), { q, out })).toThrow("attention 'a': some job has a KV history, so a 'kv' stream is required");
    expect(() => invokeAttention(g, 'b', params(0), { q, out, kv })).toThrow("attention 'b': no job has a KV history, so it has no 'kv' port; do not pass a kv stream");
    expect(invokeAttention(g, 'c', params(0), { q, out }).name).toBe('c');
  });
});
