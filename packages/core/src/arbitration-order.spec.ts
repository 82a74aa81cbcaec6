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
