import { describe, expect, it } from 'vitest';
import { GraphBuilder, retime, runGraph, sinkActor, sourceActor, type FiringCost, type Graph, type RetimeChanges } from './index.js';

/**
 * How much of a run a re-timing re-resolves (`firingsRetimed`), derived by hand (issue 23:
 * mutation testing of the re-timing files). A re-timing resumes from the base's checkpoint at
 * the cut before the first cycle its change can affect (cuts every ceil(cycles / 256) cycles:
 * every cycle for these short runs; a cut at H holds every start and write below H): for a
 * latency or II, the first start of the actor whose value changes; for a deeper FIFO, the first
 * write that waited for its slot; for a shallower one, the first write that would. Firings
 * started before that cut are the base's and are not counted. Once its changes are spent, it
 * stops at the first cut whose state equals the base's at a cut delta cycles earlier (then the
 * rest is the base's shifted by delta).
 *
 * The pair: src fires n times (cost `srcCost`) into `a` (depth d); sink reads at II `sinkIi`.
 */
function pair(n: number, srcCost: FiringCost, sinkIi: number, depth: number) {
  const g = new GraphBuilder('pair');
  const a = g.stream('a', { depth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4, cost: srcCost }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: sinkIi, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

function retimed(rec: Parameters<typeof retime>[0], ch: RetimeChanges): [number, number] {
  const x = retime(rec, ch);
  if (!x.exact) throw new Error(`not exact: ${x.reason}`);
  return [x.cycles, x.firingsRetimed];
}

describe('firingsRetimed: the 3-token pair (src II 1, latency 0, depth 1, sink II 4)', () => {
  // Recorded: src starts at 0, 1, 3 (firing 1's write due 1 waits for t0's slot, read at 0, free
  // at 2: frozen [1, 2); firing 2's due 3 waits for t1's, read at 4: frozen [3, 6)); writes at
  // 0, 2, 6; the sink starts at 0, 4, 8: 12 cycles.
  const rec = runGraph(pair(3, { iiCycles: 1, latencyCycles: 0 }, 4, 1), { record: true }).recording!;

  it("a deeper FIFO (2 or 3) resumes at the first write that waited (due at 1): src's firings 1, 2 and the sink's 1, 2 are re-resolved: 4", () => {
    expect(retimed(rec, { fifoDepths: { a: 3 } })).toEqual([12, 4]);
    expect(retimed(rec, { fifoDepths: { a: 2 } })).toEqual([12, 4]);
  });

  it("the sink's II (2, 8) changes from its first start at 0: all 6 firings; II 8: reads at 0, 8, 16, 24 cycles", () => {
    expect(retimed(rec, { iiCycles: { sink: 2 } })).toEqual([6, 6]);
    expect(retimed(rec, { iiCycles: { sink: 8 } })).toEqual([24, 6]);
  });

  it("src's latency 5 changes from its first start at 0; its writes land at 5, 7, 11, the sink reads at 5, 9, 13: at cut 13 (src done, the sink's firings 0, 1 started) the state is the base's at cut 8 shifted by 5, so the sink's last firing is the base's + 5: 5 re-resolved, 17 cycles", () => {
    expect(retimed(rec, { latencyCycles: { src: 5 } })).toEqual([17, 5]);
  });
});

describe('firingsRetimed: the README pair at 20 tokens (src II 1, latency 10, depth 1, sink II 1)', () => {
  // Recorded: src starts every cycle from 0 until its firing 1's write, due at 11, waits for
  // t0's slot (read at 10, free at 12): frozen [11, 12); each later write waits 1 more: token j
  // written and read at 10 + 2j, 49 cycles. Below cycle 11: src's starts at 0 .. 10 (11) and the
  // sink's first (at 10); below 10: src's 10.
  const rec = runGraph(pair(20, { iiCycles: 1, latencyCycles: 10 }, 1, 1), { record: true }).recording!;

  it('depth 2 or 3 resumes at 11 (the first write that waited): 40 - 12 = 28 firings re-resolved; the run is the stall-free one, 30 cycles', () => {
    expect(retimed(rec, { fifoDepths: { a: 2 } })).toEqual([30, 28]);
    expect(retimed(rec, { fifoDepths: { a: 3 } })).toEqual([30, 28]);
  });

  it("src's latency 3 from its first start at 0: all 40; token j at 3 + 2j, the last read at 41: 42 cycles", () => {
    expect(retimed(rec, { latencyCycles: { src: 3 } })).toEqual([42, 40]);
  });

  it("the sink's II 2 from its first start at 10: src's 10 starts below it are kept, 30 re-resolved; token j read at 10 + 2j, the last at 48: 50 cycles", () => {
    expect(retimed(rec, { iiCycles: { sink: 2 } })).toEqual([50, 30]);
  });

  it('depth 1 again (no change) or a depth at the stall-free 2 from a deep recording: nothing re-resolved', () => {
    expect(retimed(rec, { fifoDepths: { a: 1 } })).toEqual([49, 0]);
    const deep = runGraph(pair(20, { iiCycles: 1, latencyCycles: 10 }, 1, 8), { record: true }).recording!;
    // At depth 8 token j is written and read at 10 + j: at each write the previous token was
    // read the cycle before (after W - 2), so 2 slots are busy: depth 2 and above change nothing.
    expect(retimed(deep, { fifoDepths: { a: 2 } })).toEqual([30, 0]);
    // Depth 1: the first write that would wait is token 1 (due 11, t0 read at 10, free at 12):
    // below 11 src's 11 starts and the sink's first are kept, 28 re-resolved; 49 cycles.
    expect(retimed(deep, { fifoDepths: { a: 1 } })).toEqual([49, 28]);
  });
});

describe('firingsRetimed: partial re-timing of one of two independent pairs', () => {
  /**
   * Pair A is the README pair at 20 tokens (srcA II 1, latency 10, depth 1: 49 cycles); pair B
   * is srcB (30 firings, II 7, latency 0) -> sinkB through 'b' (depth 2): starts at 0, 7, ..., 203,
   * 210 cycles in all (cuts every cycle). At the first cut after resuming, the actors whose state
   * differs from the base's, with those the change touches, are re-timed alone (M) if they hold at
   * most half the firings left; B, untouched, follows the base (its starts never fall in the one
   * round before that cut that re-times everyone, except at cycle 0).
   */
  function twoPairs(): Graph {
    const g = new GraphBuilder('two-pairs');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'srcA', count: 20, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 10 } }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'sinkA', widthBytes: 4 }), { in: { in: a } });
    g.invoke(sourceActor({ name: 'srcB', count: 30, widthBytes: 4, cost: { iiCycles: 7, latencyCycles: 0 } }), { out: { out: b } });
    g.invoke(sinkActor({ name: 'sinkB', widthBytes: 4 }), { in: { in: b } });
    return g.build();
  }
  const rec = runGraph(twoPairs(), { record: true }).recording!;

  it("sinkA's II 2 resumes at 10 (its first start): round [10, 11) re-times srcA's firing 10 and sinkA's 0; at cut 11 only sinkA differs (srcA still waits for t0's slot, free at 12, as in the base), M = {sinkA}: it reads token j at 10 + 2j as the base did, so srcA follows the base: 1 + 1 + 19 = 21", () => {
    expect(rec.cycles).toBe(210);
    expect(retimed(rec, { iiCycles: { sinkA: 2 } })).toEqual([210, 21]);
  });

  it("'a' at depth 2 resumes at 11 (the first write that waited): M = {srcA, sinkA} re-times A's 9 + 19 firings left; B follows the base: 28", () => {
    expect(retimed(rec, { fifoDepths: { a: 2 } })).toEqual([210, 28]);
  });

  it("srcA's latency 3 resumes at 0: round [0, 1) re-times srcA's, srcB's and sinkB's first firings; M = {srcA} would write sinkA's tokens earlier than the base (a base actor would move), so M grows to {srcA, sinkA}: A's 40 + B's 2 = 42", () => {
    expect(retimed(rec, { latencyCycles: { srcA: 3 } })).toEqual([210, 42]);
  });
});
