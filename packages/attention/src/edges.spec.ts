// Cases the random-data specs cannot tell apart: score ranges wide enough that a softmax which
// does not subtract the true running maximum overflows FP32 (exp(88.7) is the largest finite);
// a split-K partial over queries inside its own block (causal within the block, a block not at
// position 0, several query tokens); the algorithm each job starts; carries are not modified;
// and the exact messages of the whole-job wrappers and the actor.
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import type { AttentionJob } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import { naiveAttention } from './naive-attention.js';
import {
  attendChunkPartial,
  attendHistoryChunk,
  attentionActor,
  attentionJobFp32,
  attentionPortWidths,
  attentionSchedule,
  beginAttentionJob,
  emptySoftmaxState,
  finalizeSoftmaxState,
  flashAttentionPrefill,
  flashDecode,
  invokeAttention,
  mergeSoftmaxStates,
  resolveAttentionParams,
  type AttentionStageParams,
  type OnlineCarry,
} from './index.js';

const f32 = (...v: number[]) => Float32Array.from(v);
const ONE = { heads: 1, kvHeads: 1, headDim: 1 };

describe('score ranges of 200: every softmax subtracts the true maximum (no FP32 overflow)', () => {
  // Head dim 1 (scale 1): scores = q x k. q = 100; keys 1, -1, 0 give scores 100, -100, 0. The
  // weights are exp(0) = 1, exp(-200) = 0 and exp(-100) = 3.7e-44 (an FP32 denormal), so every
  // output is v0 = 1.5 exactly in FP32 (1.5 + 3 x 3.7e-44 rounds to 1.5, the sum 1 + 3.7e-44 to 1).
  // A softmax that shifts by a later, smaller score computes exp(200) = Infinity and ends in NaN.
  const k = f32(1, -1, 0);
  const v = f32(1.5, -2, 3);
  it('naive float64 reference (q = 1000: scores 2000 apart, past float64 exp range too)', () => {
    expect(Array.from(naiveAttention(f32(1000), k, v, ONE, 2))).toEqual([1.5]);
  });
  it('decode at position 2, split-K (chunks of 2: max first, then the smaller score) and sequential (KV tiles of 1)', () => {
    const job: AttentionJob = { layer: 0, phase: 'decode', queryTokens: 1, queryStart: 2 };
    for (const decodeSplitK of [true, false]) {
      const p = resolveAttentionParams({ shape: ONE, kvChunkPositions: 2, kvTilePositions: 1, decodeSplitK });
      expect(Array.from(attentionJobFp32(job, f32(100), k, v, p))).toEqual([1.5]);
    }
    // Split-K with chunks of 1: each partial its own maximum (100, -100, 0), the merge weights exp(m_c - 100).
    expect(Array.from(attentionJobFp32(job, f32(100), k, v, resolveAttentionParams({ shape: ONE, kvChunkPositions: 1 })))).toEqual([1.5]);
  });
  it('prefill of 3 tokens at 0 (q = 100 each), one KV tile of 3 and KV tiles of 1: all outputs 1.5', () => {
    for (const kvTilePositions of [3, 1]) {
      const p = resolveAttentionParams({ shape: ONE, kvTilePositions, queryTileRows: 3 });
      expect(Array.from(flashAttentionPrefill(f32(100, 100, 100), k, v, p))).toEqual([1.5, 1.5, 1.5]);
    }
  });
  it('a merge of partials whose maxima are 200 apart', () => {
    // Partial a: m 100, l 1, acc 1.5; partial b: m -100, l 1, acc -2. M = 100: weights 1 and exp(-200) = 0.
    const part = (m: number, acc: number) => {
      const s = emptySoftmaxState(1, 1, 1);
      s.max[0] = m;
      s.sum[0] = 1;
      s.acc[0] = acc;
      return s;
    };
    const merged = mergeSoftmaxStates([part(-100, -2), part(100, 1.5)]);
    expect([merged.max[0], merged.sum[0], merged.acc[0]]).toEqual([100, 1, 1.5]);
  });
});

describe('split-K partial of several query tokens over their own block (positions 3 and 4)', () => {
  it('token 0 sees position 3 only, token 1 both: equal to naive attention over the block from position 0', () => {
    // GQA (4 query heads on 2 KV heads), head dim 3: a partial at positionStart 3 for queries at 3
    // and 4 is attention over two positions whose own causal mask starts at the block.
    const shape = { heads: 4, kvHeads: 2, headDim: 3 };
    const q = f32(...Array.from({ length: 2 * 12 }, (_, i) => ((i * 7) % 11) / 5 - 1));
    const kk = f32(...Array.from({ length: 2 * 6 }, (_, i) => ((i * 5) % 13) / 6 - 1));
    const vv = f32(...Array.from({ length: 2 * 6 }, (_, i) => i - 5));
    const got = finalizeSoftmaxState(attendChunkPartial(q, 2, { positionStart: 3, positions: 2, k: kk, v: vv }, shape, 3));
    const ref = naiveAttention(q, kk, vv, shape, 0);
    got.forEach((x, i) => expect(Math.abs(x - ref[i]!)).toBeLessThan(1e-6));
  });
  it('the masked key never enters the maximum: a future score of 1000 leaves token 0 its own value', () => {
    // q = 1, 1; keys 0 (position 3) and 1000 (position 4): token 0 sees score 0 only -> v = 2;
    // token 1 sees 0 and 1000 -> weights exp(-1000) = 0 and 1 -> 7. State: max [0, 1000], sum [1, 1].
    const s = attendChunkPartial(f32(1, 1), 2, { positionStart: 3, positions: 2, k: f32(0, 1000), v: f32(2, 7) }, ONE, 3);
    expect([Array.from(s.max), Array.from(s.sum), Array.from(s.acc)]).toEqual([[0, 1000], [1, 1], [2, 7]]);
  });
});

describe('jobs and carries', () => {
  const P = resolveAttentionParams({ shape: ONE, kvChunkPositions: 2 });
  const own = { q: f32(0), k: f32(0), v: f32(4) };
  it('decode starts a split-K carry (one partial), or an online state without split-K; prefill always online', () => {
    const decode: AttentionJob = { layer: 0, phase: 'decode', queryTokens: 1, queryStart: 2 };
    const c = beginAttentionJob(decode, own, P);
    expect(c.algorithm === 'split-k' && c.partials.length).toBe(1);
    expect(beginAttentionJob(decode, own, resolveAttentionParams({ ...P, decodeSplitK: false })).algorithm).toBe('online');
    expect(beginAttentionJob({ ...decode, phase: 'prefill' }, own, P).algorithm).toBe('online');
  });
  it('attendHistoryChunk leaves the carry it is given unchanged (the state is copied)', () => {
    const job: AttentionJob = { layer: 0, phase: 'prefill', queryTokens: 1, queryStart: 2 };
    // q = 1, own key 0: max 0, sum 1, acc 4. The chunk's keys 1, 1 (scores 1) raise the max to 1.
    const c = beginAttentionJob(job, { ...own, q: f32(1) }, P) as OnlineCarry;
    expect([Array.from(c.state.max), Array.from(c.state.sum), Array.from(c.state.acc)]).toEqual([[0], [1], [4]]);
    const next = attendHistoryChunk(c, { positionStart: 0, positions: 2, k: f32(1, 1), v: f32(1, 1) }, P) as OnlineCarry;
    expect([Array.from(c.state.max), Array.from(c.state.sum), Array.from(c.state.acc)]).toEqual([[0], [1], [4]]);
    expect(next.state.max[0]).toBe(1);
  });
  it('merge: partials differing in tokens only, or in heads only, are refused', () => {
    expect(() => mergeSoftmaxStates([emptySoftmaxState(1, 2, 4), emptySoftmaxState(2, 2, 4)])).toThrow('mergeSoftmaxStates: partial of 2x2x4 does not match 1x2x4');
    expect(() => mergeSoftmaxStates([emptySoftmaxState(2, 1, 4), emptySoftmaxState(2, 2, 4)])).toThrow('mergeSoftmaxStates: partial of 2x2x4 does not match 2x1x4');
  });
  it('a KV block whose keys alone have the wrong length', () => {
    expect(() => attendHistoryChunk(beginAttentionJob({ layer: 0, phase: 'prefill', queryTokens: 1, queryStart: 2 }, own, P), { positionStart: 0, positions: 2, k: f32(0), v: f32(1, 1) }, P)).toThrow(
      'attention: KV block of 2 positions x 1 KV heads x 1 needs 2 keys and values, got 1 and 2',
    );
  });
  it('the wrappers name themselves', () => {
    const p = resolveAttentionParams({ shape: { heads: 2, kvHeads: 1, headDim: 1 }, maxContextPositions: 2 });
    expect(() => flashAttentionPrefill(f32(1, 2, 3), f32(0, 0), f32(0, 0), p)).toThrow('flashAttentionPrefill: q has 3 values, not a positive multiple of heads x headDim = 2');
    expect(() => flashAttentionPrefill(f32(), f32(0, 0), f32(0, 0), p)).toThrow('flashAttentionPrefill: q has 0 values, not a positive multiple of heads x headDim = 2');
    expect(() => flashAttentionPrefill(f32(1, 2, 3), f32(0, 0), f32(0, 0), resolveAttentionParams({ shape: { heads: 2, kvHeads: 1, headDim: 2 } }))).toThrow(
      'flashAttentionPrefill: q has 3 values, not a positive multiple of heads x headDim = 4',
    );
    expect(() => flashAttentionPrefill(f32(1, 2), f32(0, 0), f32(0), p)).toThrow('flashAttentionPrefill: keys and values must be 2 positions x 1 = 2 values, got 2 and 1');
    expect(() => flashDecode(f32(1, 2), f32(0, 0, 0), f32(0, 0, 0), p)).toThrow(
      'flashDecode: layer 0 decode needs 3 KV positions (history 2 + 1 new) but the KV capacity is 2 positions (maxContextPositions)',
    );
  });
});

describe('actor: schedule, names, messages', () => {
  const P = resolveAttentionParams({ shape: { heads: 2, kvHeads: 1, headDim: 2 }, kvChunkPositions: 4 });
  const jobs: AttentionJob[] = [
    { layer: 0, phase: 'decode', queryTokens: 1, queryStart: 6 },
    { layer: 1, phase: 'prefill', queryTokens: 2, queryStart: 0 },
  ];
  it('the schedule: per job a q firing, then its chunks (numbered, counted), the last one writing out', () => {
    const s = attentionSchedule({ ...P, jobs });
    expect(s.map((f) => [f.job, f.kind, f.chunk, f.chunks, f.positionStart, f.positions, f.last])).toEqual([
      [0, 'q', -1, 2, 6, 1, false],
      [0, 'kv', 0, 2, 0, 4, false],
      [0, 'kv', 1, 2, 4, 2, true],
      [1, 'q', -1, 0, 0, 2, true],
    ]);
    expect(() => attentionSchedule({ ...P, jobs: [{ ...jobs[0]!, queryTokens: 2 }] })).toThrow('attention: job 0: a decode job has exactly 1 query token, got 2');
  });
  it('a firing past the schedule, an unknown parameter, and a bad payload name the actor', () => {
    const spec = attentionActor('a', { ...P, jobs: [jobs[1]!] });
    expect(() => spec.reads!(1, { empty: () => false, full: () => false })).toThrow("attention 'a': firing 1 is beyond its schedule of 1 firings");
    expect(() => attentionActor('c', { ...P, jobs, lanes: 3 } as AttentionStageParams)).toThrow("attention 'c': unknown parameter 'lanes'");
  });
  it("the carry loop is the stream '<name>.carry'; a q or chunk payload of the wrong size fails its firing by name", () => {
    const params = { ...P, jobs: [jobs[0]!] };
    const w = attentionPortWidths(params);
    const g = new GraphBuilder('carry');
    const q = g.stream('q', { depth: 1, widthBytes: w['q']! });
    const kv = g.stream('kv', { depth: 2, widthBytes: w['kv']! });
    const out = g.stream('out', { depth: 1, widthBytes: w['out']! });
    let qValues = 4;
    g.invoke(sourceActor({ name: 'q-src', count: 1, widthBytes: w['q']!, meta: () => ({ ...jobs[0]! }), payload: () => ({ q: new Float32Array(qValues), k: new Float32Array(2), v: new Float32Array(2) }) }), { out: { out: q } });
    const chunk = [[0, 4], [4, 2]] as const;
    g.invoke(
      sourceActor({
        name: 'kv-src',
        count: 2,
        widthBytes: w['kv']!,
        meta: (i) => ({ layer: 0, positionStart: chunk[i]![0], positions: chunk[i]![1], chunk: i, chunks: 2 }),
        payload: (i) => ({ k: new Float32Array(i === 0 ? 8 : 3), v: new Float32Array(chunk[i]![1] * 2) }),
      }),
      { out: { out: kv } },
    );
    invokeAttention(g, 'att', params, { q, out, kv });
    g.invoke(sinkActor({ name: 'sink', widthBytes: w['out']! }), { in: { in: out } });
    const graph = g.build();
    expect(runGraph(graph).summary.fifos.map((f) => f.fifo)).toContain('att.carry');
    expect(() => runGraph(graph, { mode: 'functional' })).toThrow("attention 'att': KV block of 2 positions x 1 KV heads x 2 needs 4 keys and values, got 3 and 4");
    qValues = 3;
    expect(() => runGraph(graph, { mode: 'functional' })).toThrow("attention 'att': q has 3 values, expected 1 tokens x 2 heads x 2 = 4");
  });
});
