import { LINEAR_STREAM_WIDTH_BYTES as W, type AccumulatedTileMeta, type OutputTile, type ScaleTileMeta } from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, runGraph, sinkActor, type ActorSpec, type TokenMeta } from '@lut-llm/core';
import { Rng, synthesizeQuantizedLinear, type QuantizedLinear } from '@lut-llm/vq';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { dequantizeOutputTile } from './kernel.js';
import { dequantize } from './operator.js';
import { DEFAULT_DEQUANTIZER_PARAMS } from './params.js';
import { dequantizerStage } from './stage.js';

/**
 * The dequantizer against the hand formula y = (acc - zeroPoint * P) * scale (DESIGN.md 1.1),
 * evaluated by hand below, not by vq's dequantizeTile (which the kernel wraps): a kernel that
 * drops the zero-point term, applies another group's scale or forgets the factor P fails.
 *
 * Layer: M = 4 outputs in groups of G = 2 (2 groups), D = 6 inputs = P = 3 positions (v = 2).
 * Group scales 0.5 and 0.25, zero points 3 and -2 (powers of two: every value below is exact).
 * T = 2 tokens, acc [t][n]:
 *   t = 0: [10, -7, 100, 0]      t = 1: [9, 1, -6, -2]
 * y = (acc - zp * P) * scale, zp * P = 9 (group 0), -6 (group 1):
 *   t = 0: [(10 - 9) 0.5, (-7 - 9) 0.5, (100 + 6) 0.25, (0 + 6) 0.25] = [0.5, -8, 26.5, 1.5]
 *   t = 1: [(9 - 9) 0.5, (1 - 9) 0.5, (-6 + 6) 0.25, (-2 + 6) 0.25]  = [0, -4, 0, 1]
 * Without the zero-point term it would be [5, -3.5, 25, 0] / [4.5, 0.5, -1.5, -0.5].
 */
const base = synthesizeQuantizedLinear(4, 6, { groupSize: 2 }, new Rng(1));
const layer: QuantizedLinear = { ...base, lutScale: Float32Array.from([0.5, 0.25]), lutZeroPoint: Int32Array.from([3, -2]) };
const acc = Int32Array.from([10, -7, 100, 0, 9, 1, -6, -2]);
const WANT = [0.5, -8, 26.5, 1.5, 0, -4, 0, 1];

describe('dequantizer vs the hand formula (acc - zp * P) * scale', () => {
  it('kernel: whole rows, and a tile of outputs [1, 3) straddling the two groups', () => {
    expect([layer.positions, layer.groups]).toEqual([3, 2]);
    expect(Array.from(dequantizeOutputTile(layer, acc, 2, 0, 4))).toEqual(WANT);
    const tile = Int32Array.from([-7, 100, 1, -6]); // [t][n - 1] for n = 1, 2
    expect(Array.from(dequantizeOutputTile(layer, tile, 2, 1, 3))).toEqual([-8, 26.5, -4, 0]);
  });

  it('operator: the same values, one tile per group, 2 cycles each (T x ceil(2 / 32)), latency 1 + 3 + 3 = 7', async () => {
    const tileMeta = (j: number) => ({ op: 'x', tokens: 2, tile: j, tilesPerBlock: 2, outStart: 2 * j, outEnd: 2 * j + 2 });
    const input = [0, 1].map((j) => {
      const a = Int32Array.from([acc[2 * j]!, acc[2 * j + 1]!, acc[4 + 2 * j]!, acc[4 + 2 * j + 1]!]);
      const m: AccumulatedTileMeta = { kind: 'accumulated', numeric: 'int32', ...tileMeta(j) };
      const s: ScaleTileMeta = { kind: 'scales', group: j, ...tileMeta(j) };
      return [{ meta: m, payload: { kind: 'int32' as const, acc: a } }, { meta: s, payload: { layer } }] as const;
    });
    const out = await lastValueFrom(from(input).pipe(dequantize(), toArray()));
    expect(out.map((t) => Array.from(t.payload.y))).toEqual([
      [0.5, -8, 0, -4],
      [26.5, 1.5, 0, 1],
    ]);
    expect(out.map((t) => [t.iiCycles, t.latencyCycles])).toEqual([
      [2, 7],
      [2, 7],
    ]);
  });

  it('actor in a graph (functional run): the same values', () => {
    const src = (name: string, meta: () => TokenMeta, payload: () => unknown): ActorSpec => ({
      name,
      outputs: { out: { widthBytes: W } },
      firings: 1,
      cost: { iiCycles: 1, latencyCycles: 0 },
      behaviour: mapFirings(() => ({ out: meta() })),
      kernel: () => ({ out: payload() }),
    });
    const tile = { op: 'x', tokens: 2, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 4 };
    const g = new GraphBuilder('deq-hand');
    const a = g.stream('acc', { depth: 1, widthBytes: W });
    const s = g.stream('scales', { depth: 1, widthBytes: W });
    const o = g.stream('out', { depth: 1, widthBytes: W });
    g.invoke(src('acc-src', () => ({ kind: 'accumulated', numeric: 'int32', ...tile }), () => ({ kind: 'int32', acc })), { out: { out: a } });
    g.invoke(src('scale-src', () => ({ kind: 'scales', group: 0, ...tile }), () => ({ layer })), { out: { out: s } });
    expect(dequantizerStage.install(g, 'deq', DEFAULT_DEQUANTIZER_PARAMS, { in: { in: a, scales: s }, out: { out: o } })).toEqual(['deq']);
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
    const r = runGraph(g.build(), { mode: 'functional' });
    expect(Array.from((r.sinks['sink']![0]!.payload as OutputTile).y)).toEqual(WANT);
    expect(r.sinks['sink']![0]!.meta).toEqual({ kind: 'output', op: 'x', tokens: 2, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 4 });
  });
});
