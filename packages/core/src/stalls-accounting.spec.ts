import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, type ActorStateEvent, type RunResult } from './index.js';

/**
 * Stall bookkeeping (issue 23: survivors of mutation testing in stalls.ts), on runs derived by
 * hand: which FIFO an empty stall is charged to when an actor waits on one input and then
 * another, contention waits with the requester that held the resource, freezes after a busy
 * interval, and the trace agreeing with the summary's counters.
 */
function states(r: RunResult, actor: string, keepIdle = false) {
  return r.events
    .filter((e): e is ActorStateEvent => e.kind === 'actor' && e.actor === actor && (keepIdle || e.state !== 'idle'))
    .map((e) => [e.state, e.startCycle, e.endCycle, e.firing ?? e.fifo ?? e.heldBy])
    .sort((x, y) => (x[1] as number) - (y[1] as number));
}

/**
 * The trace's actor intervals, summed per state, are the summary's cycles per state, and no
 * interval is empty. (The engine keeps the counters and the trace apart: the counters in typed
 * arrays, the events from the open intervals.)
 */
function expectTraceMatchesSummary(r: RunResult): void {
  const sums = new Map<string, number>();
  for (const e of r.events) {
    if (e.kind !== 'actor') continue;
    expect(e.endCycle, `${e.actor} ${e.state} at ${e.startCycle}`).toBeGreaterThan(e.startCycle);
    const key = `${e.actor} ${e.state}`;
    sums.set(key, (sums.get(key) ?? 0) + e.endCycle - e.startCycle);
  }
  for (const x of r.summary.actors) {
    const of = (state: string) => sums.get(`${x.actor} ${state}`) ?? 0;
    expect([of('busy'), of('stalled-empty'), of('stalled-full'), of('stalled-contention'), of('idle')], x.actor).toEqual([
      x.busyCycles,
      x.stalledEmptyCycles,
      x.stalledFullCycles,
      x.stalledContentionCycles,
      x.idleCycles,
    ]);
  }
}

describe('stall accounting (hand-derived)', () => {
  it('an actor waiting on one input and then on another: each wait is charged to its own FIFO', () => {
    // srcA writes its one token at 5 (latency 5), srcB at 9. join reads both: it waits on a over
    // [0, 5), then on b over [5, 9), fires at 9 (II 1). Run: 10 cycles.
    const g = new GraphBuilder('join');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'srcA', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 5 } }), { out: { out: a } });
    g.invoke(sourceActor({ name: 'srcB', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 9 } }), { out: { out: b } });
    g.invoke({ name: 'join', inputs: { a: { widthBytes: 4 }, b: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { a, b } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(10);
    expect(states(r, 'join')).toEqual([
      ['stalled-empty', 0, 5, 'a'],
      ['stalled-empty', 5, 9, 'b'],
      ['busy', 9, 10, 0],
    ]);
    expect(r.summary.fifos.map((f) => [f.fifo, f.emptyStallCycles])).toEqual([
      ['a', 5],
      ['b', 4],
    ]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.idleCycles])).toEqual([
      ['srcA', 1, 0, 9],
      ['srcB', 1, 0, 9],
      ['join', 1, 9, 0],
    ]);
    expectTraceMatchesSummary(r);
  });

  it('a sink waiting for a token that never comes is idle, not stalled', () => {
    // src writes at 0 and 1 (its firing 1 has II 7); snk (II 1) reads them at 0 and 1, then
    // waits on a from 2. src retires at 8, when its II ends, and closes a: snk finds a empty and
    // closed and retires, so its wait [2, 8) was for a token that never came: idle. 8 cycles.
    const g = new GraphBuilder('tail');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4, cost: (f) => ({ iiCycles: f.index === 0 ? 1 : 7, latencyCycles: 0 }) }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4 }), { in: { in: a } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(8);
    expect(states(r, 'snk', true)).toEqual([
      ['busy', 0, 1, 0],
      ['busy', 1, 2, 1],
      ['idle', 2, 8, undefined],
    ]);
    expect(r.summary.actors[1]).toMatchObject({ busyCycles: 2, stalledEmptyCycles: 0, idleCycles: 6 });
    expect(r.summary.fifos[0]!.emptyStallCycles).toBe(0);
    expectTraceMatchesSummary(r);
  });

  it('a stage whose input ran dry while its last write is in flight: the wait is idle, the later freeze is not a wait', () => {
    // src writes a0 at 0 and a1 at 1 (its firing 1 has II 3: it closes a at 4). mid (II 1,
    // latency 5) starts at 0 and 1 (writes due 5 and 6), waits on a from 2, and retires at 4 when
    // a closes: that wait was idle. snk (II 10) reads b0 at 5 (slot free from 7): b1, due 6,
    // freezes mid over [6, 7), after it retired; snk reads b1 at 15, done at 25.
    const g = new GraphBuilder('dry');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4, cost: (f) => ({ iiCycles: f.index === 0 ? 1 : 3, latencyCycles: 0 }) }), { out: { out: a } });
    g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 5 } }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: { iiCycles: 10, latencyCycles: 0 } }), { in: { in: b } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(25);
    expect(r.sinks['snk']!.map((t) => t.readyCycle)).toEqual([5, 7]);
    expect(states(r, 'mid')).toEqual([
      ['busy', 0, 1, 0],
      ['busy', 1, 2, 1],
      ['stalled-full', 6, 7, 'b'],
    ]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.stalledFullCycles, x.idleCycles])).toEqual([
      ['src', 4, 0, 0, 21],
      ['mid', 2, 0, 1, 22],
      ['snk', 20, 5, 0, 0],
    ]);
    expect(r.summary.fifos.map((f) => [f.fifo, f.emptyStallCycles, f.fullStallCycles])).toEqual([
      ['a', 0, 0],
      ['b', 5, 1],
    ]);
  });

  it('two memory-bound producers on one port: contention, resource-bound cycles and a late freeze', () => {
    // R serves 4 units per cycle; p0 and p1 (3 firings each, II 1, latency 1) request 6 units
    // per firing. A request takes what is left of its cycle, then whole cycles; requests of one
    // cycle go round-robin (p0 first in cycle 0).
    //   cycle 0: p0 gets 4 + 2 in cycle 1 -> [0, 2); p1 the 2 left in 1 + 4 in 2 -> [1, 3),
    //            waiting [0, 1) behind p0.
    //   p0 f1 asks at 2 (next = max(0 + 1, 2)): cycle 2 is full -> [3, 5), waits [2, 3) behind p1.
    //   p1 f1 at 3: cycle 3 full -> 2 in 4, 4 in 5 -> [4, 6), waits [3, 4) behind p0.
    //   p0 f2 at 5 -> [6, 8) (waits [5, 6)); p1 f2 at 6 -> [7, 9) (waits [6, 7)).
    // Each firing is busy 2 cycles, 1 beyond its II: resource-bound 3 per producer.
    // Writes at grant end + 1: p0 at 3, 6, 9 (s0, II 1, reads each at once); p1 at 4, 7, 10 into
    // f1 (depth 1), read by s1 (II 5) at 4, 9, 14: token 2 (due 10) needs token 1's slot, read at
    // 9, from 11: p1 freezes over [10, 11), after its last busy interval [7, 9) ended.
    // s1's last firing [14, 19) ends the run: 19 cycles.
    const g = new GraphBuilder('ports');
    g.resource({ name: 'R', unitsPerCycle: 4 });
    for (const [k, sinkIi] of [
      [0, 1],
      [1, 5],
    ] as const) {
      const f = g.stream(`f${k}`, { depth: 1, widthBytes: 4 });
      g.invoke({ name: `p${k}`, outputs: { out: { widthBytes: 4 } }, firings: 3, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 1, requests: [{ resource: 'R', units: 6 }] } }, { out: { out: f } });
      g.invoke(sinkActor({ name: `s${k}`, widthBytes: 4, cost: { iiCycles: sinkIi, latencyCycles: 0 } }), { in: { in: f } });
    }
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(19);
    expect(r.events.flatMap((e) => (e.kind === 'grant' ? [[e.actor, e.requestCycle, e.startCycle, e.endCycle]] : []))).toEqual([
      ['p0', 0, 0, 2],
      ['p1', 0, 1, 3],
      ['p0', 2, 3, 5],
      ['p1', 3, 4, 6],
      ['p0', 5, 6, 8],
      ['p1', 6, 7, 9],
    ]);
    expect(states(r, 'p1')).toEqual([
      ['stalled-contention', 0, 1, 'p0'],
      ['busy', 1, 3, 0],
      ['stalled-contention', 3, 4, 'p0'],
      ['busy', 4, 6, 1],
      ['stalled-contention', 6, 7, 'p0'],
      ['busy', 7, 9, 2],
      ['stalled-full', 10, 11, 'f1'],
    ]);
    expect(states(r, 'p0')).toEqual([
      ['busy', 0, 2, 0],
      ['stalled-contention', 2, 3, 'p1'],
      ['busy', 3, 5, 1],
      ['stalled-contention', 5, 6, 'p1'],
      ['busy', 6, 8, 2],
    ]);
    expect(r.events.filter((e) => e.kind === 'actor' && e.state === 'stalled-contention').every((e) => e.kind === 'actor' && e.resource === 'R')).toBe(true);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.stalledFullCycles, x.stalledContentionCycles, x.resourceBoundCycles, x.idleCycles])).toEqual([
      ['p0', 6, 0, 0, 2, 3, 11],
      ['s0', 3, 7, 0, 0, 0, 9],
      ['p1', 6, 0, 1, 3, 3, 9],
      ['s1', 15, 4, 0, 0, 0, 0],
    ]);
    expect(r.summary.fifos.map((f) => [f.fifo, f.fullStallCycles, f.emptyStallCycles])).toEqual([
      ['f0', 0, 7],
      ['f1', 1, 4],
    ]);
    expectTraceMatchesSummary(r);
    // Without a trace: the same figures.
    expect(runGraph(g.build()).summary).toEqual(r.summary);
  });
});
