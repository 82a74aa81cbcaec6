import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, type ActorStateEvent, type ResourceRequest, type RunResult } from './index.js';

/**
 * Arbitration rounds where firings request several resources (issue 23: survivors of mutation
 * testing in arbitration.ts), derived by hand from the core README's rules: the requests of a
 * cycle are served in one round, resource by resource in declaration order, each resource's
 * requesters round-robin (nobody granted yet: graph order); a request takes what is left of the
 * resource's current cycle, then whole cycles. A firing waits for its latest-starting grant
 * (the first such resource is named); every cycle a request waits behind another requester is
 * contention charged to that resource. The actors fire once (II 1, latency 0).
 */
function oneShots(specs: readonly (readonly ResourceRequest[])[]) {
  const g = new GraphBuilder('rounds');
  g.resource({ name: 'R1', unitsPerCycle: 4 });
  g.resource({ name: 'R2', unitsPerCycle: 4 });
  specs.forEach((requests, k) => g.invoke({ name: `q${k}`, firings: 1, resources: ['R1', 'R2'], cost: { iiCycles: 1, latencyCycles: 0, requests } }));
  return g.build();
}

const grants = (r: RunResult) => r.events.flatMap((e) => (e.kind === 'grant' ? [[e.resource, e.actor, e.startCycle, e.endCycle]] : []));
const waits = (r: RunResult) =>
  r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.state === 'stalled-contention').map((e) => [e.actor, e.startCycle, e.endCycle, e.resource, e.heldBy]);

describe('arbitration rounds with several resources per firing (hand-derived)', () => {
  it('resources in declaration order; a firing waits for its latest grant, contention charged per resource', () => {
    // All ask at cycle 0. q0: R2 4 and R1 4; q1: R1 8; q2: R2 8; q3: R1 1 and R2 1.
    // R1 (declared first, served first although q0 lists R2 first): q0 [0, 1) fills cycle 0;
    //   q1 takes cycles 1 and 2 -> [1, 3), waiting 1 behind q0; q3 -> [3, 4), waiting 3 behind q1.
    // R2: q0 [0, 1); q2 [1, 3) behind q0; q3 [3, 4) behind q2.
    // q3 waits until 3 on both: the first resource served (R1, held by q1) is named.
    // Contention: R1 1 + 3, R2 1 + 3. Cycles: q3's grants end at 4.
    const r = runGraph(
      oneShots([
        [
          { resource: 'R2', units: 4 },
          { resource: 'R1', units: 4 },
        ],
        [{ resource: 'R1', units: 8 }],
        [{ resource: 'R2', units: 8 }],
        [
          { resource: 'R1', units: 1 },
          { resource: 'R2', units: 1 },
        ],
      ]),
      { trace: 'full' },
    );
    expect(grants(r)).toEqual([
      ['R1', 'q0', 0, 1],
      ['R1', 'q1', 1, 3],
      ['R1', 'q3', 3, 4],
      ['R2', 'q0', 0, 1],
      ['R2', 'q2', 1, 3],
      ['R2', 'q3', 3, 4],
    ]);
    expect(waits(r)).toEqual([
      ['q1', 0, 1, 'R1', 'q0'],
      ['q2', 0, 1, 'R2', 'q0'],
      ['q3', 0, 3, 'R1', 'q1'],
    ]);
    expect(r.cycles).toBe(4);
    // Busy: from the end of the wait to max(start + II, last grant end).
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledContentionCycles, x.resourceBoundCycles, x.idleCycles])).toEqual([
      ['q0', 1, 0, 0, 3],
      ['q1', 2, 1, 1, 1],
      ['q2', 2, 1, 1, 1],
      ['q3', 1, 3, 0, 0],
    ]);
    expect(r.summary.resources.map((x) => [x.resource, x.unitsServed, x.grants, x.busyCycles, x.contentionCycles])).toEqual([
      ['R1', 13, 3, 4, 4],
      ['R2', 13, 3, 4, 4],
    ]);
    // Without a trace: the same figures.
    expect(runGraph(oneShots([[{ resource: 'R2', units: 4 }, { resource: 'R1', units: 4 }], [{ resource: 'R1', units: 8 }], [{ resource: 'R2', units: 8 }], [{ resource: 'R1', units: 1 }, { resource: 'R2', units: 1 }]])).summary).toEqual(r.summary);
  });

  it('a firing whose second wait is shorter names the resource it waited on longest', () => {
    // q0: R1 4, R2 8; q1: R2 1, R1 1. R1: q0 [0, 1), q1 [1, 2) behind q0. R2: q0 [0, 2), q1 gets
    // cycle 2 -> [2, 3) behind q0. q1 waits until 2 (R2), not 1 (R1).
    const r = runGraph(
      oneShots([
        [
          { resource: 'R1', units: 4 },
          { resource: 'R2', units: 8 },
        ],
        [
          { resource: 'R2', units: 1 },
          { resource: 'R1', units: 1 },
        ],
      ]),
      { trace: 'full' },
    );
    expect(grants(r)).toEqual([
      ['R1', 'q0', 0, 1],
      ['R1', 'q1', 1, 2],
      ['R2', 'q0', 0, 2],
      ['R2', 'q1', 2, 3],
    ]);
    expect(waits(r)).toEqual([['q1', 0, 2, 'R2', 'q0']]);
    expect(r.summary.resources.map((x) => x.contentionCycles)).toEqual([1, 2]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledContentionCycles])).toEqual([
      ['q0', 2, 0],
      ['q1', 1, 2],
    ]);
  });

  it('a firing is served until its last grant ends, whichever resource is served last', () => {
    // q0: R1 8 -> [0, 2), R2 1 -> [0, 1) (served after R1, ending first). q1 (R2 1) shares
    // cycle 0 of R2. q0 is busy until 2, 1 cycle beyond its II.
    const r = runGraph(
      oneShots([
        [
          { resource: 'R1', units: 8 },
          { resource: 'R2', units: 1 },
        ],
        [{ resource: 'R2', units: 1 }],
      ]),
    );
    expect(r.cycles).toBe(2);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.resourceBoundCycles, x.stalledContentionCycles])).toEqual([
      ['q0', 2, 1, 0],
      ['q1', 1, 0, 0],
    ]);
  });

  it('a request of a resource the graph does not have is named as undeclared, also when the graph has others', () => {
    const g = new GraphBuilder('undeclared');
    g.resource({ name: 'R1', unitsPerCycle: 4 });
    g.invoke({ name: 'q', firings: 1, resources: ['R1'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'nowhere', units: 1 }] } });
    expect(() => runGraph(g.build())).toThrow("actor 'q': firing 0 requests undeclared resource 'nowhere'");
  });

  it('two requests of one firing on one resource: the second waits behind the first, which is not contention', () => {
    // q0 asks R1 for 4 and 4: [0, 1) and [1, 2), both its own. q1 (R2 only) makes the round a
    // round of two firings. q0 is busy 2 cycles, 1 beyond its II, with no contention.
    const r = runGraph(
      oneShots([
        [
          { resource: 'R1', units: 4 },
          { resource: 'R1', units: 4 },
        ],
        [{ resource: 'R2', units: 1 }],
      ]),
      { trace: 'full' },
    );
    expect(grants(r)).toEqual([
      ['R1', 'q0', 0, 1],
      ['R1', 'q0', 1, 2],
      ['R2', 'q1', 0, 1],
    ]);
    expect(waits(r)).toEqual([]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledContentionCycles, x.resourceBoundCycles])).toEqual([
      ['q0', 2, 0, 1],
      ['q1', 1, 0, 0],
    ]);
    expect(r.summary.resources.map((x) => [x.resource, x.unitsServed, x.grants, x.busyCycles, x.contentionCycles])).toEqual([
      ['R1', 8, 2, 2, 0],
      ['R2', 1, 1, 1, 0],
    ]);
  });
});
