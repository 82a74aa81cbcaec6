import { LINEAR_STREAM_WIDTH_BYTES as W, type AccumulatedTileMeta, type OutputTile, type ScaleTileMeta } from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, runGraph, sinkActor, type ActorSpec, type TokenMeta } from '@lut-llm/core';
import { Rng, dequantizeTile, synthesizeQuantizedLinear } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';
import { dequantizerLatencyCycles, dequantizerTileCycles } from './cycle-model.js';
import { DEFAULT_DEQUANTIZER_PARAMS, DequantizerError, resolveDequantizerParams } from './params.js';
import { dequantizerStage } from './stage.js';

function source(name: string, count: number, meta: (i: number) => TokenMeta, payload: (i: number) => unknown): ActorSpec {
  return {
    name,
    outputs: { out: { widthBytes: W } },
    firings: count,
    cost: { iiCycles: 1, latencyCycles: 0 },
    behaviour: mapFirings((f) => ({ out: meta(f.index) })),
    kernel: (_i, _o, f) => ({ out: payload(f.index) }),
  };
}

describe('dequantizer', () => {
  it('cycle model: II = T * ceil(w / 32), latency 1 + 3 + 3 = 7', () => {
    expect(dequantizerTileCycles(DEFAULT_DEQUANTIZER_PARAMS, 1, 512)).toBe(16);
    expect(dequantizerTileCycles(DEFAULT_DEQUANTIZER_PARAMS, 3, 100)).toBe(12);
    expect(dequantizerLatencyCycles(DEFAULT_DEQUANTIZER_PARAMS)).toBe(7);
    expect(() => resolveDequantizerParams({ lanes: 0 })).toThrow(DequantizerError);
  });

  it('streams tiles bit-identical to vq.dequantizeTile; N tiles of 512 outputs end at 16 (N - 1) + 7 + 1', () => {
    const rng = new Rng(9);
    const M = 1024;
    const T = 1;
    const q = synthesizeQuantizedLinear(M, 64, { groupSize: 512 }, rng);
    const acc = Int32Array.from({ length: T * M }, () => rng.int(20000) - 10000);
    const g = new GraphBuilder('deq-alone');
    const a = g.stream('acc', { depth: 4, widthBytes: W });
    const s = g.stream('scales', { depth: 4, widthBytes: W });
    const o = g.stream('out', { depth: 4, widthBytes: W });
    const tile = (j: number) => ({ op: 'x', tokens: T, tile: j, tilesPerBlock: 2, outStart: 512 * j, outEnd: 512 * (j + 1) });
    g.invoke(
      source('acc-src', 2, (j): AccumulatedTileMeta => ({ kind: 'accumulated', numeric: 'int32', ...tile(j) }), (j) => ({ kind: 'int32', acc: acc.slice(512 * j, 512 * (j + 1)) })),
      { out: { out: a } },
    );
    g.invoke(source('scale-src', 2, (j): ScaleTileMeta => ({ kind: 'scales', group: j, ...tile(j) }), () => ({ layer: q })), { out: { out: s } });
    dequantizerStage.install(g, 'deq', DEFAULT_DEQUANTIZER_PARAMS, { in: { in: a, scales: s }, out: { out: o } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
    const r = runGraph(g.build(), { mode: 'functional' });
    // Tile j starts at 16 j (II 16), is readable at 16 j + 7; the sink reads the last at 23 and
    // ends at 24, but the dequantizer's last II ends at 32: the run ends at 16 N = 32.
    expect(r.cycles).toBe(32);
    const want = new Float32Array(M);
    dequantizeTile(q, acc, T, 0, M, want);
    const got = new Float32Array(M);
    r.sinks['sink']!.forEach((t, j) => got.set((t.payload as OutputTile).y, 512 * j));
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('rejects FP32 tiles and scales of another tile', () => {
    const run = (numeric: 'int32' | 'fp32', scaleStart: number) => {
      const g = new GraphBuilder('bad');
      const a = g.stream('acc', { depth: 2, widthBytes: W });
      const s = g.stream('scales', { depth: 2, widthBytes: W });
      const o = g.stream('out', { depth: 2, widthBytes: W });
      const tile = { op: 'x', tokens: 1, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 8 };
      g.invoke(source('acc-src', 1, () => ({ kind: 'accumulated', numeric, ...tile }), () => undefined), { out: { out: a } });
      g.invoke(source('scale-src', 1, () => ({ kind: 'scales', group: 0, ...tile, outStart: scaleStart }), () => undefined), { out: { out: s } });
      dequantizerStage.install(g, 'deq', DEFAULT_DEQUANTIZER_PARAMS, { in: { in: a, scales: s }, out: { out: o } });
      g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
      return () => runGraph(g.build());
    };
    expect(run('fp32', 0)).toThrow(/dequantizes INT32 tiles, got a 'fp32' tile/);
    expect(run('int32', 4)).toThrow(/scales of outputs \[4, 8\) paired with the tile of outputs \[0, 8\)/);
  });
});
