// Integration of the KV prefetcher with the real attention stage (a test-only devDependency: the
// stage packages never depend on each other at run time; the graph helper takes the attention actor).
import { attentionActor, attentionFiringCosts, resolveAttentionParams, type AttentionHardwareParams } from '@lut-llm/attention';
import type { AttentionShape } from '@lut-llm/contracts';
import { runGraph, type GrantEvent, type ActorStateEvent, type Token } from '@lut-llm/core';
import { V80_HBM } from '@lut-llm/memory';
import { describe, expect, it } from 'vitest';
import { buildDecodeLayerAttentionGraph, KvCacheImage, kvCacheLayout, predictDecodeLayerAttention, qkvProjectionCyclesEstimate } from './index.js';

function decodeLayer(opts: { context: number; prefetch: boolean; hw?: AttentionHardwareParams; qkvProjectionCycles?: number; bufferChunks?: number; kvReadChannels?: number }) {
  const hw = opts.hw ?? resolveAttentionParams();
  const job = { layer: 7, phase: 'decode' as const, queryTokens: 1, queryStart: opts.context };
  const hbm = opts.kvReadChannels ? { ...V80_HBM, channels: { ...V80_HBM.channels, kvRead: opts.kvReadChannels } } : V80_HBM;
  const built = buildDecodeLayerAttentionGraph({
    layer: 7,
    context: opts.context,
    prefetch: opts.prefetch,
    attention: attentionActor('attention', { ...hw, jobs: [job] }),
    hbm,
    ...(opts.qkvProjectionCycles ? { qkvProjectionCycles: opts.qkvProjectionCycles } : {}),
    prefetcher: { chunkPositions: hw.kvChunkPositions, ...(opts.bufferChunks ? { bufferChunks: opts.bufferChunks } : {}) },
  });
  const prediction = predictDecodeLayerAttention(built.modelInput(attentionFiringCosts(hw, job)));
  return { built, prediction };
}

describe('decode step of one layer at context 2048 (Qwen3-1.7B, V80 kvRead = 2 channels): prefetch on vs off', () => {
  const on = decodeLayer({ context: 2048, prefetch: true });
  const off = decodeLayer({ context: 2048, prefetch: false });
  const rOn = runGraph(on.built.graph, { trace: 'full' });
  const rOff = runGraph(off.built.graph, { trace: 'full' });
  const P = on.built.qkvProjectionCycles;

  it('the QKV stand-in is busy over [0, P) with P = 10240 (2048 x 4096 weights x 10 bits / 1024 B per cycle)', () => {
    expect(P).toBe(qkvProjectionCyclesEstimate());
    expect(P).toBe(10240);
    for (const r of [rOn, rOff]) {
      const busy = r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.actor === 'qkv-projection' && e.state === 'busy');
      expect(busy.map((e) => [e.startCycle, e.endCycle])).toEqual([[0, P]]);
    }
  });

  it('prefetch on: KV read grants on hbm.kvRead start inside the QKV busy interval; off: none before it ends', () => {
    const grants = (r: typeof rOn) => r.events.filter((e): e is GrantEvent => e.kind === 'grant' && e.resource === 'hbm.kvRead');
    const during = (r: typeof rOn) => grants(r).filter((g) => g.startCycle < P);
    expect(grants(rOn)).toHaveLength(32); // 2048 / 64 chunks
    expect(during(rOn).map((g) => [g.actor, g.startCycle, g.endCycle])).toEqual([
      ['kv-prefetcher', 0, 8192],
      ['kv-prefetcher', 8192, 16384],
    ]);
    expect(during(rOff)).toEqual([]);
    expect(Math.min(...grants(rOff).map((g) => g.startCycle))).toBe(P);
    expect(on.prediction.kvTransferCyclesDuringProjection).toBe(P);
    expect(off.prediction.kvTransferCyclesDuringProjection).toBe(0);
  });

  it('prefetch takes fewer cycles, and the engine agrees with the cycle models to the cycle (totals and difference)', () => {
    expect(rOn.cycles).toBe(on.prediction.cycles);
    expect(rOff.cycles).toBe(off.prediction.cycles);
    const out = (r: typeof rOn) => (r.sinks['attention-out']![0] as Token).readyCycle;
    expect(out(rOn)).toBe(on.prediction.outReadyCycle);
    expect(out(rOff)).toBe(off.prediction.outReadyCycle);
    expect(rOn.cycles).toBeLessThan(rOff.cycles);
    expect(rOff.cycles - rOn.cycles).toBe(off.prediction.cycles - on.prediction.cycles);
    // Memory-bound (a 64-position chunk: 8192 transfer cycles vs 512 compute): the saving is exactly P.
    expect(rOff.cycles - rOn.cycles).toBe(P);
    // By hand: the last chunk is on chip at 32 x 8192 + 64 = 262208; its firing takes 512 cycles; the tail is
    // fill 60 + split-K merge of 33 partials (16 + max(264, 264) + 8 = 288) + normalisation 32 = 380;
    // the sink reads the output 1 cycle later: 262208 + 512 + 380 + 1 = 263101, and P = 10240 more without prefetch.
    expect(on.prediction.chunkReady[31]).toBe(262208);
    expect(rOn.cycles).toBe(263101);
    expect(rOff.cycles).toBe(263101 + 10240);
  });

  it('the KV read channel is the bottleneck of the step', () => {
    expect(rOn.summary.bottlenecks[0]!.name).toBe('hbm.kvRead');
  });
});

describe('engine vs model across regimes (memory- and compute-bound, small buffers, short and long projections)', () => {
  const cases: { context: number; prefetch: boolean; P: number; buffer: number; channels: number }[] = [];
  for (const context of [1, 63, 64, 65, 700]) {
    for (const prefetch of [true, false]) {
      for (const [P, buffer, channels] of [
        [100, 4, 2],
        [10240, 1, 2],
        [300000, 2, 2],
        [5000, 1, 64],
        [20000, 3, 256],
      ] as const) {
        cases.push({ context, prefetch, P, buffer, channels });
      }
    }
  }
  it.each(cases)('context $context, prefetch $prefetch, P $P, buffer $buffer chunks, kvRead $channels channels', ({ context, prefetch, P, buffer, channels }) => {
    const { built, prediction } = decodeLayer({ context, prefetch, qkvProjectionCycles: P, bufferChunks: buffer, kvReadChannels: channels });
    const r = runGraph(built.graph);
    expect(r.cycles).toBe(prediction.cycles);
    expect((r.sinks['attention-out']![0] as Token).readyCycle).toBe(prediction.outReadyCycle);
  });

  it('compute-bound (256 kvRead channels): prefetch saves only the projection time not already hidden', () => {
    const on = decodeLayer({ context: 700, prefetch: true, qkvProjectionCycles: 20000, kvReadChannels: 256 });
    const off = decodeLayer({ context: 700, prefetch: false, qkvProjectionCycles: 20000, kvReadChannels: 256 });
    const saving = runGraph(off.built.graph).cycles - runGraph(on.built.graph).cycles;
    expect(saving).toBe(off.prediction.cycles - on.prediction.cycles);
    // 256 x 32 B = 8 KiB/cycle: a chunk arrives 64 (transfer) + 64 (latency) cycles after its request, so
    // without prefetch only the first chunk's read is exposed, minus the 8-cycle q firing that overlaps it.
    expect(saving).toBe(64 + 64 - 8);
  });
});

describe('decode layer graph, functional', () => {
  const shape: AttentionShape = { heads: 4, kvHeads: 2, headDim: 16 };
  const layout = kvCacheLayout({ layers: 8, kvHeads: 2, headDim: 16, maxPositions: 256 });
  const hw = resolveAttentionParams({ shape, kvChunkPositions: 16, kvTilePositions: 16 });
  const context = 100;
  let seed = 12345;
  const rand = (n: number) =>
    Float32Array.from({ length: n }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed / 4294967296 - 0.5) * 4;
    });
  const kHist = rand(context * 32);
  const vHist = rand(context * 32);
  const query = { q: rand(64), k: rand(32), v: rand(32) };
  const image = new KvCacheImage(layout);
  image.write(7, 0, kHist, vHist);

  /** Obviously-correct GQA decode attention in float64 over history + the new token. */
  function naive(): Float64Array {
    const K = new Float32Array([...kHist, ...query.k]);
    const V = new Float32Array([...vHist, ...query.v]);
    const out = new Float64Array(64);
    for (let h = 0; h < 4; h++) {
      const g = Math.floor(h / 2);
      const s = Array.from({ length: context + 1 }, (_, j) => {
        let d = 0;
        for (let i = 0; i < 16; i++) d += query.q[h * 16 + i]! * K[(j * 2 + g) * 16 + i]!;
        return d / 4;
      });
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let i = 0; i < 16; i++) out[h * 16 + i] = e.reduce((a, w, j) => a + (w / z) * V[(j * 2 + g) * 16 + i]!, 0);
    }
    return out;
  }

  it.each([true, false])('prefetch %s: the attention output read from HBM chunks matches naive FP32 within 1e-5 (max-abs / max |ref|)', (prefetch) => {
    const job = { layer: 7, phase: 'decode' as const, queryTokens: 1, queryStart: context };
    const built = buildDecodeLayerAttentionGraph({
      layer: 7,
      context,
      prefetch,
      attention: attentionActor('attention', { ...hw, jobs: [job] }),
      prefetcher: { layout, chunkPositions: 16, image },
      query,
    });
    const r = runGraph(built.graph, { mode: 'functional' });
    const got = r.sinks['attention-out']![0]!.payload as Float32Array;
    const ref = naive();
    let e = 0;
    let m = 0;
    ref.forEach((x, i) => ((e = Math.max(e, Math.abs(got[i]! - x))), (m = Math.max(m, Math.abs(x)))));
    expect(e / m).toBeLessThan(1e-5);
    const written = r.sinks['kv-writer']![0]!;
    expect(written.meta).toMatchObject({ layer: 7, positionStart: 100, positions: 1 });
  });

  it('errors: a context beyond the reservation, an attention actor built for another job, mismatched chunk sizes', () => {
    const mk = (ctx: number, chunk = 16, actorCtx = ctx) =>
      buildDecodeLayerAttentionGraph({
        layer: 7,
        context: ctx,
        prefetch: true,
        attention: attentionActor('attention', { ...hw, maxContextPositions: 4096, jobs: [{ layer: 7, phase: 'decode', queryTokens: 1, queryStart: actorCtx }] }),
        prefetcher: { layout, chunkPositions: chunk, image },
        query,
      });
    expect(() => mk(256)).toThrow(/context needs 257 KV positions but the KV cache reserves 256 positions per layer/);
    expect(() => mk(10, 16, 0)).toThrow(/attention actor 'attention' must have inputs q, kv, carryIn/);
    // Chunk sizes that disagree are caught when the graph is built (the stream widths differ).
    expect(() => mk(40, 10)).toThrow(/actor 'attention': port 'kv' is 4096 bytes wide but FIFO 'kv-buffer' is 2560 bytes wide/);
  });
});
