import { GraphBuilder, sinkActor, sourceActor, stageActor, type Graph } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { PassAggregator } from './aggregate.js';
import { tracePass } from './source.js';
import { TIMELINE_STATES } from './schema.js';

/**
 * src (3 tokens, II 1, latency 1) -> 'a' (depth 1) -> slow (II 5, latency 1) -> 'b' (depth 1) -> sink (II 1).
 * HLS FIFO rule (core README): firing i of src writes at s + 1; with depth 1, token j is written no
 * earlier than 2 cycles after token j - 1 was read; a blocked write freezes the producer.
 *   src0: starts 0, writes 1.   slow0 starts 1, reads token 0 at 1 (slot writable again at 3).
 *   src1: starts 1, write due 2, waits to 3: frozen 1 cycle (cycle 2); its next start moves to 3.
 *   slow1: starts max(1 + 5, 3) = 6, reads token 1 at 6 (writable again at 8).
 *   src2: starts 3, write due 4, waits to 8: frozen 4 cycles (4..7).
 *   slow2: starts max(6 + 5, 8) = 11. Run end: 11 + II 5 = 16 (the last initiation interval elapsed).
 * src: busy 3 (one cycle per firing), blocked on 'a' 1 + 4 = 5, idle 16 - 3 - 5 = 8.
 * slow: busy 3 x 5 = 15, starved on 'a' over [0, 1) = 1, so idle 0.
 */
function chain(): Graph {
  const g = new GraphBuilder('chain');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 1 } }), { out: { out: a } });
  g.invoke(stageActor({ name: 'slow', widthBytes: 4, cost: { iiCycles: 5, latencyCycles: 1 } }), { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
  return g.build();
}

/** Two readers sharing a 1-byte/cycle channel, for contention and a resource bottleneck. */
function shared(): Graph {
  const g = new GraphBuilder('shared');
  g.resource({ name: 'hbm.weights', unitsPerCycle: 4, unit: 'bytes' });
  for (const n of ['r0', 'r1']) {
    const s = g.stream(`${n}.out`, { depth: 2, widthBytes: 4 });
    g.invoke({ name: n, outputs: { out: { widthBytes: 4 } }, firings: 8, resources: ['hbm.weights'], cost: { iiCycles: 1, latencyCycles: 1, requests: [{ resource: 'hbm.weights', units: 16 }] } }, { out: { out: s } });
    g.invoke(sinkActor({ name: `${n}.sink`, widthBytes: 4 }), { in: { in: s } });
  }
  return g.build();
}

function sumCauses(t: { causes: readonly { state: string; cycles: number }[] }, state: string): number {
  return t.causes.filter((c) => c.state === state).reduce((s, c) => s + c.cycles, 0);
}

describe('PassAggregator', () => {
  it('charges the hand-derived cycles of a depth-1 chain to their causes', () => {
    const { pass } = tracePass(chain(), { label: 'chain' });
    expect(pass.cycles).toBe(16);
    const src = pass.totals.find((t) => t.actor === 'src')!;
    expect(src.busy).toBe(3);
    expect(src.causes).toEqual([{ state: 'blocked', on: 'a', cycles: 5 }]);
    expect(src.idle).toBe(16 - 3 - 5);
    const slow = pass.totals.find((t) => t.actor === 'slow')!;
    expect(slow.busy).toBe(15);
    expect(slow.causes).toEqual([{ state: 'starved', on: 'a', cycles: 1 }]);
    expect(slow.idle).toBe(0);
    expect(pass.graph.fifos.find((f) => f.name === 'a')).toMatchObject({ depth: 1, producer: 'src', consumer: 'slow', peakOccupancy: 1, fullStallCycles: 5 });
    expect(pass.bottlenecks[0]).toMatchObject({ kind: 'group', name: 'slow' });
    expect(pass.bottlenecks[0]!.share).toBeCloseTo(15 / 16, 12);
  });

  for (const [name, graph] of [
    ['chain', chain],
    ['shared channel', shared],
  ] as const) {
    it(`${name}: every actor's busy + stalls + idle add up to the run length and agree with the engine's counters`, () => {
      const { pass, summary } = tracePass(graph(), { label: name });
      expect(pass.partial).toBe(false);
      for (const t of pass.totals) {
        const sum = t.busy + t.causes.reduce((s, c) => s + c.cycles, 0) + t.idle;
        expect(sum, t.actor).toBe(pass.cycles);
        const a = summary.actors.find((x) => x.actor === t.actor)!;
        expect([t.busy, sumCauses(t, 'starved'), sumCauses(t, 'blocked'), sumCauses(t, 'contention'), t.idle, t.firings]).toEqual([
          a.busyCycles,
          a.stalledEmptyCycles,
          a.stalledFullCycles,
          a.stalledContentionCycles,
          a.idleCycles,
          a.firings,
        ]);
      }
      // Every timeline level holds the same cycles per group and state as the totals.
      for (const lvl of pass.timeline.levels) {
        pass.timeline.groups.forEach((g, gi) => {
          const members = pass.totals.filter((t) => t.group === g);
          const expected = { busy: 0, starved: 0, blocked: 0, contention: 0 };
          for (const t of members) {
            expected.busy += t.busy;
            for (const c of t.causes) expected[c.state] += c.cycles;
          }
          for (const s of TIMELINE_STATES) expect(lvl[s].slice(gi * lvl.windows, (gi + 1) * lvl.windows).reduce((x, y) => x + y, 0), `${g} ${s} at ${lvl.windowCycles}`).toBe(expected[s]);
        });
      }
    });
  }

  it('names the waiting actor and the holder on a shared channel, and ranks the channel first', () => {
    const { pass, summary } = tracePass(shared(), { label: 'shared' });
    // 2 readers x 8 firings x 16 bytes at 4 bytes/cycle: the channel serves 256 bytes in 64 cycles.
    const hbm = pass.graph.resources.find((r) => r.name === 'hbm.weights')!;
    expect(hbm.unitsServed).toBe(256);
    expect(hbm.busyCycles).toBe(64);
    expect(pass.bottlenecks[0]).toMatchObject({ kind: 'resource', name: 'hbm.weights' });
    expect(pass.bottlenecks[0]!.name).toBe(summary.bottlenecks[0]!.name);
    expect(pass.bottlenecks[0]!.explanation).toMatch(/^r\d waits on hbm\.weights \d+% of the pass.*runs at 100% of its peak while busy, so more HBM channels/);
    const waits = pass.totals.flatMap((t) => t.causes.filter((c) => c.state === 'contention'));
    expect(waits.length).toBeGreaterThan(0);
    for (const c of waits) expect(['r0', 'r1']).toContain(c.heldBy);
    // The counter of the channel carries every byte.
    const series = pass.counters.resources.find((r) => r.name === 'hbm.weights')!;
    expect(series.served.reduce((a, b) => a + b, 0)).toBeCloseTo(256, 9);
  });

  it('groups actors into timeline rows and keeps memory fixed: windows double instead of growing', () => {
    const g = chain();
    const agg = new PassAggregator(g, { label: 'x', groupOf: (a) => (a === 'sink' ? 'io' : a === 'src' ? 'io' : 'compute'), timelineWindows: 8 });
    agg.push({ kind: 'actor', actor: 'src', state: 'busy', startCycle: 0, endCycle: 1000, firing: 0 });
    agg.push({ kind: 'actor', actor: 'slow', state: 'stalled-empty', startCycle: 0, endCycle: 1000, fifo: 'a' });
    const p = agg.finish();
    expect(p.partial).toBe(true);
    expect(p.cycles).toBe(1000);
    // 1000 cycles in at most 8 windows: width 128 (the first power of two with 8 x W >= 1000).
    expect(p.timeline.groups).toEqual(['io', 'compute']);
    expect(p.timeline.groupActors).toEqual([2, 1]);
    expect(p.timeline.levels[0]!.windowCycles).toBe(128);
    expect(p.timeline.levels[0]!.busy.slice(0, 8)).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
  });

  it('refuses events of actors the graph does not have', () => {
    const agg = new PassAggregator(chain(), { label: 'x' });
    expect(() => agg.push({ kind: 'actor', actor: 'ghost', state: 'busy', startCycle: 0, endCycle: 1 })).toThrow(/unknown actor 'ghost'/);
  });
});
