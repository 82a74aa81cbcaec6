import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, retime, runGraph, type Graph } from './index.js';

/**
 * A wait of an actor without a firing count after its last firing (found by retime-small-graphs.spec
 * while testing the re-timing files for issue 23; fixed in retime-trailing.ts). The engine opens
 * an empty stall when such an actor finds its input empty while the producer still runs, and a
 * freeze of its own pipeline closes it as starved (StallBook.closeEmpty); the input's close makes
 * it idle (StallBook.retire). An actor whose firing count is reached retires at once (idle).
 *
 * src (4 firings, II 1, latency 0) writes 'f0' on firings 0, 1 and 'f1' on 2, 3; mid (II 1,
 * latency 2) passes f0 to 'f2'; join reads f2 and f1. Every FIFO at depth 1 (recorded at f0 = 3):
 * src writes a0 at 0; a1 is due at 1, its slot (a0 read at 0) free at 2: frozen [1, 2). mid reads
 * a0 at 0, waits [1, 2) for a1 (starved), reads it at 2 and writes m0 at 2. src starts again at
 * 3 (II end moved by the freeze) and writes b0 at 3; join reads m0 and b0 at 3. mid, past its last
 * firing (next allowed 3), finds f0 empty while src still runs: an empty stall from 3. Its m1 is
 * due at 4, f2's slot (m0 read at 3) free at 5: frozen [4, 5), which closes the empty stall [3, 4).
 * src's b1 (due 4, slot free at 5) is written at 5, src closes f0; join reads m1, b1 at 5: 6
 * cycles. mid: busy 2, starved [1, 2) + [3, 4) = 2, frozen 1, idle [5, 6) = 1.
 * With mid limited to 2 firings it retires at 3 instead: starved 1, idle 2, as the sweep gives.
 */
function graph(depthF0: number, midFirings?: number): Graph {
  const g = new GraphBuilder('trailing-wait');
  const port = { widthBytes: 4 };
  const f0 = g.stream('f0', { depth: depthF0, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 4, outputs: { a: port, b: port }, writes: (i) => [i < 2 ? 'a' : 'b'], cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { a: f0, b: f1 } });
  g.invoke({ name: 'mid', ...(midFirings ? { firings: midFirings } : {}), inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 2 } }, { in: { in: f0 }, out: { out: f2 } });
  g.invoke({ name: 'join', inputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { a: f2, b: f1 } });
  return g.build();
}

/** mid's busy, starved, frozen and idle cycles. */
const engineMid = (g: Graph) => {
  const s = runGraph(g).summary.actors[1]!;
  return [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.idleCycles];
};

describe('retime: a wait after the last firing, closed by a freeze', () => {
  it('the engine: 6 cycles; mid starved 2 and idle 1 without a firing count, starved 1 and idle 2 with one', () => {
    expect(runGraph(graph(1)).cycles).toBe(6);
    expect(engineMid(graph(1))).toEqual([2, 2, 1, 1]);
    expect(engineMid(graph(1, 2))).toEqual([2, 1, 1, 2]);
  });

  it('re-timing agrees on the cycles and on mid with a firing count', () => {
    const x = retime(runGraph(graph(3, 2), { record: true }).recording!, { fifoDepths: { f0: 1 } });
    if (!x.exact) throw new Error(x.reason);
    expect([x.cycles, x.busyCycles[1], x.stalledEmptyCycles[1], x.stalledFullCycles[1], x.idleCycles[1]]).toEqual([6, 2, 1, 1, 2]);
  });

  // src closes f0 at 5 (its last write, b1, lands then), after mid's freeze begins at 4: starved.
  it("re-timing charges mid's wait [3, 4) as starved, as the engine does", () => {
    const rec = runGraph(graph(3), { record: true }).recording!;
    const x = retime(rec, { fifoDepths: { f0: 1 } });
    if (!x.exact) throw new Error(x.reason);
    expect(x.cycles).toBe(6);
    // The same from a sweep from the start (not the incremental machinery).
    expect(new Retimer(rec, { fifoDepths: { f0: 1 } }).baseRun!.stalledEmptyCycles[1]).toBe(2);
    expect([x.busyCycles[1], x.stalledEmptyCycles[1], x.stalledFullCycles[1], x.idleCycles[1]]).toEqual([2, 2, 1, 1]);
  });
});
