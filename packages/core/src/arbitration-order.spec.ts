import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, type ArbitrationPolicy } from './index.js';

/**
 * A round's ties are broken by graph order, not by the order the firings asked in the cycle
 * (arbitration.ts `entryAfter`). Within a cycle the engine starts firings in actor order, but a
 * latency-0 write wakes its consumer in the same cycle: a lower-numbered consumer then asks
 * after a higher-numbered actor did.
 */
function wokenLate(policy: ArbitrationPolicy) {
  // Actor order: cons (0), timer (1), src (2). At cycle 0 cons finds x empty; timer fires and
  // asks for 8 B of mem; src fires and writes x at 0 (latency 0), which wakes cons in cycle 0:
  // cons fires and asks for 8 B too, second in the cycle. mem serves 8 B/cycle: one is served
  // [0, 1), the other waits [0, 1) and is served [1, 2). The run ends at 2.
  const g = new GraphBuilder('woken-late');
  g.resource({ name: 'mem', unitsPerCycle: 8, unit: 'bytes', arbitration: policy });
  const x = g.stream('x', { depth: 2, widthBytes: 4 });
  const cost = { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 8 }] };
  g.invoke({ name: 'cons', inputs: { in: { widthBytes: 4 } }, resources: ['mem'], cost }, { in: { in: x } });
  g.invoke({ name: 'timer', firings: 1, resources: ['mem'], cost }, {});
  g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: 1, cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { out: x } });
  return runGraph(g.build(), { trace: 'full' });
}

const waits = (r: ReturnType<typeof wokenLate>) => r.summary.actors.map((a) => [a.actor, a.stalledContentionCycles]);

describe('arbitration order within a round', () => {
  it('fixed priority, both unlisted (a tie): cons, first in graph order, is served first though it asked second', () => {
    const r = wokenLate({ kind: 'priority', order: {} });
    expect(r.cycles).toBe(2);
    expect(waits(r)).toEqual([
      ['cons', 0],
      ['timer', 1],
      ['src', 0],
    ]);
    expect(r.events.filter((e) => e.kind === 'actor' && e.state === 'stalled-contention')).toEqual([
      { kind: 'actor', actor: 'timer', state: 'stalled-contention', startCycle: 0, endCycle: 1, resource: 'mem', heldBy: 'cons' },
    ]);
  });

  it('fixed priority, equal numbers: the same tie, the same order', () => {
    expect(waits(wokenLate({ kind: 'priority', order: { cons: 3, timer: 3 } }))).toEqual([
      ['cons', 0],
      ['timer', 1],
      ['src', 0],
    ]);
  });

  it('round-robin from the start (last granted: none, so actor 0 first): cons before timer', () => {
    expect(waits(wokenLate({ kind: 'round-robin' }))).toEqual([
      ['cons', 0],
      ['timer', 1],
      ['src', 0],
    ]);
  });

  it('priority to timer: timer first, cons waits behind it', () => {
    const r = wokenLate({ kind: 'priority', order: { timer: 0 } });
    expect(waits(r)).toEqual([
      ['cons', 1],
      ['timer', 0],
      ['src', 0],
    ]);
  });
});

describe('early grants are only for a sole declarer\'s own resource', () => {
  it('an actor that alone declares one resource still waits for the round on a resource it shares', () => {
    // a declares r1 (only a does) and r2 (shared with b); r2's fixed priority puts b first.
    // Both ask for 8 B of r2 (8 B/cycle) at cycle 0. a may be granted early on r1 only: its
    // r2 request goes to the round, where b wins: b served [0, 1), a waits [0, 1) held by b,
    // served [1, 2); the run ends at 2.
    const g = new GraphBuilder('shared');
    g.resource({ name: 'r1', unitsPerCycle: 8, unit: 'bytes' });
    g.resource({ name: 'r2', unitsPerCycle: 8, unit: 'bytes', arbitration: { kind: 'priority', order: { b: 0 } } });
    const cost = { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'r2', units: 8 }] };
    g.invoke({ name: 'a', firings: 1, resources: ['r1', 'r2'], cost }, {});
    g.invoke({ name: 'b', firings: 1, resources: ['r2'], cost }, {});
    // Early grants are made only in runs that are neither traced nor recorded (those keep every
    // round as it is): the plain run is the one that could grant early, the traced one shows
    // the holder, and both must give the same summary.
    const graph = g.build();
    const plain = runGraph(graph);
    const r = runGraph(graph, { trace: 'full' });
    expect(plain.summary).toEqual(r.summary);
    expect(r.cycles).toBe(2);
    expect(plain.summary.actors.map((x) => [x.actor, x.stalledContentionCycles, x.busyCycles])).toEqual([
      ['a', 1, 1],
      ['b', 0, 1],
    ]);
    expect(r.summary.resources.map((x) => [x.resource, x.grants, x.contentionCycles])).toEqual([
      ['r1', 0, 0],
      ['r2', 2, 1],
    ]);
    expect(r.events.filter((e) => e.kind === 'actor' && e.state === 'stalled-contention')).toEqual([
      { kind: 'actor', actor: 'a', state: 'stalled-contention', startCycle: 0, endCycle: 1, resource: 'r2', heldBy: 'b' },
    ]);
  });
});
