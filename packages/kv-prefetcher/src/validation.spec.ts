// Hand-derived values and the exact error messages of the KV prefetcher package's public API:
// the cache image, the layout, the prefetch schedule and actors, the writer, the decode-layer
// graph builder and its analytical model.
import type { ActorSpec } from '@lut-llm/core';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { hbmChannelGroup, V80_HBM } from '@lut-llm/memory';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KV_PREFETCHER_PARAMS,
  DEFAULT_KV_WRITER_PARAMS,
  KvCacheImage,
  buildDecodeLayerAttentionGraph,
  kvAddress,
  kvCacheLayout,
  kvChunkWidthBytes,
  kvPrefetcherActor,
  kvPrefetchSchedule,
  kvWriterActor,
  kvWriterWidthBytes,
  kvPrefetch,
  predictDecodeLayerAttention,
  type KvPrefetcherParams,
} from './index.js';
import { lastValueFrom, of, toArray } from 'rxjs';

// 2 layers, 2 KV heads of dim 3, 20 positions, FP32: 2 x 2 x 3 x 4 = 48 bytes per position and layer.
const layout = kvCacheLayout({ layers: 2, kvHeads: 2, headDim: 3, maxPositions: 20 });
/** K (or V, sign -1) of positions [start, start + n): element (p, head h, dim d) = sign (1000 p + 10 h + d + 1). */
const kvRows = (start: number, n: number, sign: number) => {
  const a = new Float32Array(n * 6);
  for (let p = 0; p < n; p++) for (let h = 0; h < 2; h++) for (let d = 0; d < 3; d++) a[p * 6 + h * 3 + d] = sign * (1000 * (start + p) + 10 * h + d + 1);
  return a;
};

describe('KvCacheImage', () => {
  it('reads back every element across two writes (storage grows from 16 to 32 positions, then is clamped to the reservation)', () => {
    const img = new KvCacheImage(layout);
    img.write(0, 0, kvRows(0, 10, 1), kvRows(0, 10, -1));
    img.write(0, 10, kvRows(10, 7, 1), kvRows(10, 7, -1)); // 17 positions: grows past 16
    img.write(0, 17, kvRows(17, 3, 1), kvRows(17, 3, -1)); // 20: the whole reservation
    expect(img.length(0)).toBe(20);
    expect(img.length(1)).toBe(0);
    const c = img.readChunk(0, 5, 15);
    expect(Array.from(c.k)).toEqual(Array.from(kvRows(5, 15, 1)));
    expect(Array.from(c.v)).toEqual(Array.from(kvRows(5, 15, -1)));
    const one = img.readChunk(0, 19, 1);
    expect(Array.from(one.k)).toEqual([19001, 19002, 19003, 19011, 19012, 19013]);
    expect(Array.from(one.v)).toEqual([-19001, -19002, -19003, -19011, -19012, -19013]);
  });

  it('rejects a layer outside 0..layers - 1, naming it', () => {
    const img = new KvCacheImage(layout);
    for (const layer of [-1, 2, 0.5]) {
      expect(() => img.write(layer, 0, kvRows(0, 1, 1), kvRows(0, 1, 1))).toThrow(`KV cache: layer ${layer} is outside 0..1`);
      expect(() => img.readChunk(layer, 0, 1)).toThrow(`KV cache: layer ${layer} is outside 0..1`);
    }
    img.write(1, 0, kvRows(0, 1, 1), kvRows(0, 1, 1));
    expect(img.length(1)).toBe(1);
  });

  it('rejects reads of unwritten or empty ranges and writes that leave a gap or have the wrong shape', () => {
    const img = new KvCacheImage(layout);
    img.write(0, 0, kvRows(0, 4, 1), kvRows(0, 4, 1));
    expect(() => img.readChunk(0, -1, 2)).toThrow('KV cache read: layer 0 positions -1..0 were not written (cache holds 0..3)');
    expect(() => img.readChunk(0, 0, 0)).toThrow('KV cache read: layer 0 positions 0..-1 were not written (cache holds 0..3)');
    expect(() => img.readChunk(0, 2, 3)).toThrow('KV cache read: layer 0 positions 2..4 were not written (cache holds 0..3)');
    expect(() => img.readChunk(1, 0, 1)).toThrow('KV cache read: layer 1 positions 0..0 were not written (cache holds 0..-1)');
    expect(Array.from(img.readChunk(0, 2, 2).k)).toEqual(Array.from(kvRows(2, 2, 1)));
    expect(() => img.write(0, 3, kvRows(0, 1, 1), kvRows(0, 1, 1))).toThrow('KV cache write: layer 0 holds positions 0..3; a write must start at 4, got 3');
    expect(() => img.write(0, 4, kvRows(0, 1, 1), kvRows(0, 2, 1))).toThrow('KV cache write: k and v must be [positions][2 x 3], got 6 and 12 values');
    expect(() => img.write(0, 4, new Float32Array(5), new Float32Array(5))).toThrow('KV cache write: k and v must be [positions][2 x 3], got 5 and 5 values');
    expect(() => img.write(0, 4, kvRows(4, 17, 1), kvRows(4, 17, 1))).toThrow(
      'KV cache write (layer 0): context needs 21 KV positions but the KV cache reserves 20 positions per layer (layout.maxPositions)',
    );
  });
});

describe('KV layout', () => {
  it('one of everything is a valid layout; unknown and non-positive fields are errors', () => {
    expect(kvCacheLayout({ layers: 1, kvHeads: 1, headDim: 1, maxPositions: 1, bytesPerElement: 1 })).toEqual({ layers: 1, kvHeads: 1, headDim: 1, maxPositions: 1, bytesPerElement: 1 });
    expect(() => kvCacheLayout({ heads: 2 } as never)).toThrow("KV layout: unknown field 'heads'");
    expect(() => kvCacheLayout({ layers: 0 })).toThrow('KV layout: layers must be an integer >= 1, got 0');
    expect(() => kvCacheLayout({ bytesPerElement: 1.5 })).toThrow('KV layout: bytesPerElement must be an integer >= 1, got 1.5');
  });

  it('the last element of the cache: ((((1 x 2 + 1) x 2 + 1) x 20 + 19) x 3 + 2) x 4 = 1916 = total bytes 2 x 20 x 48 - 4', () => {
    expect(kvAddress(layout, { layer: 1, kvHead: 1, kind: 'v', position: 19, dim: 2 })).toBe(1916);
    // Layer 1 starts after layer 0's 20 positions x 48 bytes.
    expect(kvAddress(layout, { layer: 1, kvHead: 0, kind: 'k', position: 0 })).toBe(960);
  });

  it('each coordinate outside its range is named', () => {
    const at = { layer: 0, kvHead: 0, kind: 'k' as const, position: 0, dim: 0 };
    expect(() => kvAddress(layout, { ...at, layer: 2 })).toThrow('KV address: layer 2 is outside 0..1');
    expect(() => kvAddress(layout, { ...at, layer: -1 })).toThrow('KV address: layer -1 is outside 0..1');
    expect(() => kvAddress(layout, { ...at, kvHead: 0.5 })).toThrow('KV address: kvHead 0.5 is outside 0..1');
    expect(() => kvAddress(layout, { ...at, position: 20 })).toThrow('KV address: position 20 is outside 0..19');
    expect(() => kvAddress(layout, { ...at, dim: 3 })).toThrow('KV address: dim 3 is outside 0..2');
  });
});

describe('KV prefetch schedule and actor', () => {
  const base: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, layout, chunkPositions: 2 };

  it('chunks of 1 position; chunk widths: 7 positions x 2 x 2 heads x 3 x 4 B = 336 bytes', () => {
    expect(kvPrefetchSchedule({ ...base, chunkPositions: 1, jobs: [{ layer: 1, historyPositions: 3 }] }).map((c) => [c.positionStart, c.positions, c.chunk, c.chunks, c.bytes])).toEqual([
      [0, 1, 0, 3, 48],
      [1, 1, 1, 3, 48],
      [2, 1, 2, 3, 48],
    ]);
    expect(kvChunkWidthBytes({ ...base, chunkPositions: 7 })).toBe(336);
    expect(kvWriterWidthBytes({ ...DEFAULT_KV_WRITER_PARAMS, layout }, 3)).toBe(144);
  });

  it('bad schedules name the caller, the job and the field', () => {
    expect(() => kvPrefetchSchedule({ ...base, chunkPositions: 0 })).toThrow('kv-prefetcher: chunkPositions must be an integer >= 1, got 0');
    expect(() => kvPrefetchSchedule({ ...base, chunkPositions: 2.5 }, 'me')).toThrow('me: chunkPositions must be an integer >= 1, got 2.5');
    const job = (layer: number, historyPositions: number) => () => kvPrefetchSchedule({ ...base, jobs: [{ layer: 0, historyPositions: 1 }, { layer, historyPositions }] });
    expect(job(2, 1)).toThrow('kv-prefetcher: job 1: layer 2 is outside 0..1');
    expect(job(-1, 1)).toThrow('kv-prefetcher: job 1: layer -1 is outside 0..1');
    expect(job(0.5, 1)).toThrow('kv-prefetcher: job 1: layer 0.5 is outside 0..1');
    expect(job(1, -1)).toThrow('kv-prefetcher: job 1: historyPositions must be an integer >= 0, got -1');
    expect(job(1, 1.5)).toThrow('kv-prefetcher: job 1: historyPositions must be an integer >= 0, got 1.5');
    expect(job(1, 20)).toThrow('kv-prefetcher: job 1 (layer 1): context needs 21 KV positions');
    expect(job(1, 19)()).toHaveLength(1 + 10);
  });

  it('bad actor parameters name the actor', () => {
    expect(() => kvPrefetcherActor('pf', { ...base, bufferChunks: 0 })).toThrow("kv-prefetcher 'pf': bufferChunks must be an integer >= 1, got 0");
    expect(() => kvPrefetcherActor('pf', { ...base, bufferChunks: 1.5 })).toThrow("kv-prefetcher 'pf': bufferChunks must be an integer >= 1, got 1.5");
    expect(() => kvPrefetcherActor('pf', { ...base, readLatencyCycles: -1 })).toThrow("kv-prefetcher 'pf': readLatencyCycles must be an integer >= 0, got -1");
    expect(() => kvPrefetcherActor('pf', { ...base, readLatencyCycles: 0.5 })).toThrow("kv-prefetcher 'pf': readLatencyCycles must be an integer >= 0, got 0.5");
    expect(() => kvPrefetcherActor('pf', { ...base, chunkPositions: 0 })).toThrow("kv-prefetcher 'pf': chunkPositions must be an integer >= 1, got 0");
    expect(kvPrefetcherActor('pf', { ...base, readLatencyCycles: 0, bufferChunks: 1 }).firings).toBe(0);
  });

  it('two jobs: chunk tokens numbered over the run, `last` on the run\'s last chunk only; ready at the end of the bytes + the read latency', () => {
    // Jobs: layer 0 history 3 (chunks of 2 and 1 positions), layer 1 history 2 (one chunk).
    // 96 B and 48 B over 64 B/cycle (2 kvRead channels): 2, 1, 2 cycles back to back from 0;
    // ready at 2 + 64, 3 + 64, 5 + 64.
    const p: KvPrefetcherParams = { ...base, jobs: [{ layer: 0, historyPositions: 3 }, { layer: 1, historyPositions: 2 }] };
    const g = new GraphBuilder('two-jobs');
    g.resource(hbmChannelGroup('kvRead', V80_HBM));
    const kv = g.stream('kv', { depth: 4, widthBytes: kvChunkWidthBytes(p) });
    g.invoke(kvPrefetcherActor('pf', p), { out: { kv } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: kvChunkWidthBytes(p) }), { in: { in: kv } });
    const tokens = runGraph(g.build()).sinks['sink']!;
    expect(tokens.map((t) => [t.meta['layer'], t.meta['positionStart'], t.meta['positions'], t.meta['index'], t.meta['last'], t.readyCycle])).toEqual([
      [0, 0, 2, 0, false, 66],
      [0, 2, 1, 1, false, 67],
      [1, 0, 2, 2, true, 69],
    ]);
  });
});

describe('KV writer', () => {
  const run = (positions: number, maxPositionsPerToken = 1) => {
    const params = { ...DEFAULT_KV_WRITER_PARAMS, layout };
    const width = kvWriterWidthBytes(params, maxPositionsPerToken);
    const g = new GraphBuilder('writer');
    g.resource(hbmChannelGroup('kvWrite', V80_HBM));
    const s = g.stream('s', { depth: 1, widthBytes: width });
    g.invoke(sourceActor({ name: 'src', count: 1, widthBytes: width, meta: () => ({ layer: 0, positionStart: 0, positions }) }), { out: { out: s } });
    g.invoke(kvWriterActor('w', params, maxPositionsPerToken), { in: { kv: s } });
    return runGraph(g.build());
  };
  it('a token carries 1..maxPositionsPerToken positions: 3 x 48 B over 64 B/cycle = 3 cycles + 64 latency', () => {
    expect(run(3, 3).cycles).toBe(3 + 64);
    expect(() => run(0)).toThrow("kv-writer 'w': a token carries 1..1 positions, got 0");
    expect(() => run(2)).toThrow("kv-writer 'w': a token carries 1..1 positions, got 2");
    expect(() => run(4, 3)).toThrow("kv-writer 'w': a token carries 1..3 positions, got 4");
    expect(() => run(1.5, 3)).toThrow("kv-writer 'w': a token carries 1..3 positions, got 1.5");
  });
});

describe('decode-layer graph: argument checks', () => {
  // The kv port is as wide as a chunk: 64 positions x 48 B = 3072 B (the builder checks widths).
  const fake = (inputs: string[], outputs: string[]): ActorSpec => ({
    name: 'att',
    inputs: Object.fromEntries(inputs.map((p) => [p, { widthBytes: p === 'kv' ? 3072 : 4 }])),
    outputs: Object.fromEntries(outputs.map((p) => [p, { widthBytes: 4 }])),
    cost: { iiCycles: 1, latencyCycles: 0 },
  });
  const build = (context: number, attention: ActorSpec, qkvProjectionCycles?: number, prefetch = true) =>
    buildDecodeLayerAttentionGraph({ layer: 1, context, prefetch, attention, prefetcher: { layout }, ...(qkvProjectionCycles !== undefined ? { qkvProjectionCycles } : {}) });

  it('qkvProjectionCycles must be an integer >= 1', () => {
    expect(() => build(0, fake(['q'], ['out']), 0)).toThrow('decode layer graph: qkvProjectionCycles must be an integer >= 1, got 0');
    expect(() => build(0, fake(['q'], ['out']), 2.5)).toThrow('decode layer graph: qkvProjectionCycles must be an integer >= 1, got 2.5');
    expect(build(0, fake(['q'], ['out']), 1).qkvProjectionCycles).toBe(1);
  });

  it('the attention actor must have the ports of a job with (q, kv, carryIn -> out, carryOut) or without (q -> out) history', () => {
    const withHistory = "decode layer graph: attention actor 'att' must have inputs q, kv, carryIn and outputs out, carryOut (built for a decode job at context 3)";
    expect(() => build(3, fake(['q'], ['out']))).toThrow(withHistory);
    expect(() => build(3, fake(['q', 'kv'], ['out', 'carryOut']))).toThrow(withHistory);
    expect(() => build(3, fake(['q', 'kv', 'carryIn'], ['out']))).toThrow(withHistory);
    expect(() => build(3, fake(['q', 'kv', 'carryIn'], ['carryOut']))).toThrow(withHistory);
    const noHistory = "decode layer graph: attention actor 'att' must have inputs q and outputs out (built for a decode job at context 0)";
    expect(() => build(0, fake([], ['out']))).toThrow(noHistory);
    expect(() => build(0, fake(['q'], []))).toThrow(noHistory);
  });

  it('names, resources and the graph name; without history: the stand-in, the writer and attention only', () => {
    const b = build(0, fake(['q'], ['out']), 5, false);
    expect(b.graph.name).toBe('decode-layer-1-attention-ctx0-on-demand');
    expect(build(3, fake(['q', 'kv', 'carryIn'], ['out', 'carryOut']), 5).graph.name).toBe('decode-layer-1-attention-ctx3-prefetch');
    expect(b.names).toEqual({ qkv: 'qkv-projection', prefetcher: 'kv-prefetcher', attention: 'att', writer: 'kv-writer', sink: 'attention-out' });
    expect(b.resources).toEqual({ kvRead: 'hbm.kvRead', kvWrite: 'hbm.kvWrite' });
    expect(b.job).toEqual({ layer: 1, phase: 'decode', queryTokens: 1, queryStart: 0 });
    // Stand-in busy [0, 5), q and the new K/V readable at P = 5 (latency P from cycle 0); attention
    // (II 1, latency 0) fires at 5, the sink reads at 5 (done at 6); the writer: 48 B over
    // 64 B/cycle = 1 cycle from 5, + 64 write latency.
    const r = runGraph(b.graph);
    expect(r.cycles).toBe(Math.max(5 + 1, 5 + 1 + 64));
    expect(b.modelInput([]).chunkTransferCycles).toEqual([]);
    expect(b.modelInput([]).writeCycles).toBe(1 + 64);
  });

  it('functional mode needs the new token, with kvHeads x headDim = 6 values of k and v', () => {
    const b = build(0, fake(['q'], ['out']), 5);
    expect(() => runGraph(b.graph, { mode: 'functional' })).toThrow("decode layer graph: functional mode needs opts.query (the new token's q, k, v)");
    const bad = buildDecodeLayerAttentionGraph({ layer: 1, context: 0, prefetch: true, attention: fake(['q'], ['out']), prefetcher: { layout }, query: { q: new Float32Array(4), k: new Float32Array(6), v: new Float32Array(5) } });
    expect(() => runGraph(bad.graph, { mode: 'functional' })).toThrow('decode layer graph: the new token\'s k and v must have 6 values, got 6 and 5');
    const bad2 = buildDecodeLayerAttentionGraph({ layer: 1, context: 0, prefetch: true, attention: fake(['q'], ['out']), prefetcher: { layout }, query: { q: new Float32Array(4), k: new Float32Array(7), v: new Float32Array(6) } });
    expect(() => runGraph(bad2.graph, { mode: 'functional' })).toThrow('decode layer graph: the new token\'s k and v must have 6 values, got 7 and 6');
  });
});

describe('predictDecodeLayerAttention by hand', () => {
  it('buffer of 1 chunk, slow attention: a landing that waits moves the next request (every step in the comment)', () => {
    // P = 10, prefetch on, X = 2 per chunk, L = 2, D = 1; q firing II 1; chunk firings II 3; last latency 5.
    // c0: s0 = 0, due 4, next issue max(1, 2) = 2.   c1: 4 > 2, s1 = 2, due 6, next 4.
    // c2: chunk 0 due 4 <= 4 lands at 4 (c < D); s2 = 4, due 8, next 6.
    // c3: chunk 1 due 6 <= 6: a1 = max(r0 = 4, a0 + 1 = 11) = 11, lands at max(6, 11 + 2) = 13:
    //     wait 7, chunk 2 due 15, next issue 6 + 7 = 13; s3 = 13, due 13 + 2 + 2 = 17, next 15.
    // drain: chunk 2: a2 = max(13, 11 + 3) = 14, lands max(15, 16) = 16, chunk 3 due 18;
    //        chunk 3: a3 = max(16, 14 + 3) = 17, lands max(18, 19) = 19.
    // a4 = max(19, 17 + 3) = 20; out = 20 + 5 = 25; cycles = max(26, 10 + 0) = 26.
    // Transfer inside [0, 10): 2 + 2 + 2 + max(0, min(10, 13 + 2) - 13 = -3) = 6.
    const F = [{ iiCycles: 1, latencyCycles: 0 }, ...[0, 0, 0].map(() => ({ iiCycles: 3, latencyCycles: 0 })), { iiCycles: 3, latencyCycles: 5 }];
    const m = { qkvProjectionCycles: 10, prefetch: true, chunkTransferCycles: [2, 2, 2, 2], readLatencyCycles: 2, bufferChunks: 1, attentionFirings: F };
    expect(predictDecodeLayerAttention(m)).toEqual({
      chunkIssue: [0, 2, 4, 13],
      chunkReady: [4, 13, 16, 19],
      attentionStart: [10, 11, 14, 17, 20],
      outReadyCycle: 25,
      cycles: 26,
      kvTransferCyclesDuringProjection: 6,
    });
    // The write of the new token ends the step when it is the longest: max(26, 10 + 100).
    expect(predictDecodeLayerAttention({ ...m, writeCycles: 100 }).cycles).toBe(110);
  });

  it('on demand: the first request at P; a chunk issued after P adds nothing to the overlap', () => {
    // P = 3, X = [5], L = 1, D = 2: s0 = 3, due 9; a0 = 3, a1 = max(9, 3 + 1) = 9; out 9 + 2 = 11.
    const m = { qkvProjectionCycles: 3, prefetch: false, chunkTransferCycles: [5], readLatencyCycles: 1, bufferChunks: 2, attentionFirings: [{ iiCycles: 1, latencyCycles: 0 }, { iiCycles: 1, latencyCycles: 2 }] };
    expect(predictDecodeLayerAttention(m)).toEqual({ chunkIssue: [3], chunkReady: [9], attentionStart: [3, 9], outReadyCycle: 11, cycles: 12, kvTransferCyclesDuringProjection: 0 });
  });

  it('rejects firings that do not match the chunks', () => {
    expect(() =>
      predictDecodeLayerAttention({ qkvProjectionCycles: 1, prefetch: true, chunkTransferCycles: [1, 1], readLatencyCycles: 0, bufferChunks: 1, attentionFirings: [{ iiCycles: 1, latencyCycles: 0 }] }),
    ).toThrow('predictDecodeLayerAttention: 2 chunks need 3 attention firings, got 1');
  });
});

describe('kvPrefetch operator: arguments', () => {
  const image = new KvCacheImage(layout);
  image.write(1, 0, kvRows(0, 3, 1), kvRows(0, 3, -1));
  it('1 B/cycle and no read latency are valid: 3 positions x 48 B = 144 cycles each way', async () => {
    const out = await lastValueFrom(of({ layer: 1, historyPositions: 3 }).pipe(kvPrefetch({ image, layout, bytesPerCycle: 1, readLatencyCycles: 0 }), toArray()));
    expect(out.map((t) => [t.meta.positions, t.bytes, t.iiCycles, t.latencyCycles])).toEqual([[3, 144, 144, 144]]);
    expect(Array.from(out[0]!.payload.v)).toEqual(Array.from(kvRows(0, 3, -1)));
  });
  it("follows the image's layout when none is given: 3 positions x 48 B, not Qwen3-1.7B's 8 KiB per position", async () => {
    // layout: 2 KV heads x 3 x 4 B x (K, V) = 48 B per position; 20 positions per layer, 2 layers.
    const out = await lastValueFrom(of({ layer: 1, historyPositions: 3 }).pipe(kvPrefetch({ image, bytesPerCycle: 16, readLatencyCycles: 2 }), toArray()));
    // 144 B / 16 B per cycle = 9 cycles, readable 2 later.
    expect(out.map((t) => [t.meta.positions, t.bytes, t.iiCycles, t.latencyCycles])).toEqual([[3, 144, 9, 11]]);
    // The image's capacity (20 positions) and layer range (0..1), not the default's 40960 and 0..27.
    await expect(lastValueFrom(of({ layer: 1, historyPositions: 20 }).pipe(kvPrefetch({ image })))).rejects.toThrow(
      'kvPrefetch: job 0 (layer 1): context needs 21 KV positions but the KV cache reserves 20 positions per layer (layout.maxPositions)',
    );
    await expect(lastValueFrom(of({ layer: 2, historyPositions: 1 }).pipe(kvPrefetch({ image })))).rejects.toThrow('kvPrefetch: job 0: layer 2 is outside 0..1');
    expect(() => kvPrefetch({ image, layout: { ...layout, headDim: 4 } })).toThrow("kvPrefetch: layout.headDim is 4 but the image's layout has 3 (the chunks are read from the image; leave layout out)");
  });
  it('bad latency, bandwidth and jobs are named', async () => {
    expect(() => kvPrefetch({ image, readLatencyCycles: -1 })).toThrow('kvPrefetch: readLatencyCycles must be an integer >= 0, got -1');
    expect(() => kvPrefetch({ image, readLatencyCycles: 0.5 })).toThrow('kvPrefetch: readLatencyCycles must be an integer >= 0, got 0.5');
    expect(() => kvPrefetch({ image, bytesPerCycle: 1.5 })).toThrow('kvPrefetch: bytesPerCycle must be an integer >= 1, got 1.5');
    await expect(lastValueFrom(of({ layer: 2, historyPositions: 1 }).pipe(kvPrefetch({ image, layout })))).rejects.toThrow('kvPrefetch: job 0: layer 2 is outside 0..1');
  });
});
