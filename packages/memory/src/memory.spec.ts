import { GraphBuilder, interleavedRequests, resourceGroup, runGraph, sinkActor, type ActorStateEvent } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { bandwidthGBps, bankResource, checkBudget, hbmChannelGroup, hbmPeakBytesPerCycle, kvCacheChannelGroup, memoryBank, V80_HBM, V80_ON_CHIP } from './index.js';

describe('HBM', () => {
  it('V80 weight channels: 32 x 256 bits = 1024 B/cycle, about 232 GB/s at 227 MHz', () => {
    expect(hbmPeakBytesPerCycle('weights')).toBe(1024);
    expect(bandwidthGBps(1024, 227)).toBeCloseTo(232.4, 1);
  });

  it('a reader of 1 MiB on 32 channels takes 1024 cycles + latency; on 8 channels 4x as long', () => {
    for (const channels of [32, 8]) {
      const cfg = { ...V80_HBM, channels: { ...V80_HBM.channels, weights: channels } };
      const g = new GraphBuilder('hbm-read');
      g.resource(hbmChannelGroup('weights', cfg));
      const o = g.stream('o', { depth: 2, widthBytes: 64 });
      g.invoke(
        {
          name: 'reader',
          outputs: { out: { widthBytes: 64 } },
          firings: 16,
          resources: ['hbm.weights'],
          cost: { iiCycles: 1, latencyCycles: cfg.readLatencyCycles, requests: [{ resource: 'hbm.weights', units: 65536 }] },
        },
        { out: { out: o } },
      );
      g.invoke(sinkActor({ name: 'sink', widthBytes: 64 }), { in: { in: o } });
      const r = runGraph(g.build());
      const transfer = (16 * 65536) / (channels * 32);
      expect(r.cycles).toBe(transfer + 64 + 1);
      expect(r.summary.bottlenecks[0]!.name).toBe('hbm.weights');
    }
  });

  it('rejects a channel count of 0', () => {
    expect(() => hbmChannelGroup('weights', { ...V80_HBM, channels: { ...V80_HBM.channels, weights: 0 } })).toThrow(/'weights' needs an integer >= 1 of channels, got 0/);
  });
});

describe('KV-cache channels: K and V ports shared by reads and writes', () => {
  it('is one interleaved group of kvRead + kvWrite channels of 32 B/cycle, 64 B beats', () => {
    expect(kvCacheChannelGroup(V80_HBM)).toMatchObject({ name: 'hbm.kv', channels: 4, unitsPerCycle: 32, interleaveBytes: 64 });
    expect(() => kvCacheChannelGroup({ ...V80_HBM, channels: { ...V80_HBM.channels, kvWrite: 0 } })).toThrow(/'kvWrite' needs an integer >= 1 of channels, got 0/);
  });

  it('README example: a 1 KiB write at cycle 100 waits behind a 64 KiB read from cycle 1 (513 - 100 = 413 cycles on each channel)', () => {
    // The read: 65,536 B from address 0 in 64 B beats over 4 channels = 16,384 B per channel at
    // 32 B/cycle = 512 cycles, [1, 513). The write: 1,024 B at 1 MiB (a multiple of 4 x 64 B, so
    // 256 B per channel, 8 cycles) asks at 100 and is served [513, 521), held by the reader.
    const kv = kvCacheChannelGroup(V80_HBM);
    const g = new GraphBuilder('kv');
    for (const r of resourceGroup(kv)) g.resource(r);
    const names = resourceGroup(kv).map((r) => r.name);
    const access = (name: string, at: number, address: number, bytes: number) =>
      g.invoke({ name, firings: 2, resources: names, cost: (f) => (f.index === 0 ? { iiCycles: at, latencyCycles: 0 } : { iiCycles: 1, latencyCycles: 0, requests: interleavedRequests(kv, address, bytes) }) });
    access('reader', 1, 0, 65536);
    access('writer', 100, 1 << 20, 1024);
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(521);
    expect(r.summary.resources.map((x) => x.contentionCycles)).toEqual([413, 413, 413, 413]);
    const waits = r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.state === 'stalled-contention');
    expect(waits).toEqual([expect.objectContaining({ actor: 'writer', startCycle: 100, endCycle: 513, heldBy: 'reader' })]);
  });
});

describe('on-chip memories', () => {
  it('maps a 64x16 INT8 table to one BRAM36 with 2 ports, or 16 partitions with 32 ports', () => {
    const one = memoryBank('lut', 'bram', 64 * 16, 8);
    expect(one).toMatchObject({ primitives: 1, portsPerCycle: 2 });
    const split = memoryBank('lut', 'bram', 64 * 16, 8, 16);
    expect(split).toMatchObject({ primitives: 16, portsPerCycle: 32 });
    expect(bankResource(split)).toMatchObject({ unitsPerCycle: 32, unit: 'port-access' });
  });

  it('checks the device budget and names what overflows', () => {
    const huge = memoryBank('huge', 'uram', 1e9, 72);
    expect(() => checkBudget([huge], V80_ON_CHIP)).toThrow(/URAM288: \d+ needed, 1925 available/);
    expect(() => checkBudget([memoryBank('ok', 'bram', 1024, 8)], V80_ON_CHIP)).not.toThrow();
  });
});
