import { GraphBuilder, RunError, runGraph, sinkActor, sourceActor, type Token } from '@lut-llm/core';
import type { AttentionJob, AttentionQueryPayload, AttentionShape, KvChunkMeta, KvChunkPayload } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import {
  attentionActor,
  attentionJobCycles,
  attentionJobFp32,
  attentionPortWidths,
  flashAttentionStage,
  historyChunks,
  invokeAttention,
  resolveAttentionParams,
  type AttentionStageParams,
} from './index.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) =>
    Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 4294967296 - 0.5) * 4;
    });
}

/** Obviously-correct causal GQA attention in float64. */
function naive(q: Float32Array, k: Float32Array, v: Float32Array, shape: AttentionShape, queryStart: number): Float64Array {
  const { heads, kvHeads, headDim: D } = shape;
  const T = q.length / (heads * D);
  const out = new Float64Array(q.length);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / (heads / kvHeads));
      const n = queryStart + t + 1;
      const s = Array.from({ length: n }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[(t * heads + h) * D + d]! * k[(j * kvHeads + g) * D + d]!;
        return dot / Math.sqrt(D);
      });
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < D; d++) out[(t * heads + h) * D + d] = e.reduce((a, w, j) => a + (w / z) * v[(j * kvHeads + g) * D + d]!, 0);
    }
  }
  return out;
}

interface JobData {
  job: AttentionJob;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

/** source(q) + source(kv chunks) -> attention -> sink. */
function build(params: AttentionStageParams, data: readonly JobData[], chunkSize = params.kvChunkPositions) {
  const g = new GraphBuilder('attention-alone');
  const w = attentionPortWidths(params);
  const { kvHeads, headDim } = params.shape;
  const row = kvHeads * headDim;
  const q = g.stream('q', { depth: 2, widthBytes: w['q']! });
  const out = g.stream('out', { depth: 2, widthBytes: w['out']! });
  const chunks = data.flatMap((d) => historyChunks(d.job.queryStart, chunkSize).map((c, i, all) => ({ d, c, i, n: all.length })));
  const kv = chunks.length > 0 ? g.stream('kv', { depth: 4, widthBytes: w['kv']! }) : undefined;
  g.invoke(
    sourceActor({
      name: 'qkv',
      count: data.length,
      widthBytes: w['q']!,
      meta: (i) => ({ ...data[i]!.job, index: i }),
      payload: (i): AttentionQueryPayload => {
        const { job, q: qq, k, v } = data[i]!;
        return { q: qq, k: k.subarray(job.queryStart * row), v: v.subarray(job.queryStart * row) };
      },
    }),
    { out: { out: q } },
  );
  if (kv) {
    g.invoke(
      sourceActor({
        name: 'kv-source',
        count: chunks.length,
        widthBytes: w['kv']!,
        meta: (i): KvChunkMeta => {
          const { d, c, i: chunk, n } = chunks[i]!;
          return { layer: d.job.layer, positionStart: c.positionStart, positions: c.positions, chunk, chunks: n, index: i };
        },
        payload: (i): KvChunkPayload => {
          const { d, c } = chunks[i]!;
          return { k: d.k.subarray(c.positionStart * row, (c.positionStart + c.positions) * row), v: d.v.subarray(c.positionStart * row, (c.positionStart + c.positions) * row) };
        },
      }),
      { out: { out: kv } },
    );
  }
  invokeAttention(g, 'attention', params, { q, out, ...(kv ? { kv } : {}) });
  g.invoke(sinkActor({ name: 'sink', widthBytes: w['out']! }), { in: { in: out } });
  return g.build();
}

function jobData(shape: AttentionShape, job: AttentionJob, seed: number): JobData {
  const r = rng(seed);
  const ctx = job.queryStart + job.queryTokens;
  return { job, q: r(job.queryTokens * shape.heads * shape.headDim), k: r(ctx * shape.kvHeads * shape.headDim), v: r(ctx * shape.kvHeads * shape.headDim) };
}

const SMALL: AttentionShape = { heads: 4, kvHeads: 2, headDim: 16 };

describe('attention actor', () => {
  it('timing: a decode job with its history already on chip completes at attentionJobCycles (Qwen3 defaults, history 200)', () => {
    const job: AttentionJob = { layer: 0, phase: 'decode', queryTokens: 1, queryStart: 200 };
    const params: AttentionStageParams = { ...resolveAttentionParams(), jobs: [job] };
    const r = runGraph(build(params, [{ job, q: new Float32Array(0), k: new Float32Array(0), v: new Float32Array(0) }]));
    const out = r.sinks['sink']![0]!;
    expect(out.readyCycle).toBe(attentionJobCycles(params, job));
    expect(out.meta).toMatchObject(job);
  });

  it('functional: a chunked-prefill job and a decode job of another layer, through the graph, equal the kernel bit for bit and naive FP32 within 1e-5', () => {
    const hw = resolveAttentionParams({ shape: SMALL, queryTileRows: 4, kvTilePositions: 6, kvChunkPositions: 7 });
    const jobs: AttentionJob[] = [
      { layer: 2, phase: 'prefill', queryTokens: 9, queryStart: 23 },
      { layer: 5, phase: 'decode', queryTokens: 1, queryStart: 15 },
      { layer: 6, phase: 'prefill', queryTokens: 3, queryStart: 0 },
    ];
    const data = jobs.map((j, i) => jobData(SMALL, j, 40 + i));
    const params: AttentionStageParams = { ...hw, jobs };
    const r = runGraph(build(params, data), { mode: 'functional' });
    const outs = r.sinks['sink']! as readonly Token<Float32Array>[];
    expect(outs.map((t) => t.meta['layer'])).toEqual([2, 5, 6]);
    data.forEach((d, i) => {
      const got = outs[i]!.payload!;
      expect(got).toEqual(attentionJobFp32(d.job, d.q, d.k, d.v, hw));
      const ref = naive(d.q, d.k, d.v, SMALL, d.job.queryStart);
      let e = 0;
      let m = 0;
      ref.forEach((x, j) => ((e = Math.max(e, Math.abs(got[j]! - x))), (m = Math.max(m, Math.abs(x)))));
      expect(e / m).toBeLessThan(1e-5);
    });
  });

  it('a KV chunk of the wrong size is a clear error naming both sizes', () => {
    const job: AttentionJob = { layer: 1, phase: 'decode', queryTokens: 1, queryStart: 20 };
    const params: AttentionStageParams = { ...resolveAttentionParams({ shape: SMALL, kvChunkPositions: 8 }), jobs: [job] };
    expect(() => runGraph(build(params, [jobData(SMALL, job, 1)], 10))).toThrow(/expects history chunk 0 of job 0 \(layer 1, positions 0..7\) but got layer 1, positions 0 \+ 10/);
  });

  it('a q token of another job is a clear error', () => {
    const job: AttentionJob = { layer: 1, phase: 'prefill', queryTokens: 4, queryStart: 0 };
    const params: AttentionStageParams = { ...resolveAttentionParams({ shape: SMALL }), jobs: [job] };
    const wrong = jobData(SMALL, { ...job, queryTokens: 3 }, 2);
    expect(() => runGraph(build(params, [wrong]))).toThrow(/expects the q token of job 0 \(layer 1 prefill, 4 token\(s\) at position 0\) but got layer 1 prefill, 3 token\(s\)/);
  });

  it('a payload of the wrong shape fails the firing with the sizes', () => {
    const job: AttentionJob = { layer: 0, phase: 'prefill', queryTokens: 2, queryStart: 0 };
    const params: AttentionStageParams = { ...resolveAttentionParams({ shape: SMALL }), jobs: [job] };
    const d = jobData(SMALL, job, 3);
    const bad = { ...d, q: d.q.subarray(0, 100) };
    expect(() => runGraph(build(params, [bad]), { mode: 'functional' })).toThrow(RunError);
    expect(() => runGraph(build(params, [bad]), { mode: 'functional' })).toThrow(/q has 100 values, expected 2 tokens x 4 heads x 16 = 128/);
  });

  it('a job longer than the KV capacity is rejected when the actor is built', () => {
    const params: AttentionStageParams = { ...resolveAttentionParams({ maxContextPositions: 4096 }), jobs: [{ layer: 0, phase: 'decode', queryTokens: 1, queryStart: 4096 }] };
    expect(() => attentionActor('att', params)).toThrow(/attention 'att': job 0: layer 0 decode needs 4097 KV positions \(history 4096 \+ 1 new\) but the KV capacity is 4096 positions/);
  });

  it('has the kv port and carry loop only when a job has history; the stage record exposes the defaults', () => {
    const noHistory = attentionActor('a', { ...flashAttentionStage.defaults });
    expect(Object.keys(noHistory.inputs!)).toEqual(['q']);
    const withHistory = attentionActor('b', { ...flashAttentionStage.defaults, jobs: [{ layer: 0, phase: 'decode', queryTokens: 1, queryStart: 3 }] });
    expect(Object.keys(withHistory.inputs!).sort()).toEqual(['carryIn', 'kv', 'q']);
    expect(Object.keys(withHistory.outputs!).sort()).toEqual(['carryOut', 'out']);
    expect(flashAttentionStage).toMatchObject({ stage: 'attention', implementation: 'flash-fp32' });
    expect(() => attentionActor('c', { ...flashAttentionStage.defaults, lanes: 3 } as AttentionStageParams)).toThrow(/unknown parameter 'lanes'/);
  });
});
