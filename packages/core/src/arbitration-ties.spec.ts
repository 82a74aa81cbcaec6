import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, type ActorStateEvent, type ArbitrationPolicy, type GrantEvent } from './index.js';

/**
 * Tie-breaks of the shared-resource arbiter, through the public API: requests made in the same
 * cycle are served in the order of the resource's policy. Every case uses a 1 unit/cycle resource
 * and 1-unit requests, so the k-th request served in a round holds cycle t + k: the grant order
 * is read off the grants' start cycles. Actors are indexed in graph (invoke) order: A 0, B 1, C 2.
 */

/** One actor per entry of `units`, each firing once per entry (0 units: a firing that needs none of it). */
function contenders(policy: ArbitrationPolicy | undefined, units: Record<string, readonly number[]>) {
  const g = new GraphBuilder('ties');
  g.resource({ name: 'port', unitsPerCycle: 1, ...(policy ? { arbitration: policy } : {}) });
  for (const [name, list] of Object.entries(units)) {
    g.invoke({ name, firings: list.length, resources: ['port'], cost: (f) => ({ iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'port', units: list[f.index]! }] }) });
  }
  const r = runGraph(g.build(), { trace: 'full' });
  const grants = r.events.filter((e): e is GrantEvent => e.kind === 'grant' && e.units > 0);
  return { r, grants: grants.map((x) => [x.actor, x.requestCycle, x.startCycle, x.endCycle]) };
}

describe('round-robin: the requester after the last one granted goes first', () => {
  it('first round (nobody granted yet): graph order A, B, C at cycles 0, 1, 2', () => {
    const { r, grants } = contenders(undefined, { A: [1], B: [1], C: [1] });
    expect(grants).toEqual([
      ['A', 0, 0, 1],
      ['B', 0, 1, 2],
      ['C', 0, 2, 3],
    ]);
    // B waits 1 cycle (behind A), C waits 2 (behind B): 3 cycles of contention, the holder named.
    expect(r.summary.resources[0]!.contentionCycles).toBe(3);
    const waits = r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.state === 'stalled-contention');
    expect(waits.map((e) => [e.actor, e.startCycle, e.endCycle, e.heldBy])).toEqual([
      ['B', 0, 1, 'A'],
      ['C', 0, 2, 'B'],
    ]);
    expect(r.cycles).toBe(3);
  });

  it('B granted last: the next round of A, B, C is served C, A, B', () => {
    // Cycle 0: only B asks for a unit (A and C fire needing none): B holds cycle 0, last granted
    // = B. Every actor's next firing starts at max(0 + II 1, end of its access) = 1, where all
    // three ask: rank (actor - B - 1) mod 3 is A 1, B 2, C 0, so C takes cycle 1, A 2, B 3.
    const { r, grants } = contenders(undefined, { A: [0, 1], B: [1, 1], C: [0, 1] });
    expect(grants).toEqual([
      ['B', 0, 0, 1],
      ['C', 1, 1, 2],
      ['A', 1, 2, 3],
      ['B', 1, 3, 4],
    ]);
    expect(r.cycles).toBe(4);
  });

  it('C (the last actor) granted last: the rotation wraps to A', () => {
    // Cycle 0: only C asks. Cycle 1: A, B and C ask: ranks A 0, B 1, C 2.
    const { grants } = contenders(undefined, { A: [0, 1], B: [0, 1], C: [1, 1] });
    expect(grants).toEqual([
      ['C', 0, 0, 1],
      ['A', 1, 1, 2],
      ['B', 1, 2, 3],
      ['C', 1, 3, 4],
    ]);
  });

  it('A granted last and only B and C ask: B first (the rotation skips no one)', () => {
    // Cycle 0: A alone. Cycle 1: B and C (A has finished): ranks B 0, C 1.
    const { grants } = contenders(undefined, { A: [1], B: [0, 1], C: [0, 1] });
    expect(grants).toEqual([
      ['A', 0, 0, 1],
      ['B', 1, 1, 2],
      ['C', 1, 2, 3],
    ]);
  });

  it('an explicit round-robin policy is the default one', () => {
    const units = { A: [0, 1], B: [1, 1], C: [0, 1] };
    expect(contenders({ kind: 'round-robin' }, units).grants).toEqual(contenders(undefined, units).grants);
  });
});

describe('fixed priority: lower number first, unlisted actors last in graph order', () => {
  it('order { C: 0, A: 1 }, B unlisted: C, A, B', () => {
    const { grants } = contenders({ kind: 'priority', order: { C: 0, A: 1 } }, { A: [1], B: [1], C: [1] });
    expect(grants).toEqual([
      ['C', 0, 0, 1],
      ['A', 0, 1, 2],
      ['B', 0, 2, 3],
    ]);
  });

  it('equal priorities and unlisted actors tie-break in graph order, whoever was granted last', () => {
    // { B: 5, C: 5 }: B before C (graph order); A unlisted comes after both. Cycle 0: only C
    // asks (it would be last under round-robin's rotation too, so this is not rotation).
    const { grants } = contenders({ kind: 'priority', order: { B: 5, C: 5 } }, { A: [0, 1], B: [0, 1], C: [1, 1] });
    expect(grants).toEqual([
      ['C', 0, 0, 1],
      ['B', 1, 1, 2],
      ['C', 1, 2, 3],
      ['A', 1, 3, 4],
    ]);
    // Two unlisted actors: graph order.
    const unlisted = contenders({ kind: 'priority', order: { C: 0 } }, { A: [1], B: [1], C: [1] });
    expect(unlisted.grants.map((x) => x[0])).toEqual(['C', 'A', 'B']);
  });

  it('a negative priority beats 0; priorities are compared as numbers, not as strings', () => {
    const { grants } = contenders({ kind: 'priority', order: { A: 10, B: 9, C: -1 } }, { A: [1], B: [1], C: [1] });
    expect(grants.map((x) => x[0])).toEqual(['C', 'B', 'A']);
  });
});
