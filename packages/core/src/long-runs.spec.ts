import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, runGraph, sinkActor, sourceActor } from './index.js';

/**
 * Runs whose cycles pass 2^32 (issue 23: survivors of mutation testing in the scheduler's event
 * keys). An event key is cycle * 2^(b + 2) + phase * 2^b + actor, b = ceil(log2(actors + 1)),
 * exact in a double below 2^53: with 2 actors b = 2, and the scheduler keys cycles up to
 * floor((2^53 - 1) / 16) - 1 = 2^49 - 2.
 */
function pair(iiCycles: number, count: number) {
  const g = new GraphBuilder('long');
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count, widthBytes: 4, cost: { iiCycles, latencyCycles: 0 } }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 4 }), { in: { in: a } });
  return g.build();
}

describe('cycles past 2^32 (hand-derived)', () => {
  it('a source of II 2^40: tokens at 0, 2^40, 2^41, read at once; the run ends at 3 * 2^40', () => {
    const r = runGraph(pair(2 ** 40, 3), { trace: 'full' });
    expect(r.cycles).toBe(3 * 2 ** 40);
    expect(r.sinks['snk']!.map((t) => t.readyCycle)).toEqual([0, 2 ** 40, 2 ** 41]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.idleCycles])).toEqual([
      ['src', 3 * 2 ** 40, 0, 0],
      ['snk', 3, 2 * (2 ** 40 - 1), 2 ** 40 - 1],
    ]);
    // The sink's waits, in the trace: between its reads, then idle to the end.
    const snk = r.events.flatMap((e) => (e.kind === 'actor' && e.actor === 'snk' ? [[e.state, e.startCycle, e.endCycle] as const] : [])).sort((x, y) => x[1] - y[1]);
    expect(snk).toEqual([
      ['busy', 0, 1],
      ['stalled-empty', 1, 2 ** 40],
      ['busy', 2 ** 40, 2 ** 40 + 1],
      ['stalled-empty', 2 ** 40 + 1, 2 ** 41],
      ['busy', 2 ** 41, 2 ** 41 + 1],
      ['idle', 2 ** 41 + 1, 3 * 2 ** 40],
    ]);
  });

  it('a cycle past the largest the scheduler can key is an error naming it, before maxCycles (2^50)', () => {
    // Firing 1 of a source of II 2^49 is due at 2^49 > 2^49 - 2.
    const limit = 2 ** 49 - 2;
    expect(() => runGraph(pair(2 ** 49, 2))).toThrow(new RunError(`run exceeded the largest cycle the scheduler can key (${limit}) at cycle ${2 ** 49}`));
    // One firing of II 2^49 - 1: its retire attempt at 2^49 - 1 is one past the limit; of II
    // 2^49 - 2 it is at the limit, which is fine.
    expect(() => runGraph(pair(limit + 1, 1))).toThrow(`run exceeded the largest cycle the scheduler can key (${limit}) at cycle ${limit + 1}`);
    expect(runGraph(pair(limit, 1)).cycles).toBe(limit);
  });
});
