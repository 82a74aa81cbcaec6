import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, retime, runGraph, type Graph, type RetimeChanges } from './index.js';
import { attributionRows as attribution, deadlocks, summaryRows as summaryOf } from '../test-support/retime-compare.js';

/**
 * Re-timing of graphs whose stages have no firing count (they fire until their input runs dry)
 * against full re-runs: the trailing wait of such an actor is starved up to a freeze of its own
 * pipeline that comes before its input closes, idle otherwise (retime-trailing.ts; the hand case
 * is retime-trailing-wait.spec). src (n firings, II 1 or 2) writes its two branches unevenly (the
 * first `lead` firings feed only branch b, the last `lead` only branch a), so one branch's
 * input closes while the other still runs; a join that reads both freezes the stages ahead of it.
 */
interface Stage {
  ii: number;
  latency: number;
  limited: boolean;
}
const stageArb = fc.record({ ii: fc.integer({ min: 1, max: 3 }), latency: fc.integer({ min: 0, max: 5 }), limited: fc.boolean() });
const port = { widthBytes: 4 };

function graphOf(srcIi: number, left: Stage[], right: Stage[], join: Stage, depths: number[], n: number, lead: number): Graph {
  const g = new GraphBuilder('unlimited');
  let fi = 0;
  const stream = () => g.stream(`f${fi}`, { depth: depths[fi++ % depths.length]!, widthBytes: 4 });
  const a0 = stream();
  const b0 = stream();
  const writes = (i: number) => [...(i >= lead ? ['a'] : []), ...(i < n ? ['b'] : [])];
  g.invoke({ name: 'src', firings: n + lead, outputs: { a: port, b: port }, writes, cost: { iiCycles: srcIi, latencyCycles: 0 } }, { out: { a: a0, b: b0 } });
  const branch = (stages: Stage[], first: ReturnType<typeof stream>, tag: string) => {
    let prev = first;
    stages.forEach((s, k) => {
      const next = stream();
      g.invoke({ name: `${tag}${k}`, ...(s.limited ? { firings: n } : {}), inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: s.ii, latencyCycles: s.latency } }, { in: { in: prev }, out: { out: next } });
      prev = next;
    });
    return prev;
  };
  const la = branch(left, a0, 'a');
  const lb = branch(right, b0, 'b');
  const j = stream();
  g.invoke({ name: 'join', ...(join.limited ? { firings: n } : {}), inputs: { a: port, b: port }, outputs: { out: port }, cost: { iiCycles: join.ii, latencyCycles: join.latency } }, { in: { a: la, b: lb }, out: { out: j } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: j } });
  return g.build();
}

describe('retime: stages without a firing count (trailing waits) against full re-runs', () => {
  it('cycles and every attribution field equal the engine, from the recorded run and from a sweep of the changed configuration; the draws reach starved trailing waits', () => {
    let trailingStarved = 0;
    let exact = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.array(stageArb, { minLength: 1, maxLength: 2 }),
        fc.array(stageArb, { minLength: 0, maxLength: 2 }),
        stageArb,
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0, 1, 3),
        fc.record({ kind: fc.constantFrom('depth', 'depth', 'latency'), fifo: fc.nat(), depth: fc.integer({ min: 1, max: 4 }), actor: fc.nat(), lat: fc.integer({ min: 0, max: 6 }) }),
        (srcIi, left, right, join, depths, n, lead, c) => {
          const graph = graphOf(srcIi, left, right, join, depths, n, lead);
          // A lead deeper than branch a's FIFOs hold deadlocks the recorded graph itself.
          if (deadlocks(() => runGraph(graph, { collectSinks: false }))) return;
          const base = runGraph(graph, { record: true, collectSinks: false });
          const ch: RetimeChanges =
            c.kind === 'depth' ? { fifoDepths: { [graph.fifos[c.fifo % graph.fifos.length]!.name]: c.depth } } : { latencyCycles: { [graph.actors[c.actor % graph.actors.length]!.spec.name]: c.lat } };
          const changed = applyChanges(graph, ch);
          if (deadlocks(() => runGraph(changed, { collectSinks: false }))) return;
          const want = runGraph(changed, { collectSinks: false });
          const got = retime(base.recording!, ch);
          if (!got.exact) throw new Error(got.reason);
          exact++;
          expect(got.cycles).toBe(want.cycles);
          expect(attribution(got)).toEqual(summaryOf(want));
          // A sweep from the start under the changes (no checkpoint, no early stop).
          const sweep = new Retimer(base.recording!, ch).baseRun!;
          expect([...sweep.stalledEmptyCycles]).toEqual(want.summary.actors.map((s) => s.stalledEmptyCycles));
          // A trailing wait charged as starved: an unlimited stage starved more than the limited-count rule gives.
          if (graph.actors.some((a, k) => a.spec.firings === undefined && want.summary.actors[k]!.stalledEmptyCycles > 0 && want.summary.actors[k]!.idleCycles > 0)) trailingStarved++;
        },
      ),
      { seed: 20, numRuns: 600 },
    );
    expect(exact).toBeGreaterThan(100);
    expect(trailingStarved).toBeGreaterThan(0);
  });
});
