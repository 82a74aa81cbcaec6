import type { ActivationTileMeta, CentroidTileMeta } from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, runGraph, sinkActor, type ActorSpec } from '@lut-llm/core';
import { Rng, encodeActivations } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';
import { LINEAR_STREAM_WIDTH_BYTES } from '@lut-llm/contracts';
import { bpcsuStage, fullTreeStage, singleChainStage } from './stage.js';
import { DEFAULT_BPCSU_PARAMS, resolveBpcsuParams } from './params.js';

/** source(act) + source(centroids) -> centroid search -> sink, over `blocks` blocks of 16 positions. */
function tinyGraph(stage: typeof bpcsuStage, T: number, blocks: number, data?: { x: Float32Array; codebooks: Float32Array }, outDepth = 16) {
  const p = stage.defaults;
  const W = LINEAR_STREAM_WIDTH_BYTES;
  const np = p.lanes;
  const P = blocks * np;
  const g = new GraphBuilder('bpcsu-alone');
  const a = g.stream('act', { depth: 2, widthBytes: W });
  const c = g.stream('cent', { depth: 2, widthBytes: W });
  const o = g.stream('idx', { depth: outDepth, widthBytes: W });
  const base = (b: number) => ({ op: 'demo', tokens: T, block: b, blocks, posStart: b * np, posEnd: (b + 1) * np });
  const src = (name: string, meta: (b: number) => ActivationTileMeta | CentroidTileMeta, payload: (b: number) => unknown): ActorSpec => ({
    name,
    outputs: { out: { widthBytes: W } },
    firings: blocks,
    cost: { iiCycles: 1, latencyCycles: 0 },
    behaviour: mapFirings((f) => ({ out: meta(f.index) })),
    kernel: (_i, _o, f) => ({ out: payload(f.index) }),
  });
  g.invoke(
    src('act-src', (b) => ({ kind: 'activation', v: 2, ...base(b) }), (b) => {
      const x = new Float32Array(T * np * 2);
      for (let t = 0; t < T; t++) x.set(data!.x.subarray(t * P * 2 + b * np * 2, t * P * 2 + (b + 1) * np * 2), t * np * 2);
      return { x };
    }),
    { out: { out: a } },
  );
  g.invoke(
    src('cent-src', (b) => ({ kind: 'centroids', centroids: 64, v: 2, ...base(b) }), (b) => ({ codebooks: data!.codebooks.subarray(b * np * 128, (b + 1) * np * 128) })),
    { out: { out: c } },
  );
  stage.install(g, 'search', p, { in: { act: a, centroids: c }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
  return g.build();
}

describe('centroid-search stage in a tiny graph', () => {
  // Sources fire at cycles 0..N-1 (II 1, latency 0), so block i starts at i * II(stage) and its
  // indices are readable at i * II + L; the sink reads them then and completes one cycle later:
  // cycles = (N - 1) * II + L + 1. (The output FIFO, depth 16, holds every block in flight.)
  it('BPCSU GEMV: II = max(1, 16) = 16, L = 66: 4 blocks end at 3 * 16 + 66 + 1 = 115', () => {
    expect(runGraph(tinyGraph(bpcsuStage, 1, 4)).cycles).toBe(115);
  });
  it('BPCSU GEMM T = 40: II = 40: 4 blocks end at 3 * 40 + 66 + 1 = 187', () => {
    expect(runGraph(tinyGraph(bpcsuStage, 40, 4)).cycles).toBe(187);
  });
  it('naive single chain GEMV: II = 64, L = 256: 3 * 64 + 256 + 1 = 449 (the long set-up the chains hide)', () => {
    expect(runGraph(tinyGraph(singleChainStage, 1, 4)).cycles).toBe(449);
  });
  it('naive full tree GEMV: II = 1, L = 11: 3 + 11 + 1 = 15', () => {
    expect(runGraph(tinyGraph(fullTreeStage, 1, 4)).cycles).toBe(15);
  });

  it('a depth-1 output FIFO does not throttle the pipeline: blocks in flight occupy no slot', () => {
    // HLS FIFO semantics: a block's indices occupy the FIFO from their write (start + L) until
    // the sink reads them (the same cycle here), and block i's write needs block i-1 read 2
    // cycles before: starts 0, 16, 32, 48 (II 16), writes 66, 82, 98, 114 (L 66), never a stall.
    // The last is read at 114 and the sink (II 1) ends at 115.
    const r = runGraph(tinyGraph(bpcsuStage, 1, 4, undefined, 1));
    expect(r.cycles).toBe(48 + 66 + 1);
    expect(r.summary.fifos.find((f) => f.fifo === 'idx')!.fullStallCycles).toBe(0);
  });

  it('functional: the emitted indices equal vq.encodeActivations on the whole layer (T = 3, 3 blocks)', () => {
    const T = 3;
    const blocks = 3;
    const P = blocks * 16;
    const r = new Rng(5);
    const x = Float32Array.from({ length: T * P * 2 }, () => r.normal());
    const codebooks = Float32Array.from({ length: P * 64 * 2 }, () => r.normal());
    const want = encodeActivations(x, T, codebooks, { v: 2, cA: 64, distance: 'chebyshev' });
    for (const stage of [bpcsuStage, singleChainStage, fullTreeStage]) {
      const res = runGraph(tinyGraph(stage, T, blocks, { x, codebooks }), { mode: 'functional' });
      const got = new Uint8Array(T * P);
      res.sinks['sink']!.forEach((tok, b) => {
        const idx = (tok.payload as { indices: Uint8Array }).indices;
        for (let t = 0; t < T; t++) got.set(idx.subarray(t * 16, (t + 1) * 16), t * P + b * 16);
      });
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('alternates force their topology whatever chain length they are given', () => {
    const a = singleChainStage.actor('x', DEFAULT_BPCSU_PARAMS);
    const b = fullTreeStage.actor('y', resolveBpcsuParams({ chainLength: 16 }));
    expect(a.name).toBe('x');
    expect(b.name).toBe('y');
    expect(singleChainStage.defaults.chainLength).toBe(64);
    expect(fullTreeStage.defaults.chainLength).toBe(1);
  });
});
