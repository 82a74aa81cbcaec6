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

describe('retime: a firing that writes nothing', () => {
  // p (3 firings, II 1) writes nothing on firing 0 (latency 6) and 'a' (depth 1) on firings 1
  // and 2 (latency 0); the sink reads at II 2. Firing 0 leaves no write in p's pipeline, so it
  // holds no later write back: firing 1's lands at 1; firing 2's is due at 2, its slot (token 0
  // read at 1) free at 3: frozen [2, 3). The sink reads at 1 and 3; firing 0's latency ends at 6:
  // 6 cycles. p: busy 3, frozen 1, idle 2; the sink: starved [0, 1), busy 4, idle 1.
  const g = new GraphBuilder('gap');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'p', firings: 3, outputs: { out: { widthBytes: 4 } }, writes: (i) => (i === 0 ? [] : ['out']), cost: (f) => ({ iiCycles: 1, latencyCycles: f.index === 0 ? 6 : 0 }) }, { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: 2, latencyCycles: 0 } }), { in: { in: a } });
  const rec = runGraph(g.build(), { record: true }).recording!;

  it('the recorded run re-timed: writes at 1 and 3, 6 cycles', () => {
    const t = retimeTokens(rec);
    if (typeof t === 'string') throw new Error(t);
    expect([t.cycles, [...t.written], [...t.read], [...t.stalledFullByFifo]]).toEqual([6, [1, 3], [1, 3], [1]]);
    const x = retime(rec);
    if (!x.exact) throw new Error(x.reason);
    expect([0, 1].map((k) => [x.busyCycles[k], x.stalledEmptyCycles[k], x.stalledFullCycles[k], x.idleCycles[k]])).toEqual([
      [3, 0, 1, 2],
      [4, 1, 0, 1],
    ]);
  });

  it("p's latency 2 for every firing: firing 1 writes at 3; firing 2's, due at 4, waits for token 0's slot (read at 3): frozen [4, 5), written at 5; the sink's II ends at 7", () => {
    const t = retimeTokens(rec, { latencyCycles: { p: 2 } });
    if (typeof t === 'string') throw new Error(t);
    expect([t.cycles, [...t.written], [...t.read], [...t.stalledFullByFifo]]).toEqual([7, [3, 5], [3, 5], [1]]);
  });
});
