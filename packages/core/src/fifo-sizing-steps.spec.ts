import { describe, expect, it } from 'vitest';
import { GraphBuilder, finishSizing, planSizing, runGraph, searchIndependent, sizeFifos, type Graph, type IndependentSearch } from './index.js';

/**
 * `sizeFifos` as its three steps (planSizing, searchIndependent, finishSizing): searches of
 * disjoint classes, merged, give the single search's sizing (the accelerator's threaded sizing
 * rests on this), and a merge that does not cover every FIFO once is refused by name.
 * The graph: two alike chains (a -> b, c -> d through depth-1 FIFOs: one class) and a third FIFO
 * with other ends (its own class); b and d read slower than a and c write (II 3 vs 1), so each
 * needs more than one slot unbounded and is probed.
 */
function chains(): Graph {
  const g = new GraphBuilder('chains');
  const port = { widthBytes: 4 };
  for (const [src, dst, fifo] of [['a', 'b', 'ab'], ['c', 'd', 'cd']] as const) {
    const f = g.stream(fifo, { depth: 1, widthBytes: 4 });
    g.invoke({ name: src, firings: 6, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 1 } }, { out: { out: f } });
    g.invoke({ name: dst, firings: 6, inputs: { in: port }, cost: { iiCycles: 3, latencyCycles: 0 } }, { in: { in: f } });
  }
  const e = g.stream('ef', { depth: 1, widthBytes: 8 });
  g.invoke({ name: 'e', firings: 4, outputs: { out: { widthBytes: 8 } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { out: e } });
  g.invoke({ name: 'f', firings: 4, inputs: { in: { widthBytes: 8 } }, cost: { iiCycles: 2, latencyCycles: 0 } }, { in: { in: e } });
  return g.build();
}

describe('sizeFifos in steps', () => {
  const rec = runGraph(chains(), { record: true }).recording!;
  const plan = planSizing(rec);
  const single = sizeFifos(rec);
  const search = (classes: readonly (readonly number[])[]) => searchIndependent(plan.free, plan.unbounded, plan.need, plan.bound, classes);

  it('groups the alike FIFOs (same ports, tokens, width, depth and firings at both ends) into one class', () => {
    expect(plan.classes).toEqual([[0, 1], [2]]);
    expect([...plan.need].every((n) => n > 1)).toBe(true);
  });

  it('merges searches of disjoint classes, in any order, into the single search\'s sizing', () => {
    expect(finishSizing(plan, [search([plan.classes[1]!]), search([plan.classes[0]!])])).toEqual(single);
    expect(finishSizing(plan, [search(plan.classes)])).toEqual(single);
  });

  it('sums the searches\' work, and keeps the undecided example of the least FIFO index', () => {
    const a = search([plan.classes[0]!]);
    const b = search([plan.classes[1]!]);
    const withExamples = (s: IndependentSearch, fifo: number): IndependentSearch => ({ ...s, undecided: 1, example: { fifo, text: `example of ${fifo}` } });
    const merged = finishSizing(plan, [withExamples(b, 2), withExamples(a, 1)]);
    expect([merged.retimings - single.retimings, merged.firingsRetimed, merged.undecidedProbes, merged.undecidedExample]).toEqual([0, single.firingsRetimed, 2, 'example of 1']);
    expect(a.retimings + b.retimings + 1).toBe(single.retimings); // + the joint run
  });

  it('refuses a merge that leaves a FIFO without a depth, or covers another graph, naming it', () => {
    expect(() => finishSizing(plan, [search([plan.classes[0]!])])).toThrow("sizeFifos: no search gave FIFO 'ef' a depth (its class was searched nowhere)");
    const short = { ...search(plan.classes), independent: new Int32Array(2) };
    expect(() => finishSizing(plan, [short])).toThrow('sizeFifos: a search\'s depths cover 2 FIFOs, the graph has 3');
  });
});
