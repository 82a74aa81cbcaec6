import { describe, expect, it } from 'vitest';
import { GraphBuilder, rankBottlenecks, runGraph, sinkActor, stageActor, type ActorSummary, type FifoSummary, type ResourceSummary } from './index.js';

/** Every figure of a run's summary on a memory-bound pair, derived by hand; the bottleneck ranking's rules on hand-written figures. */
describe('run summary: every figure of a memory-bound pair', () => {
  // 'load' reads 64 B per firing from a 32 B/cycle channel: firing k holds the channel over
  // [2k, 2k + 2), its tile is written at 2k + 2 (latency 0) and its next firing starts then
  // (max(t + II 1, end of access)). The sink reads each tile as it lands, at 2k + 2; the run
  // ends when the last read (k = 9, at 20) completes: 21 cycles.
  const build = () => {
    const g = new GraphBuilder('mem');
    g.resource({ name: 'hbm', unitsPerCycle: 32, unit: 'bytes' });
    const f = g.stream('f', { depth: 2, widthBytes: 4 });
    g.invoke({ name: 'load', outputs: { out: { widthBytes: 4 } }, firings: 10, resources: ['hbm'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'hbm', units: 64 }] } }, { out: { out: f } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: f } });
    return g.build();
  };

  it('actors, FIFO, resource and bottlenecks', () => {
    const r = runGraph(build(), { trace: 'full' });
    expect(r.cycles).toBe(21);
    expect(r.summary.actors).toEqual([
      // Busy 2 cycles a firing (20), of which 1 beyond its II is the channel's (resource-bound 10); idle in cycle 20.
      { actor: 'load', firings: 10, busyCycles: 20, stalledEmptyCycles: 0, stalledFullCycles: 0, stalledContentionCycles: 0, resourceBoundCycles: 10, idleCycles: 1, utilisation: 20 / 21 },
      // Busy at 2, 4, ..., 20; waiting for 'f' over [0, 2) and at 3, 5, ..., 19: 2 + 9 = 11.
      { actor: 'sink', firings: 10, busyCycles: 10, stalledEmptyCycles: 11, stalledFullCycles: 0, stalledContentionCycles: 0, resourceBoundCycles: 0, idleCycles: 0, utilisation: 10 / 21 },
    ]);
    // Each tile is read the cycle it lands (held 1); the slot read 2 cycles before a write is free again.
    expect(r.summary.fifos).toEqual([{ fifo: 'f', depth: 2, tokens: 10, maxOccupancy: 1, stallFreeDepth: 1, fullStallCycles: 0, emptyStallCycles: 11 }]);
    expect(r.summary.resources).toEqual([{ resource: 'hbm', unit: 'bytes', unitsPerCycle: 32, unitsServed: 640, grants: 10, busyCycles: 20, utilisation: 640 / (32 * 21), contentionCycles: 0 }]);
    // The channel's busy cycles are charged to it, not to 'load': hbm 20/21 first; load
    // (20 - 10) / 21 and sink 10 / 21 tie, actors in name order.
    expect(r.summary.bottlenecks).toEqual([
      { kind: 'resource', name: 'hbm', utilisation: 20 / 21, why: 'delivered 640 bytes of a 32/cycle peak; busy in 20 of 21 cycles' },
      { kind: 'actor', name: 'load', utilisation: 10 / 21, why: 'busy 20 of 21 cycles; 10 of its busy cycles were spent being served by shared resources' },
      { kind: 'actor', name: 'sink', utilisation: 10 / 21, why: 'busy 10 of 21 cycles' },
    ]);
    // The trace closes with the idle cycle of 'load'.
    expect(r.events.filter((e) => e.kind === 'actor' && e.state === 'idle')).toEqual([{ kind: 'actor', actor: 'load', state: 'idle', startCycle: 20, endCycle: 21 }]);
  });
});

describe('rankBottlenecks on hand-written figures', () => {
  // A chain p -> (a) -> q; figures over a 100-cycle run (p's states add up to 100).
  const g = new GraphBuilder('rank');
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  g.invoke(stageActor({ name: 'p', widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { in: { in: b }, out: { out: a } });
  g.invoke(stageActor({ name: 'q', widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { in: { in: a }, out: { out: b } });
  const graph = g.build();
  const actor = (name: string, busy: number, empty: number, full: number, contention: number, bound: number, idle: number): ActorSummary => ({
    actor: name,
    firings: 1,
    busyCycles: busy,
    stalledEmptyCycles: empty,
    stalledFullCycles: full,
    stalledContentionCycles: contention,
    resourceBoundCycles: bound,
    idleCycles: idle,
    utilisation: busy / 100,
  });
  const fifo = (name: string, full: number): FifoSummary => ({ fifo: name, depth: 2, tokens: 1, maxOccupancy: 1, stallFreeDepth: 1, fullStallCycles: full, emptyStallCycles: 0 });
  const res = (name: string, busy: number, contention: number): ResourceSummary => ({ resource: name, unit: 'bytes', unitsPerCycle: 8, unitsServed: 80, grants: 2, busyCycles: busy, utilisation: 0.1, contentionCycles: contention });

  it('utilisation: busy minus resource-bound plus contention; the reasons name contention, full producers and memory-bound cycles', () => {
    // p: 10 busy (0 bound) + 30 contention (+ 40 empty, 10 full, 10 idle = 100): (10 + 30) / 100.
    // q: 60 busy of which 20 bound: (60 - 20) / 100; its input 'a' stalled p full 10 cycles.
    const ranked = rankBottlenecks([actor('p', 10, 40, 10, 30, 0, 10), actor('q', 60, 40, 0, 0, 20, 0)], [fifo('a', 10), fifo('b', 0)], [res('r', 35, 7)], graph);
    expect(ranked).toEqual([
      { kind: 'actor', name: 'p', utilisation: 0.4, why: 'busy 10 of 100 cycles; waited 30 cycles for shared resources' },
      { kind: 'actor', name: 'q', utilisation: 0.4, why: "busy 60 of 100 cycles; producers stalled full on 'a' (10 cycles); 20 of its busy cycles were spent being served by shared resources" },
      { kind: 'resource', name: 'r', utilisation: 0.35, why: 'delivered 80 bytes of a 8/cycle peak; requesters waited 7 cycles; busy in 35 of 100 cycles' },
    ]);
  });

  it('ties: a resource before an actor, then names in order', () => {
    const ranked = rankBottlenecks([actor('q', 50, 50, 0, 0, 0, 0), actor('p', 50, 50, 0, 0, 0, 0)], [fifo('a', 0), fifo('b', 0)], [res('z', 50, 0), res('m', 50, 0)], graph);
    expect(ranked.map((x) => `${x.kind} ${x.name}`)).toEqual(['resource m', 'resource z', 'actor p', 'actor q']);
  });

  it('no actors: a run of 0 cycles, every utilisation 0', () => {
    const empty = new GraphBuilder('none').build();
    expect(rankBottlenecks([], [], [res('r', 0, 0)], empty)).toEqual([{ kind: 'resource', name: 'r', utilisation: 0, why: 'delivered 80 bytes of a 8/cycle peak; busy in 0 of 0 cycles' }]);
  });
});
