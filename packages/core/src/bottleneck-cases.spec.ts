import { describe, expect, it } from 'vitest';
import { GraphBuilder, rankBottlenecks, runGraph, sinkActor, sourceActor, type ActorSpec, type FifoSummary } from './index.js';

/**
 * rankBottlenecks' reasons on a run: a join whose two producers both stall full (both FIFOs
 * named, each with its cycles), and the FIFO figures looked up by name when the caller's list is
 * not in graph order. Figures derived by hand below.
 */

// srcA and srcB (II 1, 4 tokens each) feed `join` (II 3, reads both) through depth-1 FIFOs a, b.
function joinGraph() {
  const g = new GraphBuilder('join');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  const o = g.stream('o', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'srcA', count: 4, widthBytes: 4 }), { out: { out: a } });
  g.invoke(sourceActor({ name: 'srcB', count: 4, widthBytes: 4 }), { out: { out: b } });
  const join: ActorSpec = { name: 'join', inputs: { a: { widthBytes: 4 }, b: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: { iiCycles: 3, latencyCycles: 0 } };
  g.invoke(join, { in: { a, b }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
  return g.build();
}

describe('bottleneck reasons', () => {
  // join fires at 0, 3, 6, 9 (II 3; each firing reads a and b), the last II ends the run at 12.
  // Each source (II 1, latency 0) writes token 0 at 0. Token k >= 1 needs the slot join freed
  // reading token k - 1 at 3(k - 1), plus the 2-cycle turnaround: written at 3k - 1. The
  // source's firing 1 starts at 1 and freezes 1 -> 2 (1 cycle); a freeze delays the next start
  // (stall-pipeline), so firing k >= 2 starts one cycle after the previous write, at 3k - 3,
  // and freezes 2 cycles. Full stalls per FIFO: 1 + 2 + 2 = 5.
  it("a join's two full producers are both named, in port order, with their cycles", () => {
    const r = runGraph(joinGraph());
    expect(r.cycles).toBe(12);
    expect(r.summary.fifos.map((f) => [f.fifo, f.fullStallCycles])).toEqual([
      ['a', 5],
      ['b', 5],
      ['o', 0],
    ]);
    // srcA: 4 firings of II 1 busy, 5 frozen, and idle after its last II ends at 8 + 1 = 9: 3.
    const srcA = r.summary.actors.find((x) => x.actor === 'srcA')!;
    expect([srcA.busyCycles, srcA.stalledFullCycles, srcA.idleCycles]).toEqual([4, 5, 3]);
    const join = r.summary.bottlenecks.find((x) => x.name === 'join')!;
    expect(join.why).toBe("busy 12 of 12 cycles; producers stalled full on 'a' (5 cycles), 'b' (5 cycles)");
  });

  it('FIFO figures passed in another order than the graph are matched by name', () => {
    const graph = joinGraph();
    const r = runGraph(graph);
    // The same figures, b's full stalls changed to 4 and the list reversed: join's reason must
    // name a with 5 and b with 4 (found by name, not by position).
    const fifos: FifoSummary[] = r.summary.fifos.map((f) => (f.fifo === 'b' ? { ...f, fullStallCycles: 4 } : f)).reverse();
    const ranked = rankBottlenecks(r.summary.actors, fifos, r.summary.resources, graph);
    expect(ranked.find((x) => x.name === 'join')!.why).toBe("busy 12 of 12 cycles; producers stalled full on 'a' (5 cycles), 'b' (4 cycles)");
    // The sink's input o never stalled its producer: no reason beyond its busy cycles.
    expect(ranked.find((x) => x.name === 'sink')!.why).toBe('busy 4 of 12 cycles');
  });
});
