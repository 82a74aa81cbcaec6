// Hand-computed resources and latency of the BPCSU, and the exact messages of the parameter,
// kernel and actor checks, through the package's public exports.
import { LINEAR_STREAM_WIDTH_BYTES, type ActivationTileMeta, type CentroidTileMeta } from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, runGraph, sinkActor, type ActorSpec, type TokenMeta } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BPCSU_PARAMS, bpcsuLatencyCycles, bpcsuResources, bpcsuSearch, centroidSearchActor, resolveBpcsuParams } from './index.js';

describe('BPCSU resources and latency by hand', () => {
  it('reference: 16 lanes x 64 dPEs = 1024; 16 x 3 comparators = 48; 16 x 64 x 2 x 32 bits x 2 (double buffer) = 131072 bits; 4 chain heads', () => {
    expect(bpcsuResources(DEFAULT_BPCSU_PARAMS)).toEqual({ dpes: 1024, comparators: 48, centroidRegisterBits: 131072, inputFanout: 4 });
  });
  it('3 lanes, c_a 5 in chains of 2 (3 chains), v 4, single buffer: 15 dPEs, 6 comparators, 3 x 5 x 4 x 32 = 1920 bits', () => {
    const p = resolveBpcsuParams({ lanes: 3, centroids: 5, chainLength: 2, subvectorLength: 4, centroidDoubleBuffer: false });
    expect(bpcsuResources(p)).toEqual({ dpes: 15, comparators: 6, centroidRegisterBits: 1920, inputFanout: 3 });
  });
  it('latency: fan-out stages + chainLength x dPE latency + tree depth x comparator latency = 0 + 16 x 5 + 2 x 3 = 86', () => {
    expect(bpcsuLatencyCycles(resolveBpcsuParams({ dpeLatencyCycles: 5, comparatorLatencyCycles: 3 }))).toBe(86);
  });
});

describe('parameter checks', () => {
  const bad = (o: Record<string, unknown>) => () => resolveBpcsuParams(o as never);
  it('each field, its message; 256 centroids (8-bit indices) and comparator latency 0 are valid', () => {
    expect(resolveBpcsuParams({ centroids: 256, comparatorLatencyCycles: 0, distance: undefined }).centroids).toBe(256);
    expect(bad({ centroids: 257 })).toThrow('centroid-search: centroids must be <= 256 (8-bit indices), got 257');
    expect(bad({ distance: 'l1' })).toThrow("centroid-search: distance must be 'chebyshev' or 'l2sq', got l1");
    expect(bad({ lanes: 0 })).toThrow('centroid-search: lanes must be an integer >= 1, got 0');
    expect(bad({ centroids: 0 })).toThrow('centroid-search: centroids must be an integer >= 1, got 0');
    expect(bad({ subvectorLength: 1.5 })).toThrow('centroid-search: subvectorLength must be an integer >= 1, got 1.5');
    expect(bad({ chainLength: 0 })).toThrow('centroid-search: chainLength must be an integer >= 1, got 0');
    expect(bad({ comparatorLatencyCycles: -1 })).toThrow('centroid-search: comparatorLatencyCycles must be an integer >= 0, got -1');
    expect(bad({ maxFanoutPerStage: 1 })).toThrow('centroid-search: maxFanoutPerStage must be an integer >= 2, got 1');
    expect(bad({ widthBits: 8 })).toThrow(`centroid-search: unknown parameter 'widthBits' (known: ${Object.keys(DEFAULT_BPCSU_PARAMS).join(', ')})`);
  });
});

describe('kernel checks', () => {
  const cfg = { centroids: 2, subvectorLength: 2, chainLength: 1, distance: 'l2sq' as const };
  const cb = Float32Array.from([0, 0, 1, 1]); // one position, centroids (0, 0) and (1, 1)
  it('tokens, tile and codebook shapes, output size, non-finite activations', () => {
    expect(() => bpcsuSearch(new Float32Array(2), 0, cb, cfg)).toThrow('centroid-search kernel: tokens must be an integer >= 1, got 0');
    expect(() => bpcsuSearch(new Float32Array(2), 1.5, cb, cfg)).toThrow('centroid-search kernel: tokens must be an integer >= 1, got 1.5');
    expect(() => bpcsuSearch(new Float32Array(3), 2, cb, cfg)).toThrow('centroid-search kernel: activation tile has 3 values, not a multiple of T * v = 4');
    expect(() => bpcsuSearch(new Float32Array(4), 2, cb.subarray(0, 3), cfg)).toThrow('centroid-search kernel: codebooks have 3 values, expected positions * c_a * v = 1 * 2 * 2 = 4');
    expect(() => bpcsuSearch(new Float32Array(4), 2, cb, cfg, new Uint8Array(3))).toThrow('centroid-search kernel: output has 3 slots, expected 2');
    // token 1, element 1 of the block
    expect(() => bpcsuSearch(Float32Array.from([0, 0, 0, NaN]), 2, cb, cfg)).toThrow('centroid-search kernel: activation [t=1][d=1] is NaN; inputs must be finite');
    // 2 positions x 2 tokens: element 3 of token 1 is Infinity
    expect(() => bpcsuSearch(Float32Array.from([0, 0, 0, 0, 0, 0, 0, Infinity]), 2, new Float32Array(8), cfg)).toThrow('centroid-search kernel: activation [t=1][d=3] is Infinity; inputs must be finite');
    const out = new Uint8Array(2);
    expect(bpcsuSearch(Float32Array.from([0.9, 0.8, 0.1, 0.2]), 2, cb, cfg, out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 0]);
  });
});

describe('actor checks (the pair of tiles a firing reads)', () => {
  const W = LINEAR_STREAM_WIDTH_BYTES;
  const run = (act: Partial<ActivationTileMeta>, cent: Partial<CentroidTileMeta>) => {
    const p = resolveBpcsuParams({ lanes: 4, centroids: 8, chainLength: 4 });
    const base = { op: 'x', tokens: 1, block: 0, blocks: 1, posStart: 0, posEnd: 4 };
    const src = (name: string, meta: TokenMeta): ActorSpec => ({ name, outputs: { out: { widthBytes: W } }, firings: 1, cost: { iiCycles: 1, latencyCycles: 0 }, behaviour: mapFirings(() => ({ out: meta })) });
    const g = new GraphBuilder('checks');
    const a = g.stream('a', { depth: 1, widthBytes: W });
    const c = g.stream('c', { depth: 1, widthBytes: W });
    const o = g.stream('o', { depth: 1, widthBytes: W });
    g.invoke(src('act-src', { kind: 'activation', v: 2, ...base, ...act }), { out: { out: a } });
    g.invoke(src('cent-src', { kind: 'centroids', centroids: 8, v: 2, ...base, ...cent }), { out: { out: c } });
    g.invoke(centroidSearchActor('search', p), { in: { act: a, centroids: c }, out: { out: o } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
    return runGraph(g.build());
  };
  it('a matching pair runs: II max(T, reload 4) = 4 from cycle 0, latency 0 fan-out + 4 x 4 dPE + 1 x 1 comparator = 17', () => {
    const r = run({}, {});
    expect(r.sinks['sink']![0]!.readyCycle).toBe(17);
    expect(r.sinks['sink']![0]!.meta).toMatchObject({ kind: 'activation-index', block: 0, posStart: 0, posEnd: 4, search: { distance: 'chebyshev', chainLength: 4, centroids: 8, v: 2 } });
  });
  it('blocks that differ, more positions than lanes, other c_a or v: each named', () => {
    expect(() => run({}, { block: 1 })).toThrow('search: activation tile of block 0 paired with centroids of block 1');
    expect(() => run({ posEnd: 5 }, { posEnd: 5 })).toThrow('search: block 0 has 5 positions but only 4 BPCSU lanes');
    expect(() => run({}, { centroids: 16 })).toThrow('search: tiles have c_a = 16, v = 2 but the BPCSU is built for c_a = 8, v = 2');
    expect(() => run({ v: 4 }, { v: 4 })).toThrow('search: tiles have c_a = 8, v = 4 but the BPCSU is built for c_a = 8, v = 2');
  });
});
