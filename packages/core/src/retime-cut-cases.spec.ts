import { describe, expect, it } from 'vitest';
import { GraphBuilder, sourceActor, type ActorSpec, type Graph } from './index.js';
import { againstRerun } from '../test-support/retime-compare.js';
import { memChain, startToken } from '../test-support/retime-graphs.js';

/**
 * The early cut-off of a re-timing (retime-cut.ts `matchCut`) on small hand graphs where one of
 * its checks alone decides the cut (issue 23: mutation testing). Its observable effects are the
 * result, which must equal a full re-run of the changed graph (cycles, every attribution field,
 * frozen cycles per FIFO), and `firingsRetimed`: the firings started between the resume cut and
 * the cut at which the probe's state equals the base's shifted by delta (derived by hand below).
 * A check made stricter moves that cut later (more firings re-timed); one made looser moves it
 * earlier or gives a wrong result.
 *
 * How a probe decides where to compare (retimer.ts): the runs are under 256 cycles, so there is a
 * cut at every cycle (cut H holds every start and write below H). Once its changes are spent,
 * after the round [H - 1, H) the probe takes delta = the most frequent delay (probe minus base
 * write cycle) among the FIFOs whose newest token was written in that round (ties: the larger;
 * none written: no compare), and compares its cut H + 1 with the base's cut H + 1 - delta (a
 * negative delta: its cut j + delta with the base's j, j = H - delta + 1).
 */

const port = { widthBytes: 4 };

describe('early cut-off held back by a slot the base frees at the cut (q: 2 firings, p: 3, latency 2; o depth 1)', () => {
  /*
   * q, II 4, writes g_0, g_1 at 0, 4; p (II 1, latency 2) starts at 0 and 4 (g) and 5 (no input),
   * writing a_0, a_1, a_2 at 2, 6, 7 (a depth 2: a_2's slot, a_0's, is free at its read + 2 <= 6).
   * Base (s latency 4): b at 4; the sink starts at 4 (b), 6 (a_1), 7 (a_2) and writes o_0, o_1 at
   * 4, 6 (o depth 1: o_0's slot free at 6); o_2, due 7, waits for o_1's slot (read at 6, free at
   * 8): frozen [7, 8). fin reads o_j at 4, 6, 8: 9 cycles.
   * Probe (s latency 2): b at 2; the sink's firing 0 and fin's at 2 (o_0 at 2); the rest as in the
   * base (a_1 arrives at 6 either way): 9 cycles, the same attribution (the sink starved 2 + 3, the base 4 + 1).
   * The probe resumes at cut 0 (s's start) and is spent at cut 1. Compare points: round [0, 1)
   * wrote g_0 (delay 0): cut 2 with the base's 2, where s's write is pending (2, base 4). Round
   * [2, 3) wrote a_0 (0), b_0 and o_0 (-2): probe cut 4 with the base's 6, where p has started one
   * firing (base three). Round [4, 5) wrote g_1 (0): cut 6 with 6, where every actor's state is
   * the base's, but o_0's slot, read at 2 (base 4), is free at 6 in the base: not before its cut,
   * so that read may still decide a write there and is compared: it differs. Round [6, 7) wrote
   * a_1, o_1 (0): cut 8 with 8, which matches: the sink's o_2 is frozen in both (due 7, landing
   * 8), the one read of o a write can wait for (o_1 at 6) is the base's, fin waits for o_2 in
   * both. Firings started below cut 8: s 1, q 2, p 3, sink 3, fin 2 = 11 (of 12).
   */
  it('stops at cut 8 (base cut 8, delta 0) having re-timed 11 firings, not at cut 6 where o_0 came free only in the probe; equals a re-run: 9 cycles', () => {
    const got = againstRerun(startToken({ m: 2, n: 3, qII: 4, pII: 1, pLat: 2, sinkII: 1, aDepth: 2, oDepth: 1, sLat: 4 }), { latencyCycles: { s: 2 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[3], got.stalledFullCycles[3], got.stalledFullByFifo[3]]).toEqual([9, 11, 5, 1, 1]);
  });
});

/**
 * q (1 firing) -> g (depth 1) -> p (n firings, II pII, latency pLat; reads g in its first m
 * firings; each firing writes a and c) -> a (depth aDepth) -> sink (n firings, II sinkII; reads a,
 * and in its first firing the start token b that s (1 firing, latency sLat) writes); c (depth
 * cDepth) -> csink (n firings, II cII). Latency 0 unless said.
 */
function twoOutputs(x: { m: number; n: number; qII: number; pII: number; pLat: number; sinkII: number; cII: number; aDepth: number; cDepth: number; sLat: number }): Graph {
  const g = new GraphBuilder('two-outputs');
  const gq = g.stream('g', { depth: 1, widthBytes: 4 });
  const a = g.stream('a', { depth: x.aDepth, widthBytes: 4 });
  const c = g.stream('c', { depth: x.cDepth, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: x.sLat } }), { out: { out: b } });
  g.invoke(sourceActor({ name: 'q', count: x.m, widthBytes: 4, cost: { iiCycles: x.qII, latencyCycles: 0 } }), { out: { out: gq } });
  g.invoke({ name: 'p', firings: x.n, inputs: { in: port }, outputs: { a: port, c: port }, reads: (i) => (i < x.m ? ['in'] : []), cost: { iiCycles: x.pII, latencyCycles: x.pLat } } satisfies ActorSpec, { in: { in: gq }, out: { a, c } });
  g.invoke({ name: 'sink', firings: x.n, inputs: { a: port, b: port }, reads: (i) => (i === 0 ? ['a', 'b'] : ['a']), cost: { iiCycles: x.sinkII, latencyCycles: 0 } } satisfies ActorSpec, { in: { a, b } });
  g.invoke({ name: 'csink', firings: x.n, inputs: { in: port }, cost: { iiCycles: x.cII, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: c } });
  return g.build();
}

describe('early cut-off with a producer frozen in both runs whose next start is its write\'s due cycle, beside a reader whose next start is not yet decided (p: 4 firings, latency 2; a, c depth 1)', () => {
  /*
   * q writes g_0 at 0; p (II 1, latency 2) reads it at 0 and starts its firings 1, 2 at 1, 2 (no
   * input); each firing writes a_j and c_j together. csink (II 3) reads c_j as it lands; a_j's
   * slot (depth 1) comes free at the sink's read of a_{j-1} + 2.
   * Base (s latency 3): the sink reads a at 3 (b), 8, 13, 18 (II 5): 23 cycles. a_0, c_0 at 2;
   * a_1, due 3, frozen [3, 5); firing 2 (planned 4, the freeze moves it to 6) frozen [6, 10);
   * firing 3 starts at 5 (its na 3 plus the first freeze), due 7 + 4 = 11, frozen [11, 15): p
   * frozen 10, all on a; csink reads c at 2, 5, 10, 15.
   * Probe (s latency 7): the sink reads a at 7, 12, 17, 22: 27 cycles. a_1 frozen [3, 9), firing
   * 2 [10, 14), firing 3 (starting at 9) [15, 19): p frozen 14, all on a; csink reads c at 2, 9,
   * 14, 19, starved 2 + 4 + 2 + 2 = 10; the sink starved 7.
   * Compare points (spent at cut 1): g_0 (delay 0): cut 2 with 2, s's write pending (7, base 3).
   * a_0, c_0 (0): cut 4 with 4, where the base has written b. b (delay 4): probe cut 9 with the
   * base's 5: p is frozen in both on a_1 (due 3, landing 9 and 5: 4 longer), its other values
   * count from that due cycle alike, the sink's na is 12 = 8 + 4; but csink, which started its
   * firing 0 at 2 in both, has na 5 in both: not shifted, and not below the base's cut 5 (it may
   * still decide its next start there): no match. a_1, c_1 (delay 4): cut 11 with the base's 7,
   * which matches: p has started all four firings; firing 2's write, due 10 (base 6), is frozen
   * in both (landing 14 and 10: the same length), firing 3's planned write and p's na (10 and 6)
   * lie the same distance after it (1 and 0: p's na is the due cycle, the thaw adds the freeze);
   * csink's na 12 = 8 + 4, the sink's 12 = 8 + 4. Firings started below cut 11: s 1, q 1, p 4,
   * sink 1, csink 2 = 9 (of 14).
   */
  it('stops at cut 11 (base cut 7, delta 4) having re-timed 9 firings; equals a re-run: 27 cycles, p frozen 14, csink starved 10', () => {
    const got = againstRerun(twoOutputs({ m: 1, n: 4, qII: 5, pII: 1, pLat: 2, sinkII: 5, cII: 3, aDepth: 1, cDepth: 1, sLat: 3 }), { latencyCycles: { s: 7 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1], got.stalledEmptyCycles[4], got.stalledEmptyCycles[3]]).toEqual([27, 9, 14, 14, 10, 7]);
  });
});

describe('early cut-off held back by a calendar the base leaves at its cut (p: 4 firings, latency 3, a depth 3; u: 4 grants of 2 units of mem)', () => {
  /*
   * q writes g_0 at 0; p (II 1, latency 3; reads g in firing 0) starts at 0, 1, 2, 3, its writes
   * due 3, 4, 5, 6. u holds mem [0, 2), [2, 4), [4, 6), [6, 8) (2 units at 1 per cycle; its next
   * start waits for its grant's end) in both runs: after it the calendar stays at cursor 8.
   * Base (s latency 6): the sink (II 2) reads b and a_0 at 6, then a_j at 6 + 2j; a_3 (a depth 3)
   * waits for a_0's slot, free at 8: frozen [6, 8). fin reads o_j as the sink writes it: 14 cycles.
   * Probe (s latency 7): the sink reads at 7 + 2j; a_3 frozen [6, 9): p frozen 3; 15 cycles.
   * Compare points (spent at cut 1): g_0, a_0, a_1, a_2 (delay 0) make cuts 2, 5, 6, 7 compared
   * with the base's same cuts: s's write is pending there (7, base 6) or the base has written b.
   * b_0 and o_0 (delay 1): probe cut 9 with the base's 8. There p is frozen in both on a_3 (due 6,
   * landing 9 and 8: 1 longer), the sink and fin have started their firing 0, na 9 = 8 + 1; u is
   * done. But mem's calendar, not shifted, is at cursor 8 in both: below the probe's cut, not
   * below the base's (a request there at 8 would still meet it): it is compared, 8 is not 8 + 1:
   * no match. a_3 and o_1 (delay 1): cut 11 with the base's 10, which matches: the calendar is
   * idle in both (cursor 8, no request at or after either cut), the sink and fin have started two
   * firings, na 11 = 10 + 1 and 10 = 9 + 1; o_1's read (9, base 8) is compared and shifted, o_0's
   * came free before both cuts. Firings started below cut 11: s 1, q 1, p 4, sink 2, fin 2, u 4 = 14.
   */
  it('stops at cut 11 (base cut 10, delta 1) having re-timed 14 firings, not at cut 9 where mem\'s calendar sits at the base\'s cut; equals a re-run: 15 cycles, p frozen 3', () => {
    const got = againstRerun(startToken({ m: 1, n: 4, qII: 5, pII: 1, pLat: 3, sinkII: 2, aDepth: 3, oDepth: 3, sLat: 6, store: { firings: 4, units: 2 } }), { latencyCycles: { s: 7 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1], got.busyCycles[5]]).toEqual([15, 14, 3, 3, 8]);
  });
});

describe('early cut-off with a firing frozen in both runs on the later of its two outputs (p: 3 firings, II 2; a depth 2, c depth 1)', () => {
  /*
   * q (II 2) writes g_j at 2j; p (II 2, latency 0) reads it then and writes a_j and c_j at once;
   * csink (II 2) reads c_0, c_1 at 0, 2. p's third write, due 4, waits for both slots: a_0's (a
   * depth 2, read by the sink) and c_1's (c depth 1, read at 2: free at 4).
   * Base (s latency 3): the sink (II 5) reads b and a_0 at 3, a_1 at 8, a_2 at 13: 18 cycles;
   * a_0's slot is free at 5: p frozen [4, 5), charged to a (its slot comes last); csink reads c_2
   * at 5.
   * Probe (s latency 4): the sink reads at 4, 9, 14: 19 cycles; p frozen [4, 6), charged to a;
   * csink reads c_2 at 6, starved 2.
   * Compare points (spent at cut 1): g_0, a_0, c_0 (delay 0): cut 2 with 2, s's write pending (4,
   * base 3); g_1, a_1, c_1 (0): cut 4 with 4, where the base has written b. g_2 (0) and b_0 (1), a
   * tie, the larger: probe cut 6 with the base's 5, which matches: p's third write, due 4, is
   * frozen in both (landing 6 and 5): its freeze is 1 - (4 - 4) = 1 longer, charged to a, the
   * FIFO whose slot comes free last in the base (a_0's at 5, c_1's at 4); the sink's na 9 = 8 + 1;
   * csink, idle in both (na 4, below both cuts), starts its starved stall from 4 to a start 1
   * later than the base's; a_0's read (4, base 3) may still decide a write and is shifted, c_1's
   * came free before both cuts. Firings started below cut 6: s 1, q 3, p 3, sink 1, csink 2 = 10.
   */
  it('stops at cut 6 (base cut 5, delta 1) having re-timed 10 firings; the longer freeze is charged to a, not c; equals a re-run: 19 cycles', () => {
    const got = againstRerun(twoOutputs({ m: 3, n: 3, qII: 2, pII: 2, pLat: 0, sinkII: 5, cII: 2, aDepth: 2, cDepth: 1, sLat: 3 }), { latencyCycles: { s: 4 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], [...got.stalledFullByFifo], got.stalledEmptyCycles[4]]).toEqual([19, 10, 2, [0, 2, 0, 0], 2]);
  });
});

describe('partial re-timing from the first cut where M holds at most half the firings left (p: 3 firings, II 2, latency 0 -> 4)', () => {
  /*
   * q (II 4) writes g_j at 4j; p (II 2) reads it in each firing and writes a_j (depth 1, to the
   * sink: II 4, b at 6) and c_j (depth 2, to csink: II 5).
   * Base (p latency 0): p starts at 0, 4, 10: a_1, due 4, waits for a_0's slot (read at 6, free at
   * 8): frozen [4, 8); firing 2 (g_2 at 8, na 6 + 4) starts at 10, a_2 due 10 frozen [10, 12) (a_1
   * read at 10); the sink reads at 6, 10, 14: 18 cycles; csink reads c_j at 0, 8, 13.
   * Probe (p latency 4): p starts at 0, 4, 8 (g), its writes due 4, 8, 12 find their slots free
   * (a_{j-1} read at 4j + 2): no freeze, p starved 2 + 2; the sink reads as before; csink reads at
   * 4, 9, 14, starved 4: 19 cycles.
   * The probe resumes at cut 0 (p's first start). At cuts 1 to 4 p's write of a_0 and c_0 (due 4)
   * is still pending while the base wrote them at 0 and csink read c_0 then: a and c differ in
   * counts, so M = {p, sink, csink}, 2 + 3 + 3 = 8 of the 10 firings left: more than half, no
   * partial re-timing. At cut 5 both runs have written a_0 and c_0 and started p's firing 1 at 4,
   * and neither has read a_0: a's counts are equal and the sink's state is the base's (na 0, its
   * first read waits for b); csink read c_0 at 4 (base 0): its na differs (9, base 5), and c_0's
   * slot may still decide p's write: p and csink. M = {p, csink}: 1 + 2 = 3 of the 7 firings
   * left. M's writes of a_1, a_2 reach the sink at the base's cycles (8, 12), and p's read of g_2
   * at 8 (base 10) frees no slot q still needs: nothing moves the base actors. Firings started
   * below cut 5: s 1, q 2, p 2, csink 1; then M's 3: 9 re-timed (of 13).
   */
  it('M = {p, csink} at cut 5 (at cuts 1-4 it would also hold the sink): 9 firings re-timed; equals a re-run: 19 cycles, csink starved 4, p frozen 0', () => {
    const got = againstRerun(twoOutputs({ m: 3, n: 3, qII: 4, pII: 2, pLat: 0, sinkII: 4, cII: 5, aDepth: 1, cDepth: 2, sLat: 6 }), { latencyCycles: { p: 4 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[4], got.stalledFullCycles[2], got.stalledEmptyCycles[2]]).toEqual([19, 9, 4, 0, 4]);
  });
});

describe('early cut-off held back by a read the probe makes later than the base, whose slot frees at the cut (q, p: 5 firings; a depth 3)', () => {
  /*
   * q (II 3) writes g_j at 3j; p (II 1, latency 2) reads it then and writes a_j and c_j at 3j + 2;
   * csink (II 4) reads c_j at 2, 6, 10, 14, 18 (c depth 2: p's writes find their slots free):
   * 22 cycles in both runs. a (depth 3) never blocks p.
   * Base (s latency 1): the sink reads b and a_0 at 2, then a_j at 3j + 2 (II 1), starved 2 each.
   * Probe (s latency 5): the sink reads a_0 at 5 (b), a_1 at 6 (its na), then at 3j + 2 as in the
   * base: starved 5 + 0 + 1 + 2 + 2 = 10, as the base's 5 * 2.
   * Compare points (spent at cut 1; every delay but b's is 0): cut 2 (the base has written b), 4
   * and 5 (the base's sink has started), 7 (after a_1, c_1 at 5 and b at 5, two against one: the
   * sink's na 7, base 6, not below the cut). Cut 8 (after g_2): the sink is idle in both (na 7
   * and 6, below the cut, waiting for a_2), but a_1 was read at 6 in the probe (5 in the base): its
   * slot comes free at the cut in the probe, so that read may still decide a write there: it is
   * compared, and differs. Cut 10 (after a_2, c_2 at 8): a_1's read is free before the cut in
   * both; the sink's na 9 in both: match. Firings started below cut 10: s 1, q 4, p 4, sink 3,
   * csink 2 = 14 (of 21).
   */
  it('stops at cut 10 (base cut 10, delta 0) having re-timed 14 firings, not at cut 8 where a_1 came free only in the base; equals a re-run: 22 cycles', () => {
    const got = againstRerun(twoOutputs({ m: 5, n: 5, qII: 3, pII: 1, pLat: 2, sinkII: 1, cII: 4, aDepth: 3, cDepth: 2, sLat: 1 }), { latencyCycles: { s: 5 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[3], got.stalledFullCycles[2]]).toEqual([22, 14, 10, 0]);
  });
});

describe('partial re-timing of a reader alone beside producers frozen at the cut (q, p: 5 firings, II 1; p latency 5; csink II 3 -> 4)', () => {
  /*
   * q (II 1) writes g_j at 2j (g depth 1: each write waits for p's read of the one before: q
   * frozen 4); p (II 1, latency 5) reads g_j at 2j; its writes of a_j and c_j, due 2j + 5 plus
   * its freezes so far (firing 4 starts at 8, after the first freeze: 12 plus the later two), wait
   * for a_{j-1}'s slot (a depth 1; the sink, II 3, reads b and a_0 at 6, a_j at 3j + 6): frozen
   * [7, 8), [10, 11), [13, 14), [15, 17): 5; writes at 3j + 5. c (depth 3) never blocks. The sink
   * ends at 21.
   * Base (csink II 3): csink reads c_j at 3j + 5: 21 cycles. Probe (csink II 4): it reads at 5,
   * 9, 13, 17, 21: 25 cycles; nothing else moves.
   * The probe resumes at cut 5 (csink's first start). At cut 6 csink has read c_0 at 5 in both,
   * its na 9 (base 8): it differs, and is the changed actor. q and p have writes pending (q's g_3,
   * frozen until 6; p's a_1, due 7), with the same planned cycles and freeze shifts as the base's;
   * c's counts and c_0's read are the base's: M = {csink}, its 4 firings of the 12 left. csink's
   * reads of c_1 at 9 (base 8) free a slot for c_4, which p's firing 4 plans at 15 in both runs:
   * nothing moves p. Firings started in [5, 6): q's and csink's; then csink's 4: 6 re-timed (of
   * 21).
   */
  it('M = {csink} at cut 6, p and q following the base though frozen: 6 firings re-timed; equals a re-run: 25 cycles, p frozen 5, q frozen 4', () => {
    const got = againstRerun(twoOutputs({ m: 5, n: 5, qII: 1, pII: 1, pLat: 5, sinkII: 3, cII: 3, aDepth: 1, cDepth: 3, sLat: 6 }), { iiCycles: { csink: 4 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullCycles[1], got.busyCycles[4], got.stalledEmptyCycles[4]]).toEqual([25, 6, 5, 4, 20, 5]);
  });
});

describe('no early cut-off when a write due at the base\'s cut lands on time there (q: 1 firing, p: 2 firings, latency 4; a depth 1)', () => {
  /*
   * q writes g_0 at 0; p (II 2, latency 4) starts at 0 (g_0) and 2, its writes due 4 and 6; the
   * sink (II 1) reads b and a_0 in its firing 0, a_1 next; o (depth 2) never blocks it.
   * Base (s latency 4): the sink reads a_0 at 4, so a_1's slot is free at 6: written at 6, read
   * then; fin reads o at 4, 6: 7 cycles.
   * Probe (s latency 9): the sink reads a_0 at 9; a_1, due 6, waits for its slot until 11: p
   * frozen [6, 11); the sink reads a_1 at 11: 12 cycles.
   * Compare points (spent at cut 1): g_0 (delay 0): cut 2 with 2, s's write pending (9, base 4);
   * a_0 (0): cut 6 with 6, where the base's sink has started. b_0 and o_0 (delay 5): probe cut 11
   * with the base's 6: p's second write is due 6 in both and pending at both cuts; in the probe it
   * is frozen (landing 11), in the base it lands at 6, on time: not frozen there, and its due
   * cycle is not the base's plus 5: no match. a_1 and o_1 (5) would compare cut 13, after the
   * probe's last event. The probe re-times to the end: all 8 firings.
   */
  it('re-times all 8 firings (no cut matches); equals a re-run: 12 cycles, p frozen 5', () => {
    const got = againstRerun(startToken({ m: 1, n: 2, qII: 2, pII: 2, pLat: 4, sinkII: 1, aDepth: 1, oDepth: 2, sLat: 4 }), { latencyCycles: { s: 9 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1]]).toEqual([12, 8, 5, 5]);
  });
});

describe('early cut-off one cycle earlier than the base (delta -1), not at a cut where a write frozen only in the base is due (p: 3 firings, latency 3; a depth 2)', () => {
  /*
   * q writes g_0 at 0; p (II 2, latency 3) starts at 0 (g_0), 2, 4, its writes due 3, 5, 7; a_2
   * waits for a_0's slot (a depth 2), free at the sink's read of a_0 + 2. The sink (II 3) reads b
   * and a_0 in its firing 0, writing o_j (depth 3) for fin as it starts.
   * Base (s latency 6): the sink reads at 6, 9, 12; a_2 frozen [7, 8): p frozen 1; 15 cycles.
   * Probe (s latency 5): the sink reads at 5, 8, 11; a_2's slot is free at 7: no freeze; 14 cycles.
   * Compare points (spent at cut 1): g_0 and a_0 (delay 0): cuts 2 and 4 with the same base cuts,
   * s's write pending (5, base 6). a_1 (0), b_0 and o_0 (-1): probe cut 7 with the base's 8: p's
   * third write, due 7, is pending at both cuts, but lands at 7 in the probe (on time) and waits
   * until 8 in the base: frozen in the base only, its due cycle not the base's minus 1: no match.
   * a_2 (-1): probe cut 9 with the base's 10, which matches: p is done in both; the sink has
   * started two firings (5, 8; base 6, 9), na 11 = 12 - 1; fin's na 9 = 10 - 1; o_1's read (8,
   * base 9) is shifted, o_0's came free before both cuts. Firings started below cut 9: s 1, q 1,
   * p 3, sink 2, fin 2 = 9 (of 11).
   */
  it('stops at cut 9 (base cut 10, delta -1) having re-timed 9 firings; equals a re-run: 14 cycles, p never frozen', () => {
    const got = againstRerun(startToken({ m: 1, n: 3, qII: 1, pII: 2, pLat: 3, sinkII: 3, aDepth: 2, oDepth: 3, sLat: 6 }), { latencyCycles: { s: 5 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1], got.stalledEmptyCycles[3]]).toEqual([14, 9, 0, 0, 5]);
  });
});

describe('no early cut-off while a freeze not yet applied to the II is at the same cycle in both runs (p: 4 firings, latency 2; a, o depth 1; b read in the sink\'s firing 2)', () => {
  /*
   * q (II 1) writes g_0 at 0 and g_1 at 2 (its slot, g_0's, free at p's read + 2). p (II 1,
   * latency 2; reads g in its firings 0, 1) starts at 0, 2, 3, 4, its writes due 2, 4, 5 and 6
   * plus its freezes so far; a_j (depth 1) waits for the sink's read of a_{j-1} + 2. The sink (II
   * 2) reads a_0, a_1 at 2, 4 and a_2 with b in its firing 2; o (depth 1) never blocks it.
   * Base (s latency 6): a_2, due 5, frozen [5, 6); the sink reads a_2 and b at 6; a_3 (firing 3
   * started at 4, before that freeze: due 6 + 1) frozen [7, 8); the sink reads it at 8: 10
   * cycles, p frozen 2.
   * Probe (s latency 7): a_2 frozen [5, 6) as well; the sink reads it at 7 (b); a_3 frozen [7, 9);
   * the sink reads it at 9: 11 cycles, p frozen 3.
   * p started its last firing (at 4) before its freeze [5, 6) began, so that freeze is applied to
   * its II only when p ends: it stays pending at every later cut, at 5 in both runs.
   * Compare points (spent at cut 1): cuts 2, 4 and 6 (delay 0, after g_0; g_1, a_0, o_0; a_1,
   * o_1): s's write is pending there (7, base 6). Cut 8 (after a_2 at 6, delay 0): the sink's na
   * 9 (base 8) is not below the cut. b_0 and o_2 (delay 1): probe cut 9 with the base's 8: a_3 is
   * frozen in both (due 7), but p's pending freeze begins at 5 in both runs, not 5 + 1: no match.
   * a_3 and o_3 (1) would compare cut 11, when the probe has ended. All 15 firings re-timed.
   */
  it('re-times all 15 firings (no cut matches); equals a re-run: 11 cycles, p frozen 3, all on a', () => {
    const got = againstRerun(startToken({ m: 2, n: 4, qII: 1, pII: 1, pLat: 2, sinkII: 2, aDepth: 1, oDepth: 1, sLat: 6, bAt: 2 }), { latencyCycles: { s: 7 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1]]).toEqual([11, 15, 3, 3]);
  });
});

describe('early cut-off with a freeze not yet applied to the II, shifted by delta in the probe (p: 4 firings, II 2, latency 4; a depth 1, c depth 2)', () => {
  /*
   * q (II 2) writes g_0, g_1 at 0, 2; p (II 2, latency 4; reads g in its firings 0, 1) starts at
   * 0, 2, 4; each firing writes a_j and c_j; a_j (depth 1) waits for the sink's (II 5) read of
   * a_{j-1} + 2; csink (II 3) reads c_j as it lands; c's slots never hold p back.
   * Base (s latency 0): the sink reads a_j at 4 + 5j: 24 cycles. a_0, a_1 at 4, 6; firing 2
   * (started at 4), due 8, frozen [8, 11); firing 3 starts at 6, before that freeze began (due
   * 10 + 3), frozen [13, 16): p frozen 6; csink reads at 4, 7, 11, 16.
   * Probe (s latency 8): the sink reads a_j at 8 + 5j: 28 cycles. a_1, due 6, frozen [6, 10);
   * firing 3 starts at 10 (its na 6 plus that freeze); firing 2, due 8 + 4, frozen [12, 15);
   * firing 3, due 10 + 7, frozen [17, 20): p frozen 10; csink reads at 4, 10, 15, 20, starved
   * 4 + 3 + 2 + 2 = 11.
   * Compare points (spent at cut 1): cuts 2, 4, 6 (delay 0): the base has written b at 0. b_0
   * (delay 8): probe cut 10 with the base's 2. a_1, c_1 (delay 4): probe cut 12 with the base's
   * 8: p's state is the base's shifted by 4, but csink's na is 13 (base 10, not 14). a_2, c_2
   * (delay 4): probe cut 17 with the base's 13, which matches: p has started all four firings;
   * its firing 2's freeze, begun after firing 3 started, is not yet applied to its II in either run:
   * 3 cycles from 12 (base 8, shifted by 4); firing 3's write, due 17 (base 13), is pending; its
   * na 12 = 8 + 4; the sink's and csink's na 18 = 14 + 4; c_2's read (15, base 11) is shifted,
   * c_1's came free before both cuts. Firings started below cut 17: s 1, q 2, p 4, sink 2,
   * csink 3 = 12 (of 15).
   */
  it('stops at cut 17 (base cut 13, delta 4) having re-timed 12 firings; equals a re-run: 28 cycles, p frozen 10, csink starved 11', () => {
    const got = againstRerun(twoOutputs({ m: 2, n: 4, qII: 2, pII: 2, pLat: 4, sinkII: 5, cII: 3, aDepth: 1, cDepth: 2, sLat: 0 }), { latencyCycles: { s: 8 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1], got.stalledEmptyCycles[4]]).toEqual([28, 12, 10, 10, 11]);
  });
});

describe('no early cut-off when a waiting reader\'s next allowed start is at the cut in the probe only (q, p: 3 firings; sink II 3)', () => {
  /*
   * q (II 5) writes g_j at 5j; p (II 1, latency 2) reads it then and writes a_j and c_j at 5j +
   * 2; csink (II 2) reads c_j then; a (depth 2) and c (depth 1) never hold p back.
   * Base (s latency 2): the sink reads b and a_0 at 2, a_1 at 7, a_2 at 12: 15 cycles, starved
   * 2 + 2 + 2. Probe (s latency 6): the sink reads a_0 at 6, a_1 at 9 (its na), a_2 at 12: 15
   * cycles, starved 6.
   * Compare points (spent at cut 1): cuts 2 and 4 (delay 0): s's write is pending (6, base 2) or
   * the base has written b. Cut 7 (after g_1): the sink's na 9 (base 5) is not below the cut.
   * b_0 (delay 4): probe cut 8 with the base's 4, where p has started fewer firings. Cut 9 (after
   * a_1, c_1; delay 0): the base's sink has started its firing 1 (at 7). Cut 12 (after g_2):
   * the sink waits for a_2 in both, but its na is 12 in the probe (base 10): at the cut, not
   * below it, so not an idle wait whose stall alone moves: no match. After a_2 and c_2 (at 12) the
   * probe has started every firing. All 13 re-timed.
   */
  it('re-times all 13 firings (no cut matches); equals a re-run: 15 cycles, the sink starved 6', () => {
    const got = againstRerun(twoOutputs({ m: 3, n: 3, qII: 5, pII: 1, pLat: 2, sinkII: 3, cII: 2, aDepth: 2, cDepth: 1, sLat: 2 }), { latencyCycles: { s: 6 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[3]]).toEqual([15, 13, 6]);
  });
});

describe('early cut-off with a firing frozen in both runs on one output while its other output has slots to spare (p: 3 firings; a depth 1, c depth 3)', () => {
  /*
   * q writes g_0 at 0; p (II 1, latency 0; reads g in its firing 0) writes a_j and c_j together;
   * a (depth 1) holds it back until the sink's read of a_{j-1} + 2; c (depth 3) never does (its
   * first three tokens need no slot). csink (II 5) reads c_j as it lands.
   * Base (s latency 5): a_0, c_0 at 0; the sink reads b and a_0 at 5; p's firing 1 (at 1) is
   * frozen [1, 7); its firing 2 starts at 8 (na 2 plus the freeze), frozen [8, 9) (a_1 read at
   * 7): p frozen 7, all on a; csink reads at 0, 7, 12: 17 cycles.
   * Probe (s latency 8): the sink reads a_0 at 8; p frozen [1, 10) and [11, 12): 10, all on a;
   * csink reads at 0, 10, 15, starved 5: 20 cycles.
   * Compare points (spent at cut 1): g_0, a_0, c_0 (delay 0): cut 2 with 2, s's write pending (8,
   * base 5). Nothing is written in the probe from 1 to 8; b_0 (delay 3): probe cut 10 with the
   * base's 7, which matches: p's firing 1 is frozen in both (due 1, landing 10 and 7): 3 longer,
   * charged to a, the only FIFO whose slot it waits for; its na 2 lies 1 after the due cycle in
   * both; the sink's na 9 = 6 + 3; csink, idle in both (na 5, below both cuts), starts its starved
   * stall 3 cycles later than the base's; a_0's read (8, base 5) is shifted, c_0's came free
   * before both cuts. Firings started below cut 10: s 1, q 1, p 2, sink 1, csink 1 = 6 (of 11).
   */
  it('stops at cut 10 (base cut 7, delta 3) having re-timed 6 firings; the longer freeze is charged to a; equals a re-run: 20 cycles, csink starved 5', () => {
    const got = againstRerun(twoOutputs({ m: 1, n: 3, qII: 2, pII: 1, pLat: 0, sinkII: 1, cII: 5, aDepth: 1, cDepth: 3, sLat: 5 }), { latencyCycles: { s: 8 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], [...got.stalledFullByFifo], got.stalledEmptyCycles[4]]).toEqual([20, 6, 10, [0, 10, 0, 0], 5]);
  });
});

describe('early cut-off after a partial re-timing grew too big, with a producer frozen in both runs whose na lies before its write (p: 3 firings, latency 3 -> 5)', () => {
  /*
   * q writes g_0 at 0; p (II 1; reads g in its firing 0) starts at 0, 1, 2 in both runs (its
   * latency exceeds its II: the starts do not wait for the writes) and writes a_j and c_j
   * together; a and c have depth 1; the sink (II 5) reads b (at 2) and a_0 in its firing 0;
   * csink (II 2) reads c_j as it lands.
   * Base (p latency 3): a_0, c_0 at 3; a_1, due 4, frozen [4, 5); firing 2, due 5 + 1, frozen
   * [6, 10) (a_1 read at 8): p frozen 5; the sink reads at 3, 8, 13: 18 cycles.
   * Probe (p latency 5): a_0 at 5; a_1, due 6, frozen [6, 7); firing 2, due 7 + 1, frozen [8,
   * 12): p frozen 5; the sink reads at 5, 10, 15: 20 cycles.
   * The probe resumes at cut 0 (p's first start); round [0, 1) starts s, q and p. At cut 1 M =
   * {p} (its write pending at 5, base 3), 2 of the 8 firings left; a_0 and c_0 reach the sink
   * and csink after their base reads at 3: the reader found first joins M (with its neighbours,
   * which add no firing left), and M then holds 2 + 3 = 5 of the 8: more than half, so the full
   * sweep goes on from cut 1.
   * Compare points (spent at cut 3): nothing is written from 1 to 5; a_0, c_0 (delay 2): probe
   * cut 7 with the base's 5, which matches: p's firing 1 is frozen in both (due 6 and 4, landing
   * 7 and 5: the same length); firing 2's planned write lies 1 after it in both; p's na 3 lies
   * before both due cycles (the thaw sets it to the landing; p has no firing left to start); the
   * sink's na 10 = 8 + 2, csink's 7 = 5 + 2; a_0's and c_0's reads are shifted by 2. Firings
   * started below cut 7: s 1, q 1, p 3, sink 1, csink 1 = 7 (of 11).
   */
  it('stops at cut 7 (base cut 5, delta 2) having re-timed 7 firings; equals a re-run: 20 cycles, p frozen 5, all on a', () => {
    const got = againstRerun(twoOutputs({ m: 1, n: 3, qII: 2, pII: 1, pLat: 3, sinkII: 5, cII: 2, aDepth: 1, cDepth: 1, sLat: 2 }), { latencyCycles: { p: 5 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1]]).toEqual([20, 7, 5, 5]);
  });
});

describe('early cut-off at a cut where a FIFO is finished: its last read, not shifted, is not compared (p: 2 firings, latency 5; a, c depth 1)', () => {
  /*
   * q writes g_0 at 0; p (II 1, latency 5; reads g in its firing 0) starts at 0 and 1, writing
   * a_j and c_j due 5 and 6; a_1 waits for a_0's slot (the sink, II 4, reads b and a_0 in its
   * firing 0), c_1 for c_0's (csink, II 3, reads c_0 at 5: free at 7).
   * Base (s latency 6): the sink reads a_0 at 6: p frozen [6, 8); the sink reads a_1 at 10: 14
   * cycles; csink reads c_1 at 8.
   * Probe (s latency 1): the sink reads a_0 at 5: p frozen [6, 7); the sink reads a_1 at 9: 13
   * cycles; csink still reads c_1 at 8 (its II).
   * Compare points (spent at cut 1): g_0 (delay 0): cut 2 with 2, where only the probe has
   * written b. b_0 (delay -5): probe cut 3 with the base's 8. a_0, c_0 (0): cut 7 with 7, where the
   * sink's na differs (9, base 10). a_1, c_1 (delay -1): probe cut 9 with the base's 10, which
   * matches: p and csink are done in both; the sink waits for a_1 with na 9 = 10 - 1. Every token
   * of a, b, c and g is written: no write will wait for a slot, so their reads are not compared
   * (csink's read of c_1 at 8 in both runs is not shifted by -1). Firings started below cut 9:
   * s 1, q 1, p 2, sink 1, csink 2 = 7 (of 8).
   */
  it('stops at cut 9 (base cut 10, delta -1) having re-timed 7 firings; equals a re-run: 13 cycles, p frozen 1', () => {
    const got = againstRerun(twoOutputs({ m: 1, n: 2, qII: 1, pII: 1, pLat: 5, sinkII: 4, cII: 3, aDepth: 1, cDepth: 1, sLat: 6 }), { latencyCycles: { s: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1]]).toEqual([13, 7, 1, 1]);
  });
});

describe('early cut-off with a planned write of a firing started before the resume cut (f1 depth 1 -> 2)', () => {
  /*
   * memChain: src (2 firings, II 1, latency 2) -> f1 -> mid (2 firings, II 3, latency 3, 1 unit of
   * mem; writes at its grant's end + 3) -> f2 (depth 1) -> snk (II 4); z (4 firings, II 3, two
   * units of mem per firing) -> zq -> zsnk; mem 3 units per cycle: nobody waits for it.
   * Base (f1 depth 1): f1_0 at 2, mid reads it then; f1_1, due 3, waits for its slot (free at 4):
   * src frozen [3, 4). mid starts at 2, 5 (its II) and writes f2_j at 6, 9; snk reads them at 6, 10;
   * z asks at 0, 3, 6, 9, writes zq_j at 3j + 1, zsnk reads it then: 14 cycles.
   * Probe (f1 depth 2): f1_1 at 3, src never frozen; mid still reads it at 5: nothing else moves.
   * The probe resumes at cut 3 (f1_1's write, the first the deeper FIFO lets through) and is spent
   * at cut 4 (f1 written). f1_1 (delay -1): probe cut 5 with the base's 6, where mid has not yet
   * started its firing 1 in the probe. zq_1 (delay 0): cut 6 with 6, which matches: src is done in
   * both; mid's two firings started (2, 5), f2_0 pending in both, due 6, and the write of its
   * firing 0 (started before the resume cut, at 2) is planned at the same cycle in both; snk and
   * zsnk wait idle, mem's calendar is idle. Firings started in [3, 6): z at 3, zsnk at 4, mid at 5: 3.
   */
  it('stops at cut 6 (base cut 6, delta 0) having re-timed 3 firings; equals a re-run: 14 cycles, src never frozen', () => {
    const got = againstRerun(memChain({ n: 2, srcII: 1, srcLat: 2, d1: 1, midII: 3, midLat: 3, midUnits: 1, snkII: 4, zN: 4, zII: 3, cap: 3, zRequests: 2 }), { fifoDepths: { f1: 2 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[0], got.stalledFullByFifo[0]]).toEqual([14, 3, 0, 0]);
  });
});

describe('no early cut-off while a calendar is busy at the probe\'s cut though idle at the base\'s (p latency 6 -> 1; u: 3 grants of 2 units of mem)', () => {
  /*
   * q writes g_0 at 0; p (2 firings, II 2; reads g in its firing 0) starts at 0, 2; b at 0; the
   * sink (II 4) reads b and a_0 in its firing 0; u holds mem [0, 2), [2, 4), [4, 6) in both runs.
   * Base (p latency 6): a_0, a_1 at 6, 8; the sink reads at 6, 10: 14 cycles.
   * Probe (p latency 1): a_0, a_1 at 1, 3; the sink reads at 1, 5: 9 cycles.
   * The probe resumes at cut 0; at cut 1 M = {p} (its write pending at 1, base 6), 1 of the 7
   * firings left; a_0 reaches the sink before its base read at 6, which a_0 alone decided: the
   * sink joins with s and fin: 1 + 2 + 2 = 5 of 7, more than half: the full sweep goes on.
   * Spent at cut 3 (p's last start at 2). a_1 (delay -5): probe cut 5 with the base's 10: p and u
   * are done in both, the sink's na 5 = 10 - 5, fin waits idle; but mem's calendar is busy to 6
   * at the probe's cut (u's last grant), idle at the base's, and 6 is not 6 - 5: no match. After
   * o_1 (at 5) every firing has started: all 11 re-timed.
   */
  it('re-times all 11 firings (no cut matches); equals a re-run: 9 cycles', () => {
    const got = againstRerun(startToken({ m: 1, n: 2, qII: 2, pII: 2, pLat: 6, sinkII: 4, aDepth: 2, oDepth: 1, sLat: 0, store: { firings: 3, units: 2 } }), { latencyCycles: { p: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[3]]).toEqual([9, 11, 1]);
  });
});
