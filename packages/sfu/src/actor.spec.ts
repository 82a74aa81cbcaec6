import { GraphBuilder, runGraph, sinkActor, sourceActor, type Token } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { reductionTreeCycles, resolveSfuParams, sfuActor, sfuInputPorts, sfuPortWidth, sfuTokenCycles, streamingSfuStage, swigluFp32, type SfuOp, type SfuStageParams } from './index.js';

const P = resolveSfuParams();
const RMS: SfuOp = { kind: 'rms-norm', width: 2048, eps: 1e-6 };

describe('SFU cycle model (hand-computed at the defaults: 16 elements/cycle, add/mul 4, exp 16, div 12, rsqrt 16)', () => {
  it('reduction tree: (log2 16 + log2 4) x 4 = 24 cycles', () => {
    expect(reductionTreeCycles(P)).toBe(24);
  });

  it('RMSNorm of a 2048 row: t = 128, tail = 24 + 4 + 4 + 16 = 48; one-pass period max(128, ceil(176/2)) = 128', () => {
    // one row: II 128, latency t + tail + t + 2 mul = 128 + 48 + 128 + 8 = 312
    expect(sfuTokenCycles(RMS, P, 1)).toEqual({ iiCycles: 128, latencyCycles: 312 });
    // four rows: II 512, latency 3 x 128 + 312
    expect(sfuTokenCycles(RMS, P, 4)).toEqual({ iiCycles: 512, latencyCycles: 696 });
    // two-pass: per row t + tail + t = 304 (no overlap between rows)
    const two = resolveSfuParams({ reduction: 'two-pass' });
    expect(sfuTokenCycles(RMS, two, 1)).toEqual({ iiCycles: 304, latencyCycles: 312 });
    expect(sfuTokenCycles(RMS, two, 4)).toEqual({ iiCycles: 1216, latencyCycles: 1224 });
  });

  it('a short row (qk-norm, 128 per head) is bound by the tail in one-pass: period ceil((8 + 48) / 2) = 28', () => {
    const op: SfuOp = { kind: 'qk-norm', heads: 16, headDim: 128, eps: 1e-6 };
    expect(sfuTokenCycles(op, P, 1)).toEqual({ iiCycles: 16 * 28, latencyCycles: 15 * 28 + 8 + 48 + 8 + 8 });
  });

  it('element-wise: SwiGLU over 6144 = 384 cycles + exp 16 + add 4 + div 12 + mul 4; PWL SiLU trades exp+div for compare+mul', () => {
    expect(sfuTokenCycles({ kind: 'swiglu', width: 6144, silu: 'exact' }, P, 1)).toEqual({ iiCycles: 384, latencyCycles: 420 });
    expect(sfuTokenCycles({ kind: 'swiglu', width: 6144, silu: 'pwl9' }, P, 1)).toEqual({ iiCycles: 384, latencyCycles: 384 + 1 + 4 + 4 + 4 });
    // RoPE of 16 heads x 128: 128 cycles + mul + add + the wait for the pair partner 64 elements later (4 cycles)
    expect(sfuTokenCycles({ kind: 'rope', heads: 16, headDim: 128 }, P, 1)).toEqual({ iiCycles: 128, latencyCycles: 140 });
    expect(sfuTokenCycles({ kind: 'residual-add', width: 2048 }, P, 3)).toEqual({ iiCycles: 384, latencyCycles: 388 });
  });

  it('doubling elementsPerCycle halves the streaming part', () => {
    const wide = resolveSfuParams({ elementsPerCycle: 32 });
    expect(sfuTokenCycles({ kind: 'residual-add', width: 2048 }, wide, 1).iiCycles).toBe(64);
  });
});

function graph(params: SfuStageParams, tokens: number, rows: (i: number) => number, payload?: (port: string, i: number) => Float32Array) {
  const g = new GraphBuilder('sfu-alone');
  const w = sfuPortWidth(params);
  const ports = sfuInputPorts(params.op);
  const ins: Record<string, { name: string }> = {};
  for (const p of ports) {
    ins[p] = g.stream(p, { depth: 2, widthBytes: w });
    g.invoke(sourceActor({ name: `src-${p}`, count: tokens, widthBytes: w, meta: (i) => ({ rows: rows(i), index: i }), ...(payload ? { payload: (i: number) => payload(p, i) } : {}) }), { out: { out: ins[p]! } });
  }
  const out = g.stream('out', { depth: 2, widthBytes: w });
  g.invoke(sfuActor('sfu', params), { in: ins, out: { out } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: w }), { in: { in: out } });
  return g.build();
}

describe('SFU actor', () => {
  it('timing: token k of an RMSNorm stream is ready at k x II + latency', () => {
    const params: SfuStageParams = { ...P, rowsPerToken: 4, op: RMS };
    const r = runGraph(graph(params, 3, () => 4));
    const { iiCycles, latencyCycles } = sfuTokenCycles(RMS, P, 4);
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([0, 1, 2].map((k) => k * iiCycles + latencyCycles));
  });

  it('functional: SwiGLU with two input ports equals the kernel', () => {
    const op: SfuOp = { kind: 'swiglu', width: 64, silu: 'pwl9' };
    const params: SfuStageParams = { ...P, rowsPerToken: 2, op };
    const data = (p: string, i: number) => Float32Array.from({ length: 128 }, (_, j) => Math.sin(j + i * 7 + (p === 'gate' ? 0 : 100)) * 4);
    const r = runGraph(graph(params, 2, () => 2, data), { mode: 'functional' });
    const outs = r.sinks['sink']! as readonly Token<Float32Array>[];
    outs.forEach((t, i) => expect(t.payload).toEqual(swigluFp32(data('gate', i), data('up', i), 'pwl9')));
  });

  it('functional: RoPE uses the token positionStart', () => {
    const op: SfuOp = { kind: 'rope', heads: 1, headDim: 4, theta: 10000 };
    const g = new GraphBuilder('rope');
    const s = g.stream('s', { depth: 1, widthBytes: 16 });
    const o = g.stream('o', { depth: 1, widthBytes: 16 });
    g.invoke(sourceActor({ name: 'src', count: 1, widthBytes: 16, meta: () => ({ rows: 1, positionStart: 1 }), payload: () => Float32Array.from([1, 2, 3, 4]) }), { out: { out: s } });
    g.invoke(sfuActor('rope', { ...P, op }), { in: { in: s }, out: { out: o } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 16 }), { in: { in: o } });
    const y = runGraph(g.build(), { mode: 'functional' }).sinks['sink']![0]!.payload as Float32Array;
    expect(y[0]).toBeCloseTo(-1.9841106485, 6);
  });

  it('errors: too many rows, ports disagreeing on rows, wrong payload size, bad op constants', () => {
    expect(() => runGraph(graph({ ...P, op: RMS }, 1, () => 2))).toThrow(/sfu 'sfu': firing 0: a token must carry 1..1 rows \(rowsPerToken\), got 2/);
    const sw: SfuStageParams = { ...P, rowsPerToken: 4, op: { kind: 'residual-add', width: 8 } };
    const g = new GraphBuilder('mismatch');
    const a = g.stream('a', { depth: 1, widthBytes: 128 });
    const b = g.stream('b', { depth: 1, widthBytes: 128 });
    const o = g.stream('o', { depth: 1, widthBytes: 128 });
    g.invoke(sourceActor({ name: 'sa', count: 1, widthBytes: 128, meta: () => ({ rows: 2 }) }), { out: { out: a } });
    g.invoke(sourceActor({ name: 'sb', count: 1, widthBytes: 128, meta: () => ({ rows: 3 }) }), { out: { out: b } });
    g.invoke(sfuActor('sfu', sw), { in: { in: a, residual: b }, out: { out: o } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 128 }), { in: { in: o } });
    expect(() => runGraph(g.build())).toThrow(/port 'residual' carries 3 rows but 'in' carries 2/);
    expect(() => runGraph(graph({ ...P, op: { kind: 'silu', width: 8, silu: 'exact' } }, 1, () => 1, () => new Float32Array(7)), { mode: 'functional' })).toThrow(/port 'in' payload has 7 values, expected 1 rows x 8/);
    expect(() => sfuActor('x', { ...P, op: { kind: 'rms-norm', width: 8, eps: 1e-6, weight: new Float32Array(7) } })).toThrow(/rms-norm weight has 7 values, expected 8/);
    expect(() => sfuActor('x', { ...P, op: { kind: 'rope', heads: 2, headDim: 5 } })).toThrow(/rope headDim must be even, got 5/);
    expect(() => sfuActor('x', { ...P, elementsPerCycle: 0, op: RMS })).toThrow(/elementsPerCycle must be an integer >= 1, got 0/);
  });

  it('stage record', () => {
    expect(streamingSfuStage).toMatchObject({ stage: 'sfu', implementation: 'streaming-fp32' });
    expect(streamingSfuStage.actor('n', streamingSfuStage.defaults).inputs).toEqual({ in: { widthBytes: 2048 * 4 } });
  });
});
