import {
  LINEAR_STREAM_WIDTH_BYTES as W,
  type ActivationIndexTileMeta,
  type PsumTile,
  type PsumTileMeta,
  type WeightTileMeta,
} from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, runGraph, sinkActor, type ActorSpec, type TokenMeta } from '@lut-llm/core';
import { Rng, lutAccumulateTile, synthesizeQuantizedLinear, type QuantizedLinear } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';
import { indexRegisterActor } from './index-register.js';
import { DEFAULT_LUT_PSUM_2D_PARAMS, LutPsumError, resolveLutPsum2dParams, type LutPsum2dParams } from './params.js';
import { lutPsum2dStage } from './stage.js';

function source(name: string, count: number, meta: (i: number) => TokenMeta, payload?: (i: number) => unknown): ActorSpec {
  return {
    name,
    outputs: { out: { widthBytes: W } },
    firings: count,
    cost: { iiCycles: 1, latencyCycles: 0 },
    behaviour: mapFirings((f) => ({ out: meta(f.index) })),
    ...(payload ? { kernel: (_i: unknown, _o: unknown, f: { index: number }) => ({ out: payload(f.index) }) } : {}),
  };
}

/** index-tile source + weight-tile source -> 2D LUT PSum (installed) -> sink, `blocks` x `tiles`. */
function psumGraph(params: LutPsum2dParams, blocks: number, tiles: number, T: number, q?: QuantizedLinear, idx?: Uint8Array) {
  const g = new GraphBuilder('psum-alone');
  const a = g.stream('idx', { depth: 4, widthBytes: W });
  const w = g.stream('weights', { depth: 4, widthBytes: W });
  const o = g.stream('psums', { depth: 64, widthBytes: W });
  const np = params.matchers;
  const M = q?.outFeatures ?? 512 * tiles;
  const width = M / tiles;
  const block = (b: number) => ({ op: 'demo', tokens: T, block: b, blocks, posStart: b * np, posEnd: (b + 1) * np });
  g.invoke(
    source('idx-src', blocks, (b): ActivationIndexTileMeta => ({ kind: 'activation-index', ...block(b) }), idx
      ? (b) => {
          const P = blocks * np;
          const t = new Uint8Array(T * np);
          for (let k = 0; k < T; k++) t.set(idx.subarray(k * P + b * np, k * P + (b + 1) * np), k * np);
          return { indices: t };
        }
      : undefined),
    { out: { out: a } },
  );
  g.invoke(
    source(
      'w-src',
      blocks * tiles,
      (i): WeightTileMeta => {
        const j = i % tiles;
        return { kind: 'weights', variant: 'co-quant', ...block(Math.floor(i / tiles)), tile: j, tilesPerBlock: tiles, outStart: j * width, outEnd: (j + 1) * width, group: j, loadsTable: true, bytes: 0 };
      },
      q ? (i) => ({ layer: blockOf(q, Math.floor(i / tiles) * np, (Math.floor(i / tiles) + 1) * np) }) : undefined,
    ),
    { out: { out: w } },
  );
  lutPsum2dStage.install(g, 'psum', { ...params, tilesPerBlock: tiles }, { in: { act: a, weights: w }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
  return g.build();
}

/** The layer restricted to positions [p0, p1) (what a weight tile carries). */
function blockOf(q: QuantizedLinear, p0: number, p1: number): QuantizedLinear {
  const { v, cA, cW } = q.cfg;
  const G = q.groups;
  return {
    ...q,
    inFeatures: (p1 - p0) * v,
    positions: p1 - p0,
    actCodebooks: q.actCodebooks.subarray(p0 * cA * v, p1 * cA * v),
    weightCodebooks: q.weightCodebooks.subarray(p0 * G * cW * v, p1 * G * cW * v),
    weightIndices: q.weightIndices.subarray(p0 * q.weightIndexRowBytes, p1 * q.weightIndexRowBytes),
    lut: q.lut.subarray(p0 * G * cA * cW, p1 * G * cA * cW),
  };
}

describe('2D LUT PSum in a tiny graph', () => {
  // Inputs are ready at cycles 0, 1, ...; the index register passes a block's indices at once
  // (latency 0). Tile i starts at s_i = s_{i-1} + max(II = T, bank service), where the bank
  // serves 1 row read + 64 table-row writes = 65 accesses at 8 per cycle: ceil(65 / 8) = 9
  // cycles. Its partial sums are readable at s_i + 9 + latency 21 and the sink ends one cycle
  // after the last: cycles = 9 (N - 1) + 9 + 21 + 1.
  it('reference (row copied to registers), GEMV: 9 (N - 1) + 31', () => {
    for (const N of [1, 4, 10]) expect(runGraph(psumGraph(DEFAULT_LUT_PSUM_2D_PARAMS, N, 1, 1)).cycles).toBe(9 * (N - 1) + 31);
  });

  it('naive (every lane reads the table memory): 576 accesses per tile = 72 cycles; the bank is the bottleneck', () => {
    // s_i = 72 i; readable at 72 i + 72 + 19 (no register fan-out stage); cycles = 72 N + 20.
    const p = resolveLutPsum2dParams({ rowFetch: 'direct' });
    const N = 6;
    const r = runGraph(psumGraph(p, N, 1, 1));
    expect(r.cycles).toBe(72 * N + 20);
    expect(r.summary.bottlenecks[0]).toMatchObject({ kind: 'resource', name: 'psum.table' });
    const psum = r.summary.actors.find((a) => a.actor === 'psum')!;
    expect(psum.resourceBoundCycles).toBe(N * (72 - 1));
  });

  it('GEMM T = 40: the tile takes 40 cycles and the bank (104 accesses = 13 cycles) hides under it: 40 N', () => {
    const N = 5;
    // s_i = 40 i (next = max(s + II 40, bank end s + 13)); the last tile is readable at
    // 40 (N - 1) + 13 + 21 and read by the sink one cycle later, before the chain's last II
    // ends at 40 N, which is when the run ends.
    const r = runGraph(psumGraph(DEFAULT_LUT_PSUM_2D_PARAMS, N, 1, 40), { trace: 'full' });
    expect(r.cycles).toBe(40 * N);
    const sinkEnd = Math.max(...r.events.filter((e) => e.kind === 'actor' && e.actor === 'sink' && e.state === 'busy').map((e) => (e as { endCycle: number }).endCycle));
    expect(sinkEnd).toBe(40 * (N - 1) + 13 + 21 + 1);
  });

  it('functional: the partial sums of every (block, tile) add up to vq.lutAccumulateTile over the whole layer', () => {
    const rng = new Rng(3);
    const M = 96;
    const D = 64; // P = 32 = 2 blocks of 16
    const T = 3;
    const q = synthesizeQuantizedLinear(M, D, { groupSize: 32 }, rng);
    const idx = Uint8Array.from({ length: T * 32 }, () => rng.int(64));
    const r = runGraph(psumGraph(DEFAULT_LUT_PSUM_2D_PARAMS, 2, 3, T, q, idx), { mode: 'functional' });
    const acc = new Int32Array(T * M);
    for (const tok of r.sinks['sink']!) {
      const m = tok.meta as PsumTileMeta;
      const p = tok.payload as PsumTile;
      if (p.kind !== 'int32') throw new Error('expected INT32 partial sums');
      const w = m.outEnd - m.outStart;
      for (let t = 0; t < T; t++) for (let n = 0; n < w; n++) acc[t * M + m.outStart + n]! += p.psum[t * w + n]!;
    }
    const want = new Int32Array(T * M);
    lutAccumulateTile(q, idx, T, 0, 32, 0, M, want);
    expect(Array.from(acc)).toEqual(Array.from(want));
  });

  it('rejects a weight tile of another variant, a schedule mismatch and too many positions', () => {
    const bad = (w: Partial<WeightTileMeta>, actBlock = 0, np = 16) => {
      const g = new GraphBuilder('bad');
      const a = g.stream('a', { depth: 2, widthBytes: W });
      const ws = g.stream('w', { depth: 2, widthBytes: W });
      const o = g.stream('o', { depth: 2, widthBytes: W });
      const base = { op: 'x', tokens: 1, blocks: 1, posStart: 0, posEnd: np };
      g.invoke(source('a-src', 1, () => ({ kind: 'activation-index', block: actBlock, ...base })), { out: { out: a } });
      g.invoke(
        source('w-src', 1, () => ({ kind: 'weights', variant: 'co-quant', block: 0, ...base, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 512, group: 0, loadsTable: true, bytes: 0, ...w })),
        { out: { out: ws } },
      );
      lutPsum2dStage.install(g, 'psum', DEFAULT_LUT_PSUM_2D_PARAMS, { in: { act: a, weights: ws }, out: { out: o } });
      g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
      return () => runGraph(g.build());
    };
    expect(bad({ variant: 'weight-only' })).toThrow(LutPsumError);
    expect(bad({ variant: 'weight-only' })).toThrow(/'weight-only' weight tile/);
    expect(bad({}, 1)).toThrow(/block 1 paired with the weight tile of block 0/);
    expect(bad({}, 0, 17)).toThrow(/17 positions but the chain has 16 matchers/);
  });
});

describe('index register', () => {
  it('takes a block once and presents it for each of its tiles', () => {
    const g = new GraphBuilder('reg');
    const i = g.stream('in', { depth: 2, widthBytes: W });
    const hold = g.stream('hold', { depth: 2, widthBytes: W });
    const o = g.stream('out', { depth: 8, widthBytes: W });
    g.invoke(source('src', 2, (b) => ({ block: b }), (b) => ({ tag: b })), { out: { out: i } });
    g.invoke(indexRegisterActor('reg', 3, W), { in: { in: i, holdIn: hold }, out: { out: o, holdOut: hold } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
    const r = runGraph(g.build(), { mode: 'functional' });
    expect(r.sinks['sink']!.map((t) => t.meta['block'])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(r.sinks['sink']!.map((t) => (t.payload as { tag: number }).tag)).toEqual([0, 0, 0, 1, 1, 1]);
    // II 1, latency 0: one token per cycle, 6 firings; the sink ends at 6.
    expect(r.cycles).toBe(6);
  });
});
