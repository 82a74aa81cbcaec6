import { describe, expect, it } from 'vitest';
import { GraphBuilder, applyChanges, retime, retimeTokens, runGraph, sinkActor, type Graph } from './index.js';

/**
 * A firing that writes two FIFOs waits for both slots; its freeze is charged to the FIFO whose
 * slot comes free last, the first of them (in port order) on a tie (core README, "FIFOs":
 * a slot freed by a read at r takes a write from r + 2). Derived by hand (issue 23: mutation
 * testing of the re-timing files).
 *
 * src (4 firings, II 1, latency 0) writes 'a' and 'b' (depth 1 each) every firing; ca reads 'a'
 * at II 2, cb reads 'b' at II `cbIi`.
 */
function fork(cbIi: number): Graph {
  const g = new GraphBuilder('fork');
  const port = { widthBytes: 4 };
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 4, outputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { a, b } });
  g.invoke(sinkActor({ name: 'ca', widthBytes: 4, cost: { iiCycles: 2, latencyCycles: 0 } }), { in: { in: a } });
  g.invoke(sinkActor({ name: 'cb', widthBytes: 4, cost: { iiCycles: cbIi, latencyCycles: 0 } }), { in: { in: b } });
  return g.build();
}

describe('retime: a firing writing two FIFOs', () => {
  // cb II 3 (recorded): token 0 at 0, read by both at 0. Firing 1 (due 1): both slots free at 2
  // (a tie: charged to 'a', 1 cycle), written at 2; ca reads at 2, cb at 3. Firing 2 (its start
  // moved by the freeze to 3, due 3): 'a' free at 4, 'b' at 5: frozen [3, 5), charged to 'b';
  // written at 5, read at 5 and 6. Firing 3 (start 6, due 6): 'a' free at 7, 'b' at 8: frozen
  // [6, 8) on 'b'; written at 8, read at 8 and 9; cb's II ends at 12.
  const rec = runGraph(fork(3), { record: true }).recording!;

  it('the recorded run re-timed: writes at 0, 2, 5, 8; frozen 1 on a and 4 on b; 12 cycles', () => {
    const t = retimeTokens(rec);
    if (typeof t === 'string') throw new Error(t);
    expect(t.cycles).toBe(12);
    expect([...t.written]).toEqual([0, 2, 5, 8, 0, 2, 5, 8]);
    expect([...t.read]).toEqual([0, 2, 5, 8, 0, 3, 6, 9]);
    expect([...t.stalledFullByFifo]).toEqual([1, 4]);
  });

  it("cb's II 2: every freeze is a tie, charged to 'a': firing 1 frozen [1, 2), firing 2 [3, 4), firing 3 [5, 6); read at 0, 2, 4, 6: 8 cycles", () => {
    const t = retimeTokens(rec, { iiCycles: { cb: 2 } });
    if (typeof t === 'string') throw new Error(t);
    expect([t.cycles, [...t.written], [...t.stalledFullByFifo]]).toEqual([8, [0, 2, 4, 6, 0, 2, 4, 6], [3, 0]]);
    const x = retime(rec, { iiCycles: { cb: 2 } });
    if (!x.exact) throw new Error(x.reason);
    expect([x.cycles, x.stalledFullCycles[0]]).toEqual([8, 3]);
    const full = runGraph(applyChanges(rec.graph, { iiCycles: { cb: 2 } }));
    expect([full.cycles, full.summary.fifos.map((f) => f.fullStallCycles)]).toEqual([8, [3, 0]]);
  });
});
