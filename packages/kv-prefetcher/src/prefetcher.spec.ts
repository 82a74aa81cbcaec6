import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { hbmChannelGroup, V80_HBM } from '@lut-llm/memory';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KV_PREFETCHER_PARAMS, DEFAULT_KV_WRITER_PARAMS, hbmKvPrefetcherStage, kvChunkWidthBytes, kvPrefetcherActor, kvPrefetchSchedule, kvWriterActor, kvWriterWidthBytes, type KvPrefetcherParams } from './index.js';

describe('KV prefetcher alone', () => {
  it('schedule: history 150 in chunks of 64 -> 64, 64, 22 positions of 8 KiB each', () => {
    const p: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, jobs: [{ layer: 4, historyPositions: 150 }, { layer: 5, historyPositions: 0 }] };
    expect(kvPrefetchSchedule(p).map((c) => [c.layer, c.positionStart, c.positions, c.chunk, c.chunks, c.bytes])).toEqual([
      [4, 0, 64, 0, 3, 524288],
      [4, 64, 64, 1, 3, 524288],
      [4, 128, 22, 2, 3, 180224],
    ]);
  });

  it('timing: chunks stream back to back over the 2 kvRead channels (64 B/cycle); chunk c is ready at the end of its bytes + 64', () => {
    const p: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, jobs: [{ layer: 0, historyPositions: 150 }] };
    const g = new GraphBuilder('prefetch-alone');
    g.resource(hbmChannelGroup('kvRead', V80_HBM));
    const kv = g.stream('kv', { depth: p.bufferChunks, widthBytes: kvChunkWidthBytes(p) });
    g.invoke(kvPrefetcherActor('pf', p), { out: { kv } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: kvChunkWidthBytes(p) }), { in: { in: kv } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([8192 + 64, 16384 + 64, 16384 + 2816 + 64]);
    const grants = r.events.filter((e) => e.kind === 'grant');
    expect(grants.map((e) => (e.kind === 'grant' ? [e.startCycle, e.endCycle, e.units] : []))).toEqual([
      [0, 8192, 524288],
      [8192, 16384, 524288],
      [16384, 19200, 180224],
    ]);
  });

  it('a full buffer stalls the prefetcher (depth 1, slow consumer)', () => {
    const p: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, bufferChunks: 1, jobs: [{ layer: 0, historyPositions: 192 }] };
    const g = new GraphBuilder('stall');
    g.resource(hbmChannelGroup('kvRead', V80_HBM));
    const kv = g.stream('kv', { depth: 1, widthBytes: kvChunkWidthBytes(p) });
    g.invoke(kvPrefetcherActor('pf', p), { out: { kv } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: kvChunkWidthBytes(p), cost: { iiCycles: 20000, latencyCycles: 0 } }), { in: { in: kv } });
    const r = runGraph(g.build());
    // Three 64-position chunks, 8192 cycles each on the channel, + 64 latency. A chunk in flight
    // from HBM occupies no slot (HLS FIFO): chunk 0 lands at 8256 (read then), chunk 1 at
    // 16448 (the slot was freed at 8256). The sink (II 20000) reads chunk 1 at 28256, so chunk
    // 2, due at 24576 + 64 = 24640, waits until 28256 + 2: the prefetcher freezes 3618 cycles.
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([8256, 16448, 28258]);
    expect(r.summary.actors.find((a) => a.actor === 'pf')!.stalledFullCycles).toBe(28258 - 24640);
  });

  it('rejects a history that leaves no room in the reservation, and functional mode without an image', () => {
    const layout = { ...DEFAULT_KV_PREFETCHER_PARAMS.layout, maxPositions: 2048 };
    expect(() => kvPrefetcherActor('pf', { ...DEFAULT_KV_PREFETCHER_PARAMS, layout, jobs: [{ layer: 0, historyPositions: 2048 }] })).toThrow(
      /kv-prefetcher 'pf': job 0 \(layer 0\): context needs 2049 KV positions but the KV cache reserves 2048 positions per layer/,
    );
    const p: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, jobs: [{ layer: 0, historyPositions: 1 }] };
    const g = new GraphBuilder('no-image');
    g.resource(hbmChannelGroup('kvRead', V80_HBM));
    const kv = g.stream('kv', { depth: 1, widthBytes: kvChunkWidthBytes(p) });
    g.invoke(hbmKvPrefetcherStage.actor('pf', p), { out: { kv } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: kvChunkWidthBytes(p) }), { in: { in: kv } });
    expect(() => runGraph(g.build(), { mode: 'functional' })).toThrow(/functional mode needs params.image/);
  });
});

describe('KV writer', () => {
  it('writes 8 KiB per new position over the 2 kvWrite channels (128 cycles) and rejects positions past the reservation', () => {
    const build = (position: number) => {
      const g = new GraphBuilder('writer');
      g.resource(hbmChannelGroup('kvWrite', V80_HBM));
      const s = g.stream('s', { depth: 1, widthBytes: kvWriterWidthBytes(DEFAULT_KV_WRITER_PARAMS) });
      g.invoke(sourceActor({ name: 'src', count: 1, widthBytes: kvWriterWidthBytes(DEFAULT_KV_WRITER_PARAMS), meta: () => ({ layer: 0, positionStart: position, positions: 1 }) }), { out: { out: s } });
      g.invoke(kvWriterActor('w', DEFAULT_KV_WRITER_PARAMS), { in: { kv: s } });
      return g.build();
    };
    expect(runGraph(build(100)).cycles).toBe(128 + 64);
    expect(() => runGraph(build(40960))).toThrow(/kv-writer 'w' \(layer 0\): context needs 40961 KV positions/);
  });
});
