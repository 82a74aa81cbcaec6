import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, Simulation, runGraph, sinkActor, sourceActor, type TraceEvent } from './index.js';

/**
 * Simulation.trace$: the live trace (issue 23: survivors of mutation testing in engine.ts and the
 * grant events of observed runs). The pair of write-stalls.spec.ts: src (II 1, latency 0, 3
 * tokens) into a depth-1 FIFO read by a sink of II 4; hand-derived there.
 */
function pair(sinkCost: { iiCycles: number; latencyCycles: number } | (() => never) = { iiCycles: 4, latencyCycles: 0 }) {
  const g = new GraphBuilder('live');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4 }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: sinkCost }), { in: { in: a } });
  return g.build();
}

describe('Simulation.trace$ (the live trace)', () => {
  it('a subscriber sees every event as it happens, also when the result keeps none, then completion', () => {
    const sim = new Simulation(pair());
    const live: TraceEvent[] = [];
    let completed = false;
    sim.trace$.subscribe({ next: (e) => live.push(e), complete: () => (completed = true) });
    const r = sim.run();
    // trace 'summary' (the default): the result keeps no events, the subscriber got them all.
    expect(r.events).toEqual([]);
    expect(completed).toBe(true);
    expect(live).toEqual(runGraph(pair(), { trace: 'full' }).events);
    const src = live.flatMap((e) => (e.kind === 'actor' && e.actor === 'src' ? [[e.state, e.startCycle, e.endCycle]] : []));
    expect(src).toEqual([
      ['busy', 0, 1],
      ['stalled-full', 1, 2],
      ['busy', 2, 3],
      ['stalled-full', 3, 6],
      ['busy', 6, 7],
      ['idle', 7, 12],
    ]);
    // Occupancy of 'a': written at 0, 2, 6 (1 token), read at 0, 4, 8 (0 tokens).
    const occupancy = live.flatMap((e) => (e.kind === 'fifo' ? [[e.cycle, e.occupancy]] : []));
    expect(occupancy.sort((x, y) => x[0]! - y[0]! || y[1]! - x[1]!)).toEqual([
      [0, 1],
      [0, 0],
      [2, 1],
      [4, 0],
      [6, 1],
      [8, 0],
    ]);
    // The figures do not depend on being observed.
    expect(r.summary).toEqual(runGraph(pair()).summary);
  });

  it('runs once; a failing run completes the trace too', () => {
    const sim = new Simulation(pair());
    sim.run();
    expect(() => sim.run()).toThrow('a Simulation runs once; create another for a new run');
    const failing = new Simulation(
      pair(() => {
        throw new RunError('no cost');
      }),
    );
    let completed = false;
    failing.trace$.subscribe({ complete: () => (completed = true) });
    expect(() => failing.run()).toThrow('no cost');
    expect(completed).toBe(true);
  });
});
