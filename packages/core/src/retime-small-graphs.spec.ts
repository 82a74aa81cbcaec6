import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, retime, runGraph, type ActorSpec, type Graph, type RetimeChanges } from './index.js';
import { attributionRows, deadlocks, summaryRows } from '../test-support/retime-compare.js';

/**
 * Re-timing of small graphs (at most 8 firings per actor) against full re-runs of the changed
 * graph (issue 23: mutation testing of the re-timing files). The same comparison as retime.spec's
 * properties on graphs small enough that 80 draws take a fraction of a second, so it also runs
 * under mutation when the slow properties are skipped (scripts/mutate.mjs --skip-slow). Shapes:
 * src -> stages -> join <- stages <- src (a fork-join, or a chain), stages may share a 2-unit
 * memory; src may write its branches unevenly (a branch holding a lead of tokens). Stages and
 * join have firing counts (n); stages without one (trailing waits) are
 * retime-unlimited-stages.spec's.
 */
interface Stage {
  ii: number;
  latency: number;
  mem: number;
}
const stageArb = fc.record({ ii: fc.integer({ min: 1, max: 3 }), latency: fc.integer({ min: 0, max: 5 }), mem: fc.constantFrom(0, 0, 1, 3) });
const cost = (s: Stage) => ({ iiCycles: s.ii, latencyCycles: s.latency, ...(s.mem > 0 ? { requests: [{ resource: 'mem', units: s.mem }] } : {}) });
const uses = (s: Stage) => (s.mem > 0 ? { resources: ['mem'] } : {});
const port = { widthBytes: 4 };

function graphOf(src: Stage, left: Stage[], right: Stage[], join: Stage, depths: number[], n: number, lead: number): Graph {
  const g = new GraphBuilder('small');
  g.resource({ name: 'mem', unitsPerCycle: 2 });
  let fi = 0;
  const stream = () => g.stream(`f${fi}`, { depth: depths[fi++ % depths.length]! + (fi === 1 ? lead : 0), widthBytes: 4 });
  const fork = right.length > 0;
  const a0 = stream();
  const b0 = fork ? stream() : undefined;
  const writes = (i: number) => [...(i < n ? ['a'] : []), ...(fork && i >= lead ? ['b'] : [])];
  g.invoke({ name: 'src', firings: fork ? n + lead : n, outputs: fork ? { a: port, b: port } : { a: port }, ...(fork ? { writes } : {}), ...uses(src), cost: cost(src) }, { out: fork ? { a: a0, b: b0! } : { a: a0 } });
  const branch = (stages: Stage[], first: ReturnType<typeof stream>, tag: string) => {
    let prev = first;
    stages.forEach((s, k) => {
      const next = stream();
      g.invoke({ name: `${tag}${k}`, firings: n, inputs: { in: port }, outputs: { out: port }, ...uses(s), cost: cost(s) } satisfies ActorSpec, { in: { in: prev }, out: { out: next } });
      prev = next;
    });
    return prev;
  };
  const la = branch(left, a0, 'a');
  const lb = fork ? branch(right, b0!, 'b') : undefined;
  const j = stream();
  g.invoke({ name: 'join', firings: n, inputs: fork ? { a: port, b: port } : { a: port }, outputs: { out: port }, ...uses(join), cost: cost(join) }, { in: fork ? { a: la, b: lb! } : { a: la }, out: { out: j } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: j } });
  return g.build();
}

const attribution = attributionRows;
const summaryOf = summaryRows;

describe('retime: small graphs against full re-runs (fixed seed, fast)', () => {
  it('cycles, every attribution field and the frozen cycles per FIFO equal the engine; a deadlock is named as one; graphs without the memory are always exact', () => {
    const seen = { exact: 0, fallback: 0, deadlock: 0, partialBase: 0 };
    fc.assert(
      fc.property(
        stageArb,
        fc.array(stageArb, { minLength: 0, maxLength: 2 }),
        fc.array(stageArb, { minLength: 0, maxLength: 2 }),
        stageArb,
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 2, 3),
        fc.record({ kind: fc.constantFrom('depth', 'depth', 'latency', 'ii', 'cap', 'all'), fifo: fc.oneof(fc.constant(0), fc.nat()), depth: fc.integer({ min: 1, max: 4 }), actor: fc.nat(), lat: fc.integer({ min: 0, max: 6 }), ii: fc.integer({ min: 1, max: 3 }), cap: fc.integer({ min: 1, max: 4 }) }),
        (src, left, right, join, depths, n, lead, c) => {
          const graph = graphOf(src, left, right, join, depths, n, lead);
          const base = runGraph(graph, { record: true, collectSinks: false });
          const fifo = graph.fifos[c.fifo % graph.fifos.length]!.name;
          const actor = graph.actors[c.actor % graph.actors.length]!.spec.name;
          const ch: RetimeChanges = {
            ...(c.kind === 'depth' || c.kind === 'all' ? { fifoDepths: { [fifo]: c.depth } } : {}),
            ...(c.kind === 'latency' || c.kind === 'all' ? { latencyCycles: { [actor]: c.lat } } : {}),
            ...(c.kind === 'ii' || c.kind === 'all' ? { iiCycles: { [actor]: c.ii } } : {}),
            ...(c.kind === 'cap' || c.kind === 'all' ? { resourceUnitsPerCycle: { mem: c.cap } } : {}),
          };
          const changed = applyChanges(graph, ch);
          const usesMem = graph.actors.some((a) => (a.spec.resources ?? []).length > 0);
          const probe = new Retimer(base.recording!).retime(ch);
          if (deadlocks(() => runGraph(changed, { collectSinks: false }))) {
            // Without the memory the recording decides it: a deadlock, named as one.
            if (!usesMem) expect(typeof probe === 'string' && probe.startsWith('re-timing deadlocked')).toBe(true);
            seen.deadlock++;
            return;
          }
          const want = runGraph(changed, { collectSinks: false });
          const got = retime(base.recording!, ch);
          expect(got.cycles).toBe(want.cycles);
          if (!usesMem) expect(got.exact).toBe(true);
          if (!got.exact) {
            seen.fallback++;
            return;
          }
          seen.exact++;
          expect(attribution(got)).toEqual(summaryOf(want));
          if (typeof probe === 'string') throw new Error(probe);
          expect([...probe.stalledFullByFifo]).toEqual(want.summary.fifos.map((f) => f.fullStallCycles));
          expect(probe.firingsRetimed).toBe(got.firingsRetimed);
          expect(got.firingsRetimed).toBeLessThanOrEqual(base.recording!.firings);
          // The same change from a base with the first FIFO one deeper (a different set of checkpoints).
          const other = new Retimer(base.recording!, { fifoDepths: { [graph.fifos[0]!.name]: graph.fifos[0]!.depth + 1 } });
          const again = other.retime({ ...ch, fifoDepths: { [graph.fifos[0]!.name]: graph.fifos[0]!.depth, ...ch.fifoDepths } });
          if (typeof again !== 'string') {
            seen.partialBase++;
            expect([again.cycles, [...again.busyCycles], [...again.stalledEmptyCycles], [...again.stalledFullCycles], [...again.stalledContentionCycles], [...again.resourceBoundCycles]]).toEqual([
              want.cycles,
              ...[0, 1, 2, 3, 4].map((k) => summaryOf(want).map((row) => row[k])),
            ]);
          }
        },
      ),
      { seed: 2023, numRuns: 80 },
    );
    // The draws reach every outcome.
    expect(Object.values(seen).every((v) => v > 0)).toBe(true);
  });
});
