import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from './index.js';

/** A run in which nothing fires: 0 cycles, and every ratio 0 rather than NaN (issue 23: results.ts). */
describe('a run with no firings', () => {
  it('0 cycles, utilisations 0, bottlenecks ranked resources first at a tie, then by name', () => {
    const g = new GraphBuilder('empty');
    g.resource({ name: 'R', unitsPerCycle: 4 });
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 0, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4 }), { in: { in: a } });
    const r = runGraph(g.build(), { trace: 'full' });
    const idle = { firings: 0, busyCycles: 0, stalledEmptyCycles: 0, stalledFullCycles: 0, stalledContentionCycles: 0, resourceBoundCycles: 0, idleCycles: 0, utilisation: 0 };
    expect(r).toEqual({
      cycles: 0,
      summary: {
        graph: 'empty',
        cycles: 0,
        actors: [
          { actor: 'src', ...idle },
          { actor: 'snk', ...idle },
        ],
        fifos: [{ fifo: 'a', depth: 1, tokens: 0, maxOccupancy: 0, stallFreeDepth: 0, fullStallCycles: 0, emptyStallCycles: 0 }],
        resources: [{ resource: 'R', unit: 'unit', unitsPerCycle: 4, unitsServed: 0, grants: 0, busyCycles: 0, utilisation: 0, contentionCycles: 0 }],
        bottlenecks: [
          { kind: 'resource', name: 'R', utilisation: 0, why: 'delivered 0 unit of a 4/cycle peak; busy in 0 of 0 cycles' },
          { kind: 'actor', name: 'snk', utilisation: 0, why: 'busy 0 of 0 cycles' },
          { kind: 'actor', name: 'src', utilisation: 0, why: 'busy 0 of 0 cycles' },
        ],
      },
      sinks: { snk: [] },
      events: [],
      firings: 0,
      // One firing attempt per actor at cycle 0: src retires (0 firings), snk finds a empty and closed.
      schedulerEvents: 2,
    });
  });
});
