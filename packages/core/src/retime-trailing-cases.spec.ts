import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, runGraph, type Graph, type RetimeChanges, type RetimedRun } from './index.js';
import { againstRerun } from '../test-support/retime-compare.js';

/**
 * The trailing wait of an actor without a firing count (retime-trailing.ts) on small hand graphs
 * (issue 23: mutation testing). Such an actor, past its last start, waits for its first input to
 * close: starved up to a freeze of its own pipeline that begins no later than the close (the
 * engine takes the freeze before the close's wake-up in a cycle), idle otherwise. A FIFO closes
 * when its producer retires and its pipeline has drained: a limited producer at its next-allowed
 * cycle after its last firing, one without a firing count once its own input has closed; so the
 * close is the latest of the next-allowed cycles and last writes up the chain of producers
 * without a firing count (`closeCycle`). In a probe, the early cut-off must not take the base's
 * decision for a trailing wait still to come unless the close it reads is the base's plus delta,
 * or comes before the freezes in both runs (`closesAgree`).
 *
 * Each case compares with a full engine run of the changed graph (cycles, every attribution
 * field, frozen cycles per FIFO) and asserts the values derived by hand, with `firingsRetimed`
 * (the firings started between the resume cut and the cut where the probe stops; the runs here are
 * under 256 cycles, so there is a cut at every cycle; see retime-cut-mutants.spec for how a probe
 * picks the cut it compares).
 */

const port = { widthBytes: 4 };

/** A fresh Retimer's re-timing, equal to a full re-run (`againstRerun`); a sweep from the start under the changes (no checkpoint, no cut-off) agrees too. */
function retimed(graph: Graph, changes: RetimeChanges): RetimedRun {
  const got = againstRerun(graph, changes);
  const want = runGraph(applyChanges(graph, changes));
  const sweep = new Retimer(runGraph(graph, { record: true }).recording!, changes, { checkpoints: false }).baseRun!;
  expect([sweep.cycles, ...sweep.stalledEmptyCycles]).toEqual([want.cycles, ...want.summary.actors.map((s) => s.stalledEmptyCycles)]);
  return got;
}

/** [busy, starved, frozen] per actor of a re-timing. */
const books = (r: RetimedRun) => [...r.busyCycles].map((b, a) => [b, r.stalledEmptyCycles[a], r.stalledFullCycles[a]]);

/**
 * src (4 firings, II 3, latency 0) writes f0 (depth 2) in firings 0-2 only; relay (II 1, latency
 * relayLat) copies f0 to f1 (depth 2); relay2 (II 1, latency 2) copies f1 to f3 (depth 1); cons
 * (II 1, latency 2) copies f3 to f2 (depth 1); sink (II 5) reads f2. Only src has a firing count.
 */
function relayChain(relayLat: number): Graph {
  const g = new GraphBuilder('relay-chain');
  const f0 = g.stream('f0', { depth: 2, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 2, widthBytes: 4 });
  const f3 = g.stream('f3', { depth: 1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 4, outputs: { out: port }, writes: (i) => (i < 3 ? ['out'] : []), cost: { iiCycles: 3, latencyCycles: 0 } }, { out: { out: f0 } });
  g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: relayLat } }, { in: { in: f0 }, out: { out: f1 } });
  g.invoke({ name: 'relay2', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 2 } }, { in: { in: f1 }, out: { out: f3 } });
  g.invoke({ name: 'cons', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 2 } }, { in: { in: f3 }, out: { out: f2 } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 5, latencyCycles: 0 } }, { in: { in: f2 } });
  return g.build();
}

describe('a close up a chain that the change does not shift (relay latency 2 -> 3)', () => {
  /*
   * Base (relay latency 2): src starts at 0, 3, 6, 9 and writes a_j at 3j; it retires at its
   * next-allowed cycle 12 and closes f0 (its last firing writes nothing). relay starts at 3j and
   * writes r_j at 3j + 2 (next-allowed 7 after its last start; it retires when f0 closes, 12);
   * relay2 starts at 3j + 2 and writes s_j at 3j + 4 (it retires at 12 too); cons starts at 3j + 4
   * (starved [0, 4), [5, 7), [8, 10)) and its writes o_j are due at 3j + 6. The sink reads o_0 at 6
   * (next 11); o_1 lands at 9 (o_0's slot free from 8), read at 11 (next 16); o_2, due 12, waits
   * for o_1's slot (free from 13): cons frozen [12, 13). cons's trailing wait: next-allowed 11 < 12,
   * f3 closes at 12 (relay2's retirement) >= 12: starved [11, 12). 21 cycles (the sink's last read
   * at 16 + II 5). cons: busy 3, starved 4 + 2 + 2 + 1 = 9, frozen 1.
   * Probe (relay latency 3): every r_j, s_j, o_j one cycle later: cons starts at 3j + 5 (starved
   * [0, 5), [6, 8), [9, 11)), the sink reads o_0 at 7, o_1 at 12, o_2 (due 13, slot free from 14)
   * at 17: cons frozen [13, 14), 22 cycles. Its trailing wait from 12: f3 still closes at 12 (src's
   * retirement does not move), before the freeze at 13: idle. cons: busy 3, starved 9, frozen 1;
   * relay2 starved [0, 3), [4, 6), [7, 9) = 7 (base 6); the sink starved [0, 7).
   * The cut-off: the change is spent once relay started its 3 firings (cut 7). Cuts 8-10 (base
   * 7-9, delta 1: the s and r writes) differ at src's next start (9 in both runs). At cut 11 (base
   * 10) the state matches the base's shifted by 1, but cons's trailing wait is still to come and
   * reads a close: relay2 has a write pending in both runs (s_2 due 11 and 10), its own close the
   * base's plus 1; above it relay is done (close max(na 7, last write 9) = 9, base 8: shifted) and
   * src is done with close 12 in both runs: not shifted, so the probe goes on (before the fix it
   * stopped here, taking the base's starved [11, 12) for cons). Cut 12 (base 11): relay2 is done
   * (11 = 10 + 1), src's close 12 is still not shifted, and 12 is not before the cut (12) in the
   * probe. Cut 13 (base 12): the same. No write lands in [12, 13) or [13, 14) (o_2 lands at 14),
   * so no cut is compared until o_2's (delay 1) gives cut 16 (base 15): cons is done there (its
   * freeze at 13 applied once src ended), and every other state matches.
   * Firings started below cut 16: src 4, relay 3, relay2 3, cons 3, sink 2 (7, 12) = 15.
   */
  it('the base: 21 cycles, cons starved [11, 12) before its trailing freeze at 12 (f3 closes at 12)', () => {
    const r = runGraph(relayChain(2));
    expect(r.cycles).toBe(21);
    expect([r.summary.actors[3]!.stalledEmptyCycles, r.summary.actors[3]!.stalledFullCycles, r.summary.actors[3]!.idleCycles]).toEqual([9, 1, 8]);
  });

  it('the probe stops at cut 16 (base 15, delta 1) having re-timed 15 firings: 22 cycles, cons idle from 12 to its freeze at 13', () => {
    const got = retimed(relayChain(2), { latencyCycles: { relay: 3 } });
    expect([got.cycles, got.firingsRetimed]).toEqual([22, 15]);
    expect(books(got)).toEqual([
      [12, 0, 0],
      [3, 4, 0],
      [3, 7, 0],
      [3, 9, 1],
      [15, 7, 0],
    ]);
  });
});

/**
 * src (5 firings, II srcIi, latency 0) writes f0 (depth 1) in every firing and fs (depth 1) in its
 * last; slow (II 6) reads fs; relay (II 2, latency 0) copies f0 to f1 (depth 1); cons (II 1,
 * latency 2) copies f1 to f2 (depth 1); sink (II 5) reads f2. Only src has a firing count.
 */
function fastSource(srcIi: number): Graph {
  const g = new GraphBuilder('fast-source');
  const f0 = g.stream('f0', { depth: 1, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  const fs = g.stream('fs', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 5, outputs: { out: port, s: port }, writes: (i) => (i === 4 ? ['out', 's'] : ['out']), cost: { iiCycles: srcIi, latencyCycles: 0 } }, { out: { out: f0, s: fs } });
  g.invoke({ name: 'slow', inputs: { in: port }, cost: { iiCycles: 6, latencyCycles: 0 } }, { in: { in: fs } });
  g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 2, latencyCycles: 0 } }, { in: { in: f0 }, out: { out: f1 } });
  g.invoke({ name: 'cons', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 2 } }, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 5, latencyCycles: 0 } }, { in: { in: f2 } });
  return g.build();
}

describe('a close that moves but decides nothing (src II 2 -> 1)', () => {
  /*
   * Base (src II 2): src starts at 2j and writes a_j at 2j (relay reads each at once), and s at
   * 8 (slow reads it at 8); it retires at 10 and closes f0. relay starts at 0, 2, 4, 6 and writes
   * r_j at 2j; its last firing starts at 8, r_4 (due 8) waits for r_3's slot (cons reads r_3 at 9,
   * free from 11): relay frozen [8, 11), next-allowed 10 + 3 = 13, when it retires (f0 closed at
   * 10) and closes f1. cons starts at 0, 2, 4 (o_j due 2j + 2); the sink reads o_0 at 2, o_1 at 7,
   * so o_2 (due 6) waits for o_1's slot (free from 9): cons frozen [6, 9), o_2 at 9; cons starts
   * at 9 (r_3), o_3 due 11 waits for o_2's read at 12 (free 14): frozen [11, 14); it starts at 14
   * (r_4 landed at 11), o_4 due 16 waits for o_3's read at 17: frozen [16, 19), the sink reads o_4
   * at 22: 27 cycles. cons's trailing wait from 15: f1 closes at 13, before the freeze at 16: idle.
   * cons: busy 5, starved [1, 2), [3, 4), [5, 6), [10, 11) = 4, frozen 3 + 3 + 3 = 9.
   * Probe (src II 1): a_j+1 is due 1 cycle after a_j, whose slot relay frees 2 cycles after it
   * landed: src frozen [2j + 1, 2j + 2) for j < 4 and writes at 2j as before. Only src's books
   * (busy 5, frozen 4) and its retirement (9, not 10) differ; f1 still closes at 13 (relay's).
   * The probe resumes from cut 0 (src's first start). It first re-times src alone at cut 1 (a
   * partial re-timing): src ends there with another close than the base's, and cons, following
   * the base, read a close in the base sweep (its trailing wait before the freeze at 16; relay's
   * freeze begins at its last start, before its next-allowed cycle, and reads none): the partial
   * try hands back cons (`baseCloseReader`, through relay) and the probe goes on with every actor.
   * The change is spent once src has started its 5 firings (cut 9). Every write has delay 0, so a
   * round with a write gives a compare of the next cut with the base's same cut (delta 0): a_4
   * and s (8) give cut 10, o_2 (9) cut 11, r_4 (11) cut 13, o_3 (14) cut 16, o_4 (19) cut 21.
   * The states match at each (only src differs, and it is done); the closes cons will read:
   * - cut 10 and 11: relay has r_4 pending (its own close still to come); src, done, closes at 9
   *   against the base's 10: not shifted by 0, so not known to agree;
   * - cut 13: relay is done (close 13 in both runs: shifted); src's is not, and neither is before
   *   cons's first freeze left (o_3, planned at 11);
   * - cut 16: both closes (13; 9 and 10) come before cons's first freeze left (o_4 at 16), but
   *   cons is past its last start with o_4 pending: a freeze still to be compared with the close;
   * - cut 21: cons is done (its freeze [16, 19) applied: idle, as f1 closes at 13): agreed.
   * Firings started below cut 21: src 5, slow 1, relay 5, cons 5, sink 4 (2, 7, 12, 17) = 20.
   */
  it('stops at cut 21 (base 21, delta 0) having re-timed 20 firings: 27 cycles, only src differs', () => {
    const got = retimed(fastSource(2), { iiCycles: { src: 1 } });
    expect([got.cycles, got.firingsRetimed]).toEqual([27, 20]);
    expect(books(got)).toEqual([
      [5, 0, 4],
      [6, 8, 0],
      [10, 0, 3],
      [5, 4, 9],
      [25, 2, 0],
    ]);
  });
});

/**
 * src (3 firings, II 2, latency srcLat) writes f0 (depth 2); relay (II 2, latency 4) copies f0 to
 * f1 (depth 1); cons (II 1, latency 2) copies f1 to f2 (depth 1); sink (II 7) reads f2. Only src
 * has a firing count.
 */
function slowSink(srcLat: number): Graph {
  const g = new GraphBuilder('slow-sink');
  const f0 = g.stream('f0', { depth: 2, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 3, outputs: { out: port }, cost: { iiCycles: 2, latencyCycles: srcLat } }, { out: { out: f0 } });
  g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 2, latencyCycles: 4 } }, { in: { in: f0 }, out: { out: f1 } });
  g.invoke({ name: 'cons', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 2 } }, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 7, latencyCycles: 0 } }, { in: { in: f2 } });
  return g.build();
}

describe('a close shifted by delta, compared while the reader still has its writes to plan (src latency 4 -> 6)', () => {
  /*
   * Base (src latency 4): src starts at 0, 2, 4 and writes a_j at 4, 6, 8; its next-allowed cycle
   * is 6, its pipeline drains at 8: f0 closes at 8. relay starts at 4, 6, 8 and writes r_j at 8,
   * 10, 12 (next-allowed 10; f1 closes at 12, its last write). cons starts at 8, 10, 12 (starved
   * [0, 8), [9, 10), [11, 12)), its writes due 10, 12, 14; the sink reads o_0 at 10, o_1 at 17;
   * o_2 (due 14) waits for o_1's slot (free from 19): cons frozen [14, 19). cons's trailing wait
   * from 13: f1 closes at 12, before the freeze: idle. The sink reads o_2 at 24: 31 cycles.
   * Probe (src latency 6): a_j at 6, 8, 10 (f0 closes at 10), r_j at 10, 12, 14 (f1 at 14), cons
   * starts at 10, 12, 14 (starved [0, 10), [11, 12), [13, 14) = 12), frozen [16, 21) (the sink
   * reads o_1 at 19), idle from 15 (f1 closed at 14 < 16); the sink reads at 12, 19, 26: 33 cycles.
   * Everything moves by 2 but src's next-allowed cycle (6 in both runs).
   * The probe resumes from cut 0; a partial try at cut 1 (src alone) is handed back by relay (its
   * starts move). The change is spent from cut 5 (src's last start at 4). a_0 (6, base 4: delay 2)
   * gives the compare of cut 8 with the base's 6, a_1 (8) of cut 10 with 8: src still has a write
   * pending in both runs and its next-allowed cycle (6) is not shifted: no match. a_2 and r_0 (10,
   * base 8) give cut 12 against the base's 10: src is done, the rest is the base's plus 2. cons,
   * whose trailing wait read a close in the base, has started once (o_0 planned at 12, base 10).
   * Its input's chain: relay still has r_2 pending (its close still to come); src is done, with
   * close 10 = 8 + 2: shifted. Not before cons's next freeze (a write planned at 12 may freeze
   * from 12), but that planned write is the base's plus 2 too (`freezesShifted`): the close
   * decides as in the base, and the probe stops there.
   * Firings started below cut 12: src 3, relay 3 (6, 8, 10), cons 1 (10), sink 0 = 7.
   */
  it('stops at cut 12 (base 10, delta 2) having re-timed 7 firings: 33 cycles, cons frozen [16, 21) and idle before it', () => {
    const got = retimed(slowSink(4), { latencyCycles: { src: 6 } });
    expect([got.cycles, got.firingsRetimed]).toEqual([33, 7]);
    expect(books(got)).toEqual([
      [6, 0, 0],
      [6, 6, 0],
      [3, 12, 5],
      [21, 12, 0],
    ]);
    expect([...got.stalledFullByFifo]).toEqual([0, 0, 5]);
  });
});

/**
 * src (4 firings, II 3, latency srcLat) writes f0 (depth 1) in every firing and fs (depth 1) in
 * firings 1-3; slow (II 8) reads fs; relay (II 1, latency 1) copies f0 to f1 (depth 2); cons (II
 * 1, latency 4) copies f1 to f2 (depth 1); sink (II 7) reads f2. Only src has a firing count.
 */
function frozenSource(srcLat: number): Graph {
  const g = new GraphBuilder('frozen-source');
  const f0 = g.stream('f0', { depth: 1, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 2, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  const fs = g.stream('fs', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 4, outputs: { out: port, s: port }, writes: (i) => (i === 0 ? ['out'] : ['out', 's']), cost: { iiCycles: 3, latencyCycles: srcLat } }, { out: { out: f0, s: fs } });
  g.invoke({ name: 'slow', inputs: { in: port }, cost: { iiCycles: 8, latencyCycles: 0 } }, { in: { in: fs } });
  g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 1 } }, { in: { in: f0 }, out: { out: f1 } });
  g.invoke({ name: 'cons', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 4 } }, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 7, latencyCycles: 0 } }, { in: { in: f2 } });
  return g.build();
}

describe('a close whose producers are all still running at the cut (src latency 4 -> 6)', () => {
  /*
   * Base (src latency 4): src starts at 0, 3, 6, 9; its writes are due at 4, 7, 10, 13. a_0 lands
   * at 4, a_1 and s_0 at 7, a_2 and s_1 at 10 (slow reads s_0 at 7, s_1 at 15); a_3 and s_2, due
   * 13, wait for s_1's slot (free from 17): src frozen [13, 17) after its next-allowed cycle 12
   * (idle [12, 13)); it retires at 17, its last write: f0 closes at 17. relay reads a_j at 4, 7,
   * 10, 17 and writes r_j one cycle later; f1 closes at 18 (its last write, after f0's close).
   * cons starts at 5, 8, 11 and 18 (na 12 moved to 18 by its freeze [15, 18)): the sink reads o_0
   * at 9, o_1 (12) at 16, so o_2 (due 15) waits for o_1's slot (free from 18), and o_3 (due 22)
   * for o_2's read at 23 (free 25): frozen [22, 25). cons's trailing wait from 19: f1 closed at 18,
   * before the freeze at 22: idle. The sink reads o_3 at 30: 37 cycles.
   * Probe (src latency 6): src still starts at 0, 3, 6, 9; every write lands 2 cycles later (a_3
   * and s_2 frozen [15, 19), slow reads s_1 at 17), and so does everything downstream: relay starts
   * at 6, 9, 12, 19, cons at 7, 10, 13, 20, frozen [17, 20) and [24, 27); its trailing wait from 21
   * is idle (f1 closes at 20). 39 cycles. src: busy 12, frozen 4; slow: busy 24, starved [0, 9);
   * relay: busy 4, starved 6 + 2 + 2 + 6 = 16; cons: busy 4, starved 7 + 2 + 2 + 3 = 14, frozen 6;
   * the sink: busy 28, starved [0, 11). Frozen per FIFO: f2 6 (cons), fs 4 (src).
   * The probe resumes from cut 0; a partial try at cut 1 (src alone) is handed back by relay. The
   * change is spent from cut 10 (src's last start at 9). Every round from 9 to 14 has a write of
   * delay 2 (s_0 and a_1, r_1, o_0, a_2 and s_1, r_2, o_1), each giving a compare of the next cut
   * with the base's 2 earlier: cut 11 (base 9: src has not started its last firing there), cuts
   * 12-15 (src's next-allowed cycle is 12 in both runs, not shifted, while its writes are pending)
   * fail. At cut 16 (base 14) src's write a_3 (due 15, base 13) is frozen in both runs with its
   * next-allowed cycle below it in both: compared relative to the write, it matches. cons, whose
   * trailing wait read a close in the base, has its producers relay (its last firing not started)
   * and src (a write pending) still running: their closes are still to come, the base's plus 2;
   * cons's writes still to land (o_1 landed but its freeze not yet applied, o_2 planned at 17,
   * base 15) are the base's plus 2 too (`freezesShifted`): the probe stops there.
   * Firings started below cut 16: src 4, slow 1 (9), relay 3, cons 3, sink 1 (11) = 12.
   */
  it('stops at cut 16 (base 14, delta 2) having re-timed 12 firings: 39 cycles', () => {
    const got = retimed(frozenSource(4), { latencyCycles: { src: 6 } });
    expect([got.cycles, got.firingsRetimed]).toEqual([39, 12]);
    expect(books(got)).toEqual([
      [12, 0, 4],
      [24, 9, 0],
      [4, 16, 0],
      [4, 14, 6],
      [28, 11, 0],
    ]);
    expect([...got.stalledFullByFifo]).toEqual([0, 0, 6, 4]);
  });
});

/**
 * src (4 firings, II 3, latency srcLat) writes f0 (depth 1); relay (II 2, latency 1) copies f0
 * to f1 (depth 1); cons (II 1, latency 3) copies f1 to f2 (depth 1); sink (4 firings, II 6) reads
 * f2. relay and cons have no firing count.
 */
function closeByWriteOrRetirement(srcLat: number): Graph {
  const g = new GraphBuilder('write-or-retirement');
  const f0 = g.stream('f0', { depth: 1, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 4, outputs: { out: port }, cost: { iiCycles: 3, latencyCycles: srcLat } }, { out: { out: f0 } });
  g.invoke({ name: 'relay', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 2, latencyCycles: 1 } }, { in: { in: f0 }, out: { out: f1 } });
  g.invoke({ name: 'cons', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 3 } }, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'sink', firings: 4, inputs: { in: port }, cost: { iiCycles: 6, latencyCycles: 0 } }, { in: { in: f2 } });
  return g.build();
}

describe("a producer's close set by its last write in the base and by its retirement in the probe (src latency 4 -> 2)", () => {
  /*
   * Base (src latency 4): src starts at 0, 3, 6, 9, writes a_j at 4, 7, 10, 13; next-allowed 12,
   * last write 13: f0 closes at 13 (the write). relay reads a_j as it lands, writes r_j one cycle
   * later (5, 8, 11, 14); next-allowed 15: f1 closes at 15. cons starts at 5, 8, 11 (writes due 8,
   * 11, 14); the sink reads o_0 at 8, o_1 at 14, so o_2 waits for o_1's slot (free from 16): cons
   * frozen [14, 16), then starts at 16 (r_3); o_3 (due 19) waits for o_2's read at 20 (free 22):
   * frozen [19, 22). Trailing wait from 17: f1 closed at 15 < 19: idle. 32 cycles.
   * Probe (src latency 2): a_j at 2, 5, 8, 11; src's close is now its retirement at 12 (its last
   * write at 11 is earlier): 1 cycle before the base's, not 2. relay writes at 3, 6, 9, 12, next-
   * allowed 13: f1 closes at 13, 2 before the base's. cons starts at 3, 6, 9, 14, frozen [12, 14)
   * and [17, 20), idle from 15 (13 < 17); the sink reads at 6, 12, 18, 24: 30 cycles. relay
   * starved 2 + 1 + 1 + 1 = 5, cons starved 3 + 2 + 2 + 2 = 9, frozen 5; the sink starved [0, 6).
   * The probe resumes from cut 0 (a partial try at cut 1 is handed back by relay); the change is
   * spent from cut 10. r_2 (9, base 11: delay -2) gives cut 11 against the base's 13: src's
   * next-allowed cycle (12 in both) is not shifted while a_3 is pending: no match. a_3 (11) gives
   * cut 13 (base 15), r_3 (12) cut 14 (base 16), o_2 (14) cut 16 (base 18): the states match, but
   * cons's trailing wait is still to come. Its chain: relay is done with close 13 = 15 - 2, src
   * with 12 against 13: not shifted. At cuts 13 and 14 neither close is before cons's next freeze
   * (o_2's, from 12 in the probe, 14 in the base); at cut 16 both are (o_3 is planned at 17 and 19,
   * past both cuts), but cons has started its last firing with o_3 pending. No write lands in
   * [15, 20); o_3 at 20 (base 22) gives cut 22 against 24, where cons is done.
   * Firings started below cut 22: src 4, relay 4, cons 4, sink 3 (6, 12, 18) = 15.
   */
  it('stops at cut 22 (base 24, delta -2) having re-timed 15 firings: 30 cycles', () => {
    const got = retimed(closeByWriteOrRetirement(4), { latencyCycles: { src: 2 } });
    expect([got.cycles, got.firingsRetimed]).toEqual([30, 15]);
    expect(books(got)).toEqual([
      [12, 0, 0],
      [8, 5, 0],
      [4, 9, 5],
      [24, 6, 0],
    ]);
    expect([...got.stalledFullByFifo]).toEqual([0, 0, 5]);
  });
});
