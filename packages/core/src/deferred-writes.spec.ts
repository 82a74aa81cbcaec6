import { describe, expect, it } from 'vitest';
import { GraphBuilder, retime, retimeTokens, runGraph, sinkActor, type ActorSpec, type ActorStateEvent, type FiringCost, type Graph, type RunResult } from './index.js';

/**
 * Writes planned while their FIFO is full of unread tokens (issue 23: survivors of mutation testing
 * in writes.ts), derived by hand from the core README's FIFO rules: a firing starting at s writes
 * at s + latency, in firing order; a slot freed by a read at r takes a write from r + 2; a write
 * that finds no slot freezes the whole pipeline (stall-pipeline) and every planned write, the
 * open II and the next start move by the length of the freeze; within a cycle writes land first,
 * then actors fire in graph order. Every run ends with all actors closed (no DeadlockError), which
 * needs the producer closed once its last deferred write lands.
 */
function states(r: RunResult, actor: string) {
  return r.events
    .filter((e): e is ActorStateEvent => e.kind === 'actor' && e.actor === actor && e.state !== 'idle')
    .map((e) => [e.state, e.startCycle, e.endCycle, e.firing ?? e.fifo])
    .sort((x, y) => (x[1] as number) - (y[1] as number));
}

function figures(r: RunResult) {
  return r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.stalledFullCycles, x.idleCycles]);
}

/** src fires once per entry of `costs` into `a` (depth 1); snk reads it at II `sinkIi`. */
function pair(costs: readonly FiringCost[], sinkIi = 1): Graph {
  const g = new GraphBuilder('deferred');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: costs.length, cost: (f) => costs[f.index]! }, { out: { out: a } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: { iiCycles: sinkIi, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

describe('deferred writes: planned while the FIFO is full, resolved by the read that frees it', () => {
  it('the read comes 2 or more cycles before the planned write: the write lands on time, then the producer closes', () => {
    // f0 starts at 0, writes at 2 into a fresh slot. f1 starts at 1, due at 7: the FIFO holds t0
    // (unread), so its write waits for a read. snk reads t0 at 2 (slot free from 4 <= 7): t1 is
    // written at 7 as planned. src ran out of firings at 2, so with t1 written it closes, and
    // snk, having read t1 at 7, finds the FIFO empty and closed at 8: cycles 8.
    const r = runGraph(pair([{ iiCycles: 1, latencyCycles: 2 }, { iiCycles: 1, latencyCycles: 6 }]), { trace: 'full' });
    expect(r.cycles).toBe(8);
    expect(r.sinks['snk']!.map((t) => t.readyCycle)).toEqual([2, 7]);
    expect(states(r, 'src')).toEqual([
      ['busy', 0, 1, 0],
      ['busy', 1, 2, 1],
    ]);
    expect(states(r, 'snk')).toEqual([
      ['stalled-empty', 0, 2, 'a'],
      ['busy', 2, 3, 0],
      ['stalled-empty', 3, 7, 'a'],
      ['busy', 7, 8, 1],
    ]);
    expect(figures(r)).toEqual([
      ['src', 2, 0, 0, 6],
      ['snk', 2, 6, 0, 0],
    ]);
    expect(r.summary.fifos).toEqual([{ fifo: 'a', depth: 1, tokens: 2, maxOccupancy: 1, stallFreeDepth: 1, fullStallCycles: 0, emptyStallCycles: 6 }]);
  });

  it('the read comes 1 cycle before the planned write: the write stalls 1 cycle, after the producer retired', () => {
    // f0: start 0, write 2. f1: start 1, due 3, FIFO full (t0). snk reads t0 at 2: slot free
    // from 4 > 3, so the write freezes src over [3, 4) and lands at 4; src (out of firings since
    // 2) closes then. snk reads t1 at 4, done at 5.
    const r = runGraph(pair([{ iiCycles: 1, latencyCycles: 2 }, { iiCycles: 1, latencyCycles: 2 }]), { trace: 'full' });
    expect(r.cycles).toBe(5);
    expect(r.sinks['snk']!.map((t) => t.readyCycle)).toEqual([2, 4]);
    expect(states(r, 'src')).toEqual([
      ['busy', 0, 1, 0],
      ['busy', 1, 2, 1],
      ['stalled-full', 3, 4, 'a'],
    ]);
    expect(states(r, 'snk')).toEqual([
      ['stalled-empty', 0, 2, 'a'],
      ['busy', 2, 3, 0],
      ['stalled-empty', 3, 4, 'a'],
      ['busy', 4, 5, 1],
    ]);
    expect(figures(r)).toEqual([
      ['src', 2, 0, 1, 2],
      ['snk', 2, 3, 0, 0],
    ]);
    expect(r.summary.fifos[0]).toMatchObject({ tokens: 2, fullStallCycles: 1, emptyStallCycles: 3 });
  });

  it('the read comes after the planned write (II > latency): frozen from the planned write, on the FIFO that was full', () => {
    // p (II 4, latency 1) writes x and y (depth 1 each); sx reads at II 1, sy at II 10.
    // f0: start 0, writes at 1; sx and sy read x0, y0 at 1 (slots free from 3).
    // f1: start 4, writes at 5 (both free); sx reads x1 at 5 (free from 7), sy reads y1 at 11.
    // f2: start 8, due 9: y is full (y1 unread), so the write waits. sy reads y1 at 11: the
    // write was due at 9, so p has been frozen since 9 on y; y's slot takes a write from 13
    // (x's from 7): written at 13, freeze [9, 13). f2's busy interval [8, 12) is cut at 9 and
    // its 3 remaining cycles move past the freeze: [13, 16). sy reads y2 at 21, done at 31.
    const g = new GraphBuilder('two-out');
    const x = g.stream('x', { depth: 1, widthBytes: 4 });
    const y = g.stream('y', { depth: 1, widthBytes: 4 });
    const p: ActorSpec = { name: 'p', outputs: { x: { widthBytes: 4 }, y: { widthBytes: 4 } }, firings: 3, cost: { iiCycles: 4, latencyCycles: 1 } };
    g.invoke(p, { out: { x, y } });
    g.invoke(sinkActor({ name: 'sx', widthBytes: 4 }), { in: { in: x } });
    g.invoke(sinkActor({ name: 'sy', widthBytes: 4, cost: { iiCycles: 10, latencyCycles: 0 } }), { in: { in: y } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(31);
    expect(r.sinks['sx']!.map((t) => t.readyCycle)).toEqual([1, 5, 13]);
    expect(r.sinks['sy']!.map((t) => t.readyCycle)).toEqual([1, 5, 13]);
    expect(states(r, 'p')).toEqual([
      ['busy', 0, 4, 0],
      ['busy', 4, 8, 1],
      ['busy', 8, 9, 2],
      ['stalled-full', 9, 13, 'y'],
      ['busy', 13, 16, 2],
    ]);
    expect(states(r, 'sx')).toEqual([
      ['stalled-empty', 0, 1, 'x'],
      ['busy', 1, 2, 0],
      ['stalled-empty', 2, 5, 'x'],
      ['busy', 5, 6, 1],
      ['stalled-empty', 6, 13, 'x'],
      ['busy', 13, 14, 2],
    ]);
    expect(figures(r)).toEqual([
      ['p', 12, 0, 4, 15],
      ['sx', 3, 11, 0, 17],
      ['sy', 30, 1, 0, 0],
    ]);
    expect(r.summary.fifos.map((f) => [f.fifo, f.fullStallCycles, f.emptyStallCycles])).toEqual([
      ['x', 0, 11],
      ['y', 4, 1],
    ]);
  });

  it('a pipeline that freezes while its actor waits for input starts again from the thaw', () => {
    // src writes a0, a1 at 0, 1 and a2 at 20 (its firing 1 has II 19). mid (II 1, latency 3)
    // starts at 0 and 1 (writes due 3 and 4), then waits for a2 from 2. snk (II 10) reads b0 at
    // 3 (slot free from 5); b1, due 4, freezes mid over [4, 5): its wait for input ends at the
    // freeze ([2, 4)) and starts again at the thaw ([5, 20)). mid starts at 20, writes b2 at 23;
    // snk reads at 3, 13, 23 and is done at 33.
    const g = new GraphBuilder('thaw');
    const a = g.stream('a', { depth: 4, widthBytes: 4 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    const gaps = [1, 19, 1];
    g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: 3, cost: (f) => ({ iiCycles: gaps[f.index]!, latencyCycles: 0 }) }, { out: { out: a } });
    g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 3 } }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: { iiCycles: 10, latencyCycles: 0 } }), { in: { in: b } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(33);
    expect(r.sinks['snk']!.map((t) => t.readyCycle)).toEqual([3, 5, 23]);
    expect(states(r, 'mid')).toEqual([
      ['busy', 0, 1, 0],
      ['busy', 1, 2, 1],
      ['stalled-empty', 2, 4, 'a'],
      ['stalled-full', 4, 5, 'b'],
      ['stalled-empty', 5, 20, 'a'],
      ['busy', 20, 21, 2],
    ]);
    expect(figures(r)).toEqual([
      ['src', 21, 0, 0, 12],
      ['mid', 3, 17, 1, 12],
      ['snk', 30, 3, 0, 0],
    ]);
    expect(r.summary.fifos.map((f) => [f.fifo, f.fullStallCycles, f.emptyStallCycles])).toEqual([
      ['a', 0, 17],
      ['b', 1, 3],
    ]);
    // Without a trace the figures are the same.
    expect(runGraph(g.build()).summary).toEqual(r.summary);
  });
});

describe('freezes: which FIFO is charged, and the II they move', () => {
  /** p (II 4, latency 1) writes x and y (depth 1 each), read by sx and sy at the given IIs. */
  function twoOut(sxIi: number, syIi: number) {
    const g = new GraphBuilder('two-out');
    const x = g.stream('x', { depth: 1, widthBytes: 4 });
    const y = g.stream('y', { depth: 1, widthBytes: 4 });
    g.invoke({ name: 'p', outputs: { x: { widthBytes: 4 }, y: { widthBytes: 4 } }, firings: 3, cost: { iiCycles: 4, latencyCycles: 1 } }, { out: { x, y } });
    g.invoke(sinkActor({ name: 'sx', widthBytes: 4, cost: { iiCycles: sxIi, latencyCycles: 0 } }), { in: { in: x } });
    g.invoke(sinkActor({ name: 'sy', widthBytes: 4, cost: { iiCycles: syIi, latencyCycles: 0 } }), { in: { in: y } });
    return g.build();
  }

  it('a write waiting on two full FIFOs is charged to the one whose slot comes free last', () => {
    // As above, but sx reads at II 9: x1 is read at 10 (slot free from 12), y1 at 11 (free from
    // 13). f2's write, due at 9, finds both full: frozen [9, 13), charged to y (its slot came
    // last), as re-timing charges it. The run still ends at 31 (sy).
    const r = runGraph(twoOut(9, 10), { trace: 'full', record: true });
    expect(r.cycles).toBe(31);
    expect(states(r, 'p')).toEqual([
      ['busy', 0, 4, 0],
      ['busy', 4, 8, 1],
      ['busy', 8, 9, 2],
      ['stalled-full', 9, 13, 'y'],
      ['busy', 13, 16, 2],
    ]);
    expect(r.summary.fifos.map((f) => [f.fifo, f.fullStallCycles])).toEqual([
      ['x', 0],
      ['y', 4],
    ]);
    const t = retimeTokens(r.recording!);
    if (typeof t === 'string') throw new Error(t);
    expect([...t.stalledFullByFifo]).toEqual([0, 4]);
    // Equal slots (both read at 11, free from 13): the first port, x.
    const tie = runGraph(twoOut(10, 10), { trace: 'full' });
    expect(tie.summary.fifos.map((f) => [f.fifo, f.fullStallCycles])).toEqual([
      ['x', 4],
      ['y', 0],
    ]);
  });

  it('a freeze inside the last firing II moves the end of the run', () => {
    // src (II 4, latency 1) writes at 1 and 5; snk reads t0 at 1 and, its firing 0 having II 8,
    // t1 at 9 (slot free from 11). f2 (start 8) is due at 9: frozen [9, 11), written at 11 and
    // read then (snk done at 12). f2's II [8, 12) was interrupted at 9: it ends 2 cycles later,
    // at 14, which ends the run.
    const g = new GraphBuilder('late-ii');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: 3, cost: { iiCycles: 4, latencyCycles: 1 } }, { out: { out: a } });
    g.invoke({ name: 'snk', inputs: { in: { widthBytes: 4 } }, cost: (f) => ({ iiCycles: f.index === 0 ? 8 : 1, latencyCycles: 0 }) }, { in: { in: a } });
    const r = runGraph(g.build(), { trace: 'full', record: true });
    expect(r.cycles).toBe(14);
    expect(r.sinks['snk']!.map((t) => t.readyCycle)).toEqual([1, 5, 11]);
    expect(states(r, 'src')).toEqual([
      ['busy', 0, 4, 0],
      ['busy', 4, 8, 1],
      ['busy', 8, 9, 2],
      ['stalled-full', 9, 11, 'a'],
      ['busy', 11, 14, 2],
    ]);
    expect(retime(r.recording!).cycles).toBe(14);
  });
});
