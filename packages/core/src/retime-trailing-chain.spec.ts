import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, retime, runGraph, type Graph } from './index.js';

/**
 * A trailing wait whose input closes through a chain (found by a random search over graphs of
 * stages without firing counts for issue 23; fixed in retime-sweep.ts). mid has no firing count:
 * after its last firing it waits for f1, which closes when relay (no firing count either)
 * retires, which it does when f0 closes, at src's retirement. In the sweep relay ends long
 * before src does (src's last firing is frozen by a slow side output), so the close mid's trailing
 * freeze compares with is known only once src ends; src's end must wake mid through relay.
 *
 * src (4 firings, II 3, latency 0) writes a (f0, depth 2) in firings 0-2, b (f3, depth 1) in
 * firings 1-3; relay (II 1, latency 0) copies f0 to f1 (depth 2); mid (II 1, latency 3) copies f1
 * to f2 (depth 1); sink (II 5) reads f2; slow (II 10) reads f3. None but src has a firing count.
 *
 * src starts at 0, 3, 6 and writes a_j at 3j; relay and mid start at 3j (busy 3, starved [1, 3)
 * and [4, 6) each); mid's writes m_j are due at 3j + 3. b_0 lands at 3, slow reads it at 3 (next
 * 13); b_1 at 6 (b_0's slot free from 5), read at 13 (next 23); src's firing 3 starts at 9, b_2
 * waits for b_1's slot (free from 15): src frozen [9, 15), its next-allowed cycle 12 + 6 = 18: it
 * retires then and closes f0; relay retires at 18 too and closes f1. The sink reads m_0 at 3
 * (next 8), m_1 (6) at 8 (next 13); m_2, due 9, waits for m_1's slot (free from 10): mid frozen
 * [9, 10). mid, past its last start (6), found f1 empty from 7 (not closed: starved up to the
 * freeze, [7, 9)), and after the thaw waits from 10 until f1 closes at 18 (idle). slow reads b_2
 * at 23: 33 cycles.
 * mid: busy 3, starved 2 + 2 + 2 = 6, frozen 1, idle 33 - 10 = 23. src: busy 12, frozen 6, idle
 * 15; slow: busy 30, starved [0, 3); relay: busy 3, starved 4, idle 26; sink: busy 15, starved
 * [0, 3), idle 15. The sweep charged mid's [7, 9) as idle before the fix (starved 4, idle 25).
 */
function chainClose(sinkIi = 5, midReads = false): Graph {
  const port = { widthBytes: 4 };
  const g = new GraphBuilder('chain-close');
  const f0 = g.stream('f0', { depth: 2, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 2, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  const f3 = g.stream('f3', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 4, outputs: { a: port, b: port }, writes: (i) => [...(i < 3 ? ['a'] : []), ...(i > 0 ? ['b'] : [])], cost: { iiCycles: 3, latencyCycles: 0 } }, { out: { a: f0, b: f3 } });
  g.invoke({ name: 'slow', inputs: { in: port }, cost: { iiCycles: 10, latencyCycles: 0 } }, { in: { in: f3 } });
  g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: f0 }, out: { out: f1 } });
  g.invoke({ name: 'mid', inputs: { in: port }, outputs: { out: port }, ...(midReads ? { reads: () => ['in'] } : {}), cost: { iiCycles: 1, latencyCycles: 3 } }, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: sinkIi, latencyCycles: 0 } }, { in: { in: f2 } });
  return g.build();
}

/** Per actor [busy, starved, frozen, idle], in the graph's order (src, slow, relay, mid, sink). */
const HAND = [
  [12, 0, 6, 15],
  [30, 3, 0, 0],
  [3, 4, 0, 26],
  [3, 6, 1, 23],
  [15, 3, 0, 15],
];

describe('retime: a trailing wait whose input closes through a relay that ended first', () => {
  it('the engine: 33 cycles, mid starved [7, 9) before its trailing freeze', () => {
    const r = runGraph(chainClose());
    expect(r.cycles).toBe(33);
    expect(r.summary.actors.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.idleCycles])).toEqual(HAND);
  });

  it('the sweep of the recording (no change) and a sweep from the start give the same attribution', () => {
    const rec = runGraph(chainClose(), { record: true }).recording!;
    const x = retime(rec);
    if (!x.exact) throw new Error(x.reason);
    expect(x.cycles).toBe(33);
    expect([...x.busyCycles].map((b, a) => [b, x.stalledEmptyCycles[a], x.stalledFullCycles[a], x.idleCycles[a]])).toEqual(HAND);
    const sweep = new Retimer(rec, {}, { checkpoints: false }).baseRun!;
    expect([...sweep.stalledEmptyCycles]).toEqual(HAND.map((h) => h[1]));
  });

  /*
   * A partial re-timing (only the sink's II changes, 5 -> 6): the sink reads m_0 at 3 (next 9),
   * m_1 (6) at 9 (next 15); m_2, due 9, waits for m_1's slot (free from 11): mid frozen [9, 11);
   * the sink reads m_2 at 15 and ends at 21. mid's trailing wait from 7 is still starved up to the
   * freeze at 9 (f1 closes at 18, as src's freeze on f3 does not move). The probe first re-times
   * the sink alone, then with the actors what it passes would move (mid's freeze is longer, then
   * mid's producers): mid's close is decided by relay and, up the chain, by src, whose end a
   * partial sweep that follows the base for src never sweeps. Before the fix the probe re-timed
   * mid while src followed the base: the close never came and mid's starved [7, 9) was dropped.
   * src [12, 0, 6, 15], slow [30, 3, 0, 0], relay [3, 4, 0, 26] as before; mid [3, 6, 2, 22]; sink
   * busy 18, starved [0, 3), idle 33 - 21 = 12. Frozen per FIFO: f2 2 (mid), f3 6 (src).
   */
  it('a probe that re-times part of the graph (sink II 5 -> 6) keeps mid starved [7, 9): the close is decided by src, two producers up', () => {
    const rec = runGraph(chainClose(), { record: true }).recording!;
    const got = new Retimer(rec).retime({ iiCycles: { sink: 6 } });
    if (typeof got === 'string') throw new Error(got);
    const want = runGraph(applyChanges(chainClose(), { iiCycles: { sink: 6 } }));
    const hand = [
      [12, 0, 6, 15],
      [30, 3, 0, 0],
      [3, 4, 0, 26],
      [3, 6, 2, 22],
      [18, 3, 0, 12],
    ];
    expect(want.summary.actors.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.idleCycles])).toEqual(hand);
    expect(got.cycles).toBe(33);
    expect([...got.busyCycles].map((b, a) => [b, got.stalledEmptyCycles[a], got.stalledFullCycles[a], 33 - b - got.stalledEmptyCycles[a]! - got.stalledFullCycles[a]!])).toEqual(hand);
    expect([...got.stalledFullByFifo]).toEqual([0, 0, 2, 6]);
  });

  /*
   * The same graph with mid given a `reads` selector that always reads its one input
   * (`reads: () => ['in']`). The engine runs it exactly as above (mid starved 6: [7, 9) before its
   * trailing freeze). Which input mid's trailing wait blocks on is the selector's answer for a
   * firing that never started, which no recorded firing shows: until session 11 re-timing gave
   * such an actor no trailing input and charged [7, 9) as idle (starved 4) while calling itself
   * exact. The recording now keeps the input each actor retired on (`retiredOn`: f1 for mid).
   */
  it('an actor with a reads selector: re-timing charges its trailing wait as starved, as the engine does', () => {
    const graph = chainClose(5, true);
    const r = runGraph(graph, { record: true });
    expect(r.summary.actors[3]!.stalledEmptyCycles).toBe(6);
    const x = retime(r.recording!);
    if (!x.exact) throw new Error(x.reason);
    expect(x.stalledEmptyCycles[3]).toBe(6);
  });

  /*
   * A selector whose last answer is not the first input: mid also reads ctl (f4, declared first),
   * written once at 0 by a source with one firing (II 1: it retires at 1 and closes f4), in its
   * firing 0 only (`reads: (i) => (i === 0 ? ['ctl', 'in'] : ['in'])`). Every other time is as
   * above (ctl's token is there at 0 with f1's), so mid is starved 6 again: its trailing wait
   * blocks on f1 (closes at 18), not on ctl (closed at 1, which would make [7, 9) idle: starved
   * 4). ctl: busy 1, idle 32. Re-timing must take f1 from the recording (`retiredOn`).
   */
  it('a selector whose trailing wait is on its second input: the recording keeps that input, re-timing charges 6 starved', () => {
    const g = new GraphBuilder('chain-close-ctl');
    const port = { widthBytes: 4 };
    const f = ['f0', 'f1', 'f2', 'f3', 'f4'].map((name, i) => g.stream(name, { depth: i === 2 || i === 3 ? 1 : 2, widthBytes: 4 }));
    g.invoke({ name: 'src', firings: 4, outputs: { a: port, b: port }, writes: (i) => [...(i < 3 ? ['a'] : []), ...(i > 0 ? ['b'] : [])], cost: { iiCycles: 3, latencyCycles: 0 } }, { out: { a: f[0]!, b: f[3]! } });
    g.invoke({ name: 'slow', inputs: { in: port }, cost: { iiCycles: 10, latencyCycles: 0 } }, { in: { in: f[3]! } });
    g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: f[0]! }, out: { out: f[1]! } });
    g.invoke({ name: 'mid', inputs: { ctl: port, in: port }, outputs: { out: port }, reads: (i) => (i === 0 ? ['ctl', 'in'] : ['in']), cost: { iiCycles: 1, latencyCycles: 3 } }, { in: { ctl: f[4]!, in: f[1]! }, out: { out: f[2]! } });
    g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 5, latencyCycles: 0 } }, { in: { in: f[2]! } });
    g.invoke({ name: 'ctl', firings: 1, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { out: f[4]! } });
    const r = runGraph(g.build(), { record: true });
    expect(r.cycles).toBe(33);
    const rows = r.summary.actors.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.idleCycles]);
    expect(rows).toEqual([...HAND, [1, 0, 0, 32]]);
    // src and ctl reach their firing counts; slow, relay, mid, sink retire on f3, f0, f1, f2.
    expect([...r.recording!.retiredOn]).toEqual([-1, 3, 0, 1, 2, -1]);
    const x = retime(r.recording!);
    if (!x.exact) throw new Error(x.reason);
    expect([...x.busyCycles].map((b, a) => [b, x.stalledEmptyCycles[a], x.stalledFullCycles[a], x.idleCycles[a]])).toEqual(rows);
  });
});
