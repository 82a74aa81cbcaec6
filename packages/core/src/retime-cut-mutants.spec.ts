import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, runGraph, sinkActor, sourceActor, type ActorSpec, type Graph, type RetimeChanges, type RetimedRun } from './index.js';
import { againstRerun } from '../test-support/retime-compare.js';

/**
 * The early cut-off of a re-timing (retime-cut.ts `matchCut`) and partial re-timing
 * (retime-partial.ts, retime-cut.ts `partialSet`) on small hand graphs (issue 23: mutation testing).
 * The early cut-off: its only observable effects are the result, which must equal a full re-run
 * of the changed graph (cycles, every attribution field, frozen cycles per FIFO), and the work
 * done: `firingsRetimed`, the firings started between the resume cut and the cut at which the
 * probe's state equals the base's shifted by delta (derived by hand below).
 *
 * How a probe decides where to compare (retimer.ts): the runs here are under 256 cycles, so there
 * is a cut at every cycle (cut H holds every start and write below H). Once its changes are spent,
 * after the round [H - 1, H) the probe takes delta = the most frequent delay (probe minus base
 * write cycle) among the FIFOs whose newest token was written in that round (ties: the larger),
 * and compares its cut H + 1 with the base's cut H + 1 - delta.
 */

const port = { widthBytes: 4 };

/**
 * A producer frozen in both runs at the cut ("the KV prefetcher running ahead"): q (m firings,
 * II 4) feeds p through g (depth 1); p (n firings, II 1, latency pLat) reads g in its first m
 * firings only and writes a (depth 1); sink (n firings, II 4, latency 0) reads a, and in its first
 * firing bAt (default 0) the start token b that s (1 firing, latency 3) writes; sink writes o
 * (depth oDepth, default 2) for fin (II 1). A later start token (s's latency 3 -> 6) delays every read of a, so p's writes wait
 * longer for their slots.
 */
function frozenProducer(m: number, n: number, pLat: number, opts: { bAt?: number; oDepth?: number; store?: boolean } = {}): Graph {
  const { bAt = 0, oDepth = 2, store = false } = opts;
  const g = new GraphBuilder('frozen-producer');
  const gq = g.stream('g', { depth: 1, widthBytes: 4 });
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  const o = g.stream('o', { depth: oDepth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 3 } }), { out: { out: b } });
  g.invoke(sourceActor({ name: 'q', count: m, widthBytes: 4, cost: { iiCycles: 4, latencyCycles: 0 } }), { out: { out: gq } });
  const p: ActorSpec = { name: 'p', firings: n, inputs: { in: port }, outputs: { out: port }, reads: (i) => (i < m ? ['in'] : []), cost: { iiCycles: 1, latencyCycles: pLat } };
  g.invoke(p, { in: { in: gq }, out: { out: a } });
  const sink: ActorSpec = { name: 'sink', firings: n, inputs: { a: port, b: port }, outputs: { out: port }, reads: (i) => (i === bAt ? ['a', 'b'] : ['a']), cost: { iiCycles: 4, latencyCycles: 0 } };
  g.invoke(sink, { in: { a, b }, out: { out: o } });
  g.invoke(sinkActor({ name: 'fin', widthBytes: 4 }), { in: { in: o } });
  if (store) {
    // u: one firing at 0 holding mem [0, 1), then nothing: the calendar stays idle at cursor 1.
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    g.invoke({ name: 'u', firings: 1, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 1 }] } } satisfies ActorSpec, {});
  }
  return g.build();
}

describe('early cut-off with a producer frozen in both runs (q: 4 firings, p: 8 firings, latency 0)', () => {
  /*
   * Base (s latency 3): q writes g_j at 4j; b at 3; p's firing 0 writes a_0 at 0, the sink reads
   * it at 3. For 1 <= j < 4 p starts at 4j (g_j), its write due 4j waits for a_{j-1}'s slot
   * (read at 4j - 1, free 4j + 1): frozen [4j, 4j + 1), a_j at 4j + 1, read at 4j + 3. From j = 4
   * p has no input: it starts at na + the freeze (4j - 2), frozen [4j - 2, 4j + 1). 35 cycles
   * (the sink's last read at 31 + II 4).
   * Probe (s latency 6): the sink reads a_j at 4j + 6; p's firing 1 starts at 4, frozen [4, 8)
   * (a_0 read at 6); na = 5 + 4 = 9 after the thaw, so from j = 2 p starts at 4j + 1, frozen
   * [4j + 1, 4j + 4): p's stalled-full 4 + 6 * 3 = 22, 38 cycles.
   * The change is spent once s started (cut 1). Compare points: o_j is written at 4j + 6 (base
   * 4j + 3: delay 3), so cut 4j + 8 is compared with the base's 4j + 5; a_j at 4j + 4 (j >= 2,
   * delay 3) with g_{j+1} (delay 0, a tie: 3), cut 4j + 6 with 4j + 3. q's next start 4k is not
   * shifted, so no cut matches while q has firings left; the first after q's last start (12 in
   * both) is 16 (base 13). There p's firing 3 started at 13 (base 12), its write due then lands at
   * 16 (base 13): frozen in both, the next start waiting for it. Relative to that write (c) the
   * rest of p's state matches (na = c + 1 in both); its freeze is delta - (c_probe - c_base) =
   * 3 - 1 = 2 longer than the base's, charged to p and to a. The sink's na 18 = 15 + 3; fin, idle
   * (na 15 and 12, below both cuts), is compared only by the stall it starts (15 = 12 + 3: 0).
   * Firings started below cut 16: s 1, q 4, p 4 (0 .. 3), sink 3 (reads at 6, 10, 14), fin 3.
   */
  it('stops at cut 16 (base cut 13, delta 3) having re-timed 1 + 4 + 4 + 3 + 3 = 15 firings; the result equals a re-run: 38 cycles, p frozen 22 cycles, all on a', () => {
    const got = againstRerun(frozenProducer(4, 8, 0), { latencyCycles: { s: 6 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledFullByFifo[1]]).toEqual([38, 15, 22, 22]);
  });
});

describe('early cut-off with a producer frozen in both runs and waiting below its write (q: 3 firings, p: 6 firings, latency 4)', () => {
  /*
   * Base (s latency 3): q writes g_j at 0, 4, 8; p starts at 0, 4, 8 (g), writes a_j at 4, 8,
   * 12; the sink reads them at 4, 8, 12 (b at 3). p's firings 3, 4, 5 (no input) start at 9, 10,
   * 11; a_3, due 13, waits for a_2's slot (free 14): frozen [13, 14); firings 4 and 5 were in the
   * pipeline then: due 15 and 16; a_4 waits for a_3's slot (read 16, free 18): frozen [15, 18);
   * a_5 due 19, frozen [19, 22); the sink reads at 16, 20, 24: 28 cycles.
   * Probe (s latency 6): the sink reads a_j at 6, 10, 14, 18, 22, 26; p starts as in the base;
   * a_3 frozen [13, 16), a_4 [17, 20), a_5 [21, 24): p stalled-full 9, starved 3 + 3; 30 cycles.
   * Compare points (spent from cut 1): o_j (probe 6 + 4j, base 4 + 4j: delay 2) makes cut 4j + 8
   * compared with the base's 4j + 6 (cut 8: q's next start 8 is not shifted; cut 12: p has
   * started all 6 firings, the base only 4); b (delay 3, a tie with o_0's 2: 3) cut 8 with 5; g and
   * a writes of delay 0 compare equal cuts, where the sink's counts differ. Cut 16 against the
   * base's 14: p has started everything, a_3 (due 13 in both) is pending in both, landing at 16
   * and 14; p's na 12 is below it in both (latency 4 > II 1), so its thaw sets na to the landing
   * and the starved cycles from na to c match (13 - 12 in both); the freeze is 2 - 0 = 2 longer.
   * Firings started below cut 16: s 1, q 3, p 6, sink 3, fin 3 = 16.
   */
  it('stops at cut 16 (base cut 14, delta 2) having re-timed 16 firings; the result equals a re-run: 30 cycles, p frozen 9 cycles, all on a', () => {
    const got = againstRerun(frozenProducer(3, 6, 4), { latencyCycles: { s: 6 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledEmptyCycles[2], got.stalledFullByFifo[1]]).toEqual([30, 16, 9, 6, 9]);
  });
});

describe('early cut-off after reads the change did not move, beside an idle calendar (start token at the sink\'s firing 2, o depth 4)', () => {
  /*
   * Base (s latency 3; the sink reads b in its firing 2, at 8): q-bound as before up to firing 3:
   * p writes a_j at 4j (a_{j-1}'s slot, read at 4j - 4, free at 4j - 2), the sink reads it at 4j.
   * p's firing 4 (no input) starts at 13, frozen [13, 14) (a_3 read at 12); then it starts at na +
   * the freeze: 15, 19, 23, frozen 3 each; the sink reads at 16, 20, 24, 28: 32 cycles. u holds mem
   * [0, 1) at 0 (the calendar then idle at 1).
   * Probe (s latency 15): the sink's firings 0 and 1 read at 0 and 4 as in the base, its firing 2
   * waits for b (15), then 19, 23, ...: 4j + 7. p: a_3, due 12, waits for a_2's slot (read 15, free
   * 17): frozen [12, 17); then it starts at 18, 22, 26, 30, frozen 3 each: p stalled-full 5 + 12 =
   * 17, starved 9 (waiting for g at 4, 8, 12); 39 cycles.
   * Compare points (spent from cut 1): o_3 at 19 (base 12: delay 7) makes cut 21 compared with the
   * base's 14 (the earlier ones fail: o_2 at 15 with delay 7 gives base cut 10, where q has not
   * started its firing 3; b (delay 12) ties it and wins). At cut 21 (base 14): p's firing 4
   * started at 18 (base 13), its write pending in both: frozen in both, 2 longer (7 - 5). o holds 4
   * tokens (depth 4): o_3's read (19, base 12) can still decide a write and is compared; o_2's
   * (15, 8) and older came free before both cuts - 2 and are not (o_0, o_1 were read at 0 and 4 in
   * both runs: not shifted). mem's calendar is idle in both (cursor 1 below both cuts) and not
   * compared. Firings started below cut 21: s 1, q 4, p 5, sink 4, fin 4, u 1 = 19.
   */
  it('stops at cut 21 (base cut 14, delta 7) having re-timed 19 firings; the result equals a re-run: 39 cycles, p frozen 17, starved 9', () => {
    const got = againstRerun(frozenProducer(4, 8, 0, { bAt: 2, oDepth: 4, store: true }), { latencyCycles: { s: 15 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[2], got.stalledEmptyCycles[2], got.stalledFullByFifo[1]]).toEqual([39, 19, 17, 9, 17]);
  });
});

describe('early cut-off inside a grant of a shared resource, with an idle actor', () => {
  /**
   * s (1 firing, latency 1) writes a start token b for w; w (6 firings, II 1, latency 0) reads
   * it in its first firing and requests 3 units of mem (1 unit per cycle) per firing, writing o
   * (depth 2) when its grant ends; fin (II 1) reads o.
   */
  function worker(): Graph {
    const g = new GraphBuilder('worker');
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    const o = g.stream('o', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 1 } }), { out: { out: b } });
    const w: ActorSpec = { name: 'w', firings: 6, inputs: { in: port }, outputs: { out: port }, resources: ['mem'], reads: (i) => (i === 0 ? ['in'] : []), cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 3 }] } };
    g.invoke(w, { in: { in: b }, out: { out: o } });
    g.invoke(sinkActor({ name: 'fin', widthBytes: 4 }), { in: { in: o } });
    return g.build();
  }
  /*
   * Base: b at 1; w's firing k starts at 1 + 3k, granted [1 + 3k, 4 + 3k) (3 units at 1 per
   * cycle: next = max(s + II, end) = end), writes o_k at the grant's end, 4 + 3k; fin reads it
   * then: 20 cycles (fin's last read 19 + 1). w busy 18, 12 of them resource-bound, starved 1.
   * Probe (s latency 3): b at 3, everything of w and fin 2 later: 22 cycles, w starved 3, fin 16.
   * The change is spent at cut 1; b is the first write (at 3, delay 2): cut 5 is compared with the
   * base's 3. There w has started firing 0 (3; base 1) and its write waits for the grant's end
   * (6; base 4): the calendar is busy past both cuts (cursor 6 = 4 + 2, same owner, previous
   * request 3 = 1 + 2) and is compared; fin has not started (na 0 below both cuts, nothing
   * planned): idle, its first starved stall runs to a start 2 later than the base's (+2).
   * Firings started below cut 5: s's and w's first: 2.
   */
  it('stops at cut 5 (base cut 3, delta 2) with the calendar busy past the cut, having re-timed 2 firings; the result equals a re-run: 22 cycles, fin starved 16', () => {
    const got = againstRerun(worker(), { latencyCycles: { s: 3 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[1], got.resourceBoundCycles[1], got.stalledEmptyCycles[2]]).toEqual([22, 2, 3, 12, 16]);
  });
});

/*
 * Partial re-timing: its observable effects are the result, which must equal a full re-run of
 * the changed graph, and the work done, `firingsRetimed`: the firings started below the cut at
 * which M (the changed actors and those whose state differs from the base's there) is re-timed
 * alone, plus M's firings from that cut on; the others follow the base. The runs are under 256
 * cycles: a cut at every cycle; a probe resumes at the cut before its first affected cycle and
 * tries M at the first cut after it where M holds at most half the firings left.
 */

/** src (12 firings, II srcII) -> f1 (depth d1) -> mid (12, II midII) -> f2 (depth d2) -> snk (12, II snkII); latency 0 throughout. */
function chain(d1: number, d2: number, midII: number, snkII: number, srcII = 1): Graph {
  const g = new GraphBuilder('chain');
  const f1 = g.stream('f1', { depth: d1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: d2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 12, widthBytes: 4, cost: { iiCycles: srcII, latencyCycles: 0 } }), { out: { out: f1 } });
  const mid: ActorSpec = { name: 'mid', firings: 12, inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: midII, latencyCycles: 0 } };
  g.invoke(mid, { in: { in: f1 }, out: { out: f2 } });
  const snk: ActorSpec = { name: 'snk', firings: 12, inputs: { in: port }, cost: { iiCycles: snkII, latencyCycles: 0 } };
  g.invoke(snk, { in: { in: f2 } });
  return g.build();
}

describe('partial re-timing of the middle of a chain (f1 depth 8, f2 depth 2, snk II 3)', () => {
  /*
   * Base (mid II 1): src writes f1_j at j (its slots, read by mid by cycle 3 for j < 4, free long
   * before); mid starts at 0, 1, 2, 3 and writes f2_j then; f2_3, due 3, waits for f2_1's slot
   * (read by snk at 3, free at 5): frozen [3, 5); from then on mid's write of f2_j lands at
   * 3j - 4 (snk reads f2_j at 3j) and it starts after each thaw: it reads f1_j at 3j - 6 (j >= 4).
   * 36 cycles (snk's last read 33 + II 3).
   * Probe (mid II 3): mid starts at 3j, writes f2_j at 3j, snk reads it at once (3j): no freeze.
   * The probe resumes at cut 0 (mid's first start). Round [0, 1) starts src's, mid's and snk's
   * firing 0, as in the base. At cut 1 only mid differs (its na: 3, base 1); every count and
   * pending slot read is the base's: M = {mid}, 11 of the 33 firings left. What M passes the base
   * actors keeps them as in the base: f2_j reaches snk, which never froze, at 3j, not after the
   * base's read at 3j (which f2_j did not decide: it was written at 3j - 4); mid's read of f1_j at
   * 3j (base: 1, 2, 3 for j = 1, 2, 3) frees the slot of src's f1_{j+8} by 3j + 2 <= j + 8 (its
   * write, as in the base) for j <= 3; f1_{j+8} does not exist for j >= 4. So src and snk follow
   * the base: 3 + 11 = 14 firings re-timed; the cycles are the latest of mid's (33 + II 3) and
   * the others' base latest (snk 36): 36, mid busy 36.
   */
  it("mid's II 3: M = {mid} at cut 1, no crossing moves src or snk: 3 + 11 = 14 firings re-timed, 36 cycles, no freeze left", () => {
    const got = againstRerun(chain(8, 2, 1, 3), { iiCycles: { mid: 3 } });
    expect([got.cycles, got.firingsRetimed, got.busyCycles[1], got.stalledFullCycles[1], got.stalledFullByFifo[1]]).toEqual([36, 14, 36, 0, 0]);
  });
});

describe('partial re-timing whose writes reach the base actor at the base cycles (src II 3, f1 and f2 depth 1, snk II 1)', () => {
  /*
   * Base (mid II 1): src writes f1_j at 3j; mid starts then (its slots free at 3j - 1) and writes
   * f2_j at 3j; snk reads it at once: 36 cycles (src's last start 33 + II 3). Probe (mid II 3): mid
   * still starts at 3j (its na 3j + 3 is never later than the next input), so its reads and writes
   * are the base's; only its books change (busy 3 per firing, never starved): 36 cycles.
   * Round [0, 1) starts the three firing 0s; at cut 1 only mid differs (na 3, base 1): M = {mid}.
   * Each f2_j reaches snk at the base's cycle (snk reads it the cycle it lands, so any other cycle
   * would move snk), and each f1_j is read at the base's cycle: 3 + 11 = 14 firings re-timed.
   */
  it("mid's II 3: M = {mid}, every crossing at the base's cycle: 14 firings re-timed, 36 cycles, mid busy 36", () => {
    const got = againstRerun(chain(1, 1, 1, 1, 3), { iiCycles: { mid: 3 } });
    expect([got.cycles, got.firingsRetimed, got.busyCycles[1], got.stalledEmptyCycles[1]]).toEqual([36, 14, 36, 0]);
  });
});

describe('partial re-timing whose writes reach a join that waits for another input', () => {
  /** srcA (8 firings, II 2) -> ta (depth 2) -> x (II 1, latency 0) -> xa (depth 4) -> join <- bq (depth 2) <- srcB (8, II 3); join II 1. */
  function join(): Graph {
    const g = new GraphBuilder('join');
    const ta = g.stream('ta', { depth: 2, widthBytes: 4 });
    const xa = g.stream('xa', { depth: 4, widthBytes: 4 });
    const bq = g.stream('bq', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'srcA', count: 8, widthBytes: 4, cost: { iiCycles: 2, latencyCycles: 0 } }), { out: { out: ta } });
    g.invoke({ name: 'x', firings: 8, inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: ta }, out: { out: xa } });
    g.invoke(sourceActor({ name: 'srcB', count: 8, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { out: { out: bq } });
    g.invoke({ name: 'join', firings: 8, inputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { a: xa, b: bq } });
    return g.build();
  }
  /*
   * Base: srcA writes ta_j at 2j, x reads it then and writes xa_j at 2j (never waiting: xa_{j-4}
   * is read by 3j - 12); srcB writes bq_j at 3j; join starts at 3j. 24 cycles (srcB's last start 21
   * + II 3). Probe (x latency 1): xa_j lands at 2j + 1, after bq_0 for j = 0 only: join's firing 0
   * starts at 1, the rest at 3j as before; 24 cycles, join starved 1 + 1 + 6 * 2 = 14 as in the base.
   * The probe resumes at cut 0 (x's first start). At cuts 1, 2 and 3 join or the FIFOs it reads
   * differ (its firing 0 at 1, base 0: counts, then its na, then bq_0's read, whose slot is still
   * due after the cut - 2), so M would hold x, srcB and join: more than half the firings left. At
   * cut 4 the reads at 1 and 0 came free before 2, join's na is 4 in both: M = {x}, 6 of 24
   * firings left. x's writes xa_j (2j + 1, base 2j) reach join no later than its other input bq_j
   * (3j, from srcB, which follows the base) for j >= 2: they do not move it. Firings started below
   * cut 4: 2 of each actor; 8 + 6 = 14 re-timed.
   */
  it("x's latency 1: M = {x} at cut 4, its later writes hidden by join's other input: 14 firings re-timed, 24 cycles", () => {
    const got = againstRerun(join(), { latencyCycles: { x: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[3]]).toEqual([24, 14, 14]);
  });
});

describe('partial re-timing that replays a base actor at a resource M shares (mem: 1 unit per cycle)', () => {
  /**
   * src (12 firings, II 3) -> f1 (depth 2) -> mid (12, II 1, latency 0; 1 unit of mem per
   * firing) -> f2 (depth 2) -> snk (12, II 1). Beside it z (12 firings, II 3, latency 0; two
   * requests of 1 unit of mem per firing) -> zq (depth 4) -> zsnk (II 1).
   */
  function shared(withR = false): Graph {
    const g = new GraphBuilder('shared-mem');
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    const f1 = g.stream('f1', { depth: 2, widthBytes: 4 });
    const f2 = g.stream('f2', { depth: 2, widthBytes: 4 });
    const zq = g.stream('zq', { depth: 4, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 12, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { out: { out: f1 } });
    const mid: ActorSpec = { name: 'mid', firings: 12, inputs: { in: port }, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 1 }] } };
    g.invoke(mid, { in: { in: f1 }, out: { out: f2 } });
    if (withR) {
      // r (12 firings, II 1) -> f4 (depth 2) -> snk, which then reads f2 and f4 in each firing.
      const f4 = g.stream('f4', { depth: 2, widthBytes: 4 });
      g.invoke(sourceActor({ name: 'r', count: 12, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: f4 } });
      g.invoke({ name: 'snk', firings: 12, inputs: { in: port, r: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: f2, r: f4 } });
    } else g.invoke({ name: 'snk', firings: 12, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: f2 } });
    const z = sourceActor({ name: 'z', count: 12, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0, requests: [{ resource: 'mem', units: 1 }, { resource: 'mem', units: 1 }] } });
    g.invoke({ ...z, resources: ['mem'] }, { out: { out: zq } });
    g.invoke({ name: 'zsnk', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: zq } });
    return g.build();
  }
  /*
   * Base: src writes f1_j at 3j; mid and z both start at 3j and request mem in that cycle; the
   * arbiter serves mid first (the recorded run: z contended 1 cycle per firing, 12): mid holds
   * [3j, 3j + 1) and writes f2_j at 3j + 1, z's two requests hold [3j + 1, 3j + 3) and it writes
   * zq_j at 3j + 3; the sinks read at once: 37 cycles (zsnk's last read 36 + 1).
   * Probe (mid latency 2): the same grants; f2_j lands at 3j + 3, snk reads it then (starved 3 +
   * 11 * 2 = 25), 37 cycles. It resumes at cut 0 (mid's first start); round [0, 1) starts src's,
   * mid's and z's firing 0. At cut 1 only mid (changed) differs: M = {mid}. Its first write f2_0
   * at 3 reaches snk (never frozen) after the base's read at 1: snk would move; M grows by snk and
   * its neighbours within 1 FIFO (mid): {mid, snk}, 23 of the 57 firings left, re-timed again from
   * cut 1. z's requests, replayed in their recorded turn at the base's cycles 3j, are granted as
   * in the base (late, held by mid, from 3j + 1); after the first of each pair the calendar equals
   * the base's, so the replay jumps past the second to mid's next request. src and z follow the
   * base: 3 + 11 (mid) + 12 (snk) = 26 firings re-timed.
   */
  it("mid's latency 2: M = {mid} then {mid, snk}, z replayed at its base cycles: 26 firings re-timed, 37 cycles, z contended 12", () => {
    const graph = shared();
    expect(runGraph(graph).summary.actors[3]!.stalledContentionCycles).toBe(12);
    const got = againstRerun(graph, { latencyCycles: { mid: 2 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[2], got.stalledContentionCycles[3], got.busyCycles[3]]).toEqual([37, 26, 25, 12, 24]);
  });

  /*
   * The same with r -> f4 (depth 2) -> snk beside it (actors: src, mid, r, snk, z, zsnk). r writes
   * f4_j by max(j, f4_{j-2}'s read + 2) <= 3j + 1, so snk still starts at 3j + 1 (base) and 3j + 3
   * (probe), and the cycles and z's grants are as above. Below cut 1 src, mid, r and z have started
   * their firing 0 (4). M = {mid}; f2_0 would move snk, so M grows by snk and every actor within 1
   * FIFO of it: mid and r. {mid, r, snk} holds 11 + 11 + 12 = 34 of the 68 firings left: at most
   * half, so it is re-timed (r alone follows its base inputs: nothing crosses to it from outside
   * M). 4 + 34 = 38 firings re-timed.
   */
  it("with r feeding snk: M grows to {mid, r, snk}, exactly half the firings left: 38 firings re-timed, 37 cycles", () => {
    const got = againstRerun(shared(true), { latencyCycles: { mid: 2 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[3], got.stalledContentionCycles[4]]).toEqual([37, 38, 25, 12]);
  });
});

describe('partial re-timing whose M grows by every requester of a resource the violator shares with it', () => {
  /**
   * src (12 firings, II 3) -> f1 (depth 2) -> mid (12, II 1, latency 0) -> f2 (depth 2) -> snk
   * (12, II 1); z (12, II 3) -> zq (depth 4) -> zsnk; mid, snk and z each request 1 unit of mem
   * (2 units per cycle) per firing. Beside them srcB (60 firings, II 1) -> bq (depth 2) -> sinkB.
   */
  function sharedBySink(): Graph {
    const g = new GraphBuilder('shared-by-sink');
    g.resource({ name: 'mem', unitsPerCycle: 2 });
    const f1 = g.stream('f1', { depth: 2, widthBytes: 4 });
    const f2 = g.stream('f2', { depth: 2, widthBytes: 4 });
    const zq = g.stream('zq', { depth: 4, widthBytes: 4 });
    const bq = g.stream('bq', { depth: 2, widthBytes: 4 });
    const mem = { resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 1 }] } };
    g.invoke(sourceActor({ name: 'src', count: 12, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { out: { out: f1 } });
    g.invoke({ name: 'mid', firings: 12, inputs: { in: port }, outputs: { out: port }, ...mem } satisfies ActorSpec, { in: { in: f1 }, out: { out: f2 } });
    g.invoke({ name: 'snk', firings: 12, inputs: { in: port }, ...mem } satisfies ActorSpec, { in: { in: f2 } });
    const z = sourceActor({ name: 'z', count: 12, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0, requests: [{ resource: 'mem', units: 1 }] } });
    g.invoke({ ...z, resources: ['mem'] }, { out: { out: zq } });
    g.invoke({ name: 'zsnk', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: zq } });
    g.invoke(sourceActor({ name: 'srcB', count: 60, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: bq } });
    g.invoke({ name: 'sinkB', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: bq } });
    return g.build();
  }
  /*
   * Base: mid and z start at 3j and share mem's 2 units in that cycle; mid writes f2_j at 3j + 1,
   * snk reads it then and holds a unit in [3j + 1, 3j + 2); z writes zq_j at 3j + 1; srcB and
   * sinkB run at 1 per cycle: 60 cycles. Probe (mid latency 1): f2_j lands at 3j + 2, snk reads
   * it and requests then, still alone between the requests at 3j and 3j + 3 (the recorded order
   * holds): snk starved 2 before its first read, then 2 between each grant's end (3j + 3) and the
   * next read; 60 cycles.
   * Round [0, 1) starts src's, mid's, z's, srcB's and sinkB's firing 0 (5). At cut 1 M = {mid}; its
   * f2_0 at 2 would move snk (read at 1 in the base): snk joins with its neighbour mid, and with
   * every requester of mem, which snk shares with mid: z. {mid, snk, z} holds 11 + 12 + 11 of the
   * 175 firings left; z's writes stay at the base's cycles, so zsnk follows the base.
   * 5 + 34 = 39 firings re-timed.
   */
  it("mid's latency 1: M = {mid}, then {mid, snk, z}: 39 firings re-timed, 60 cycles", () => {
    const got = againstRerun(sharedBySink(), { latencyCycles: { mid: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[2]]).toEqual([60, 39, 2 + 11 * 2]);
  });
});


describe("a Retimer's results do not share its working state", () => {
  /*
   * The 3-token pair of retime-hand-cases (src II 1, latency 0, a depth 1, sink II 4; writes at 0,
   * 2, 6, 12 cycles). Two probes that each re-time to the end ('done': the sink's II changes from
   * its first start) run in the Retimer's one working state; the first result must keep its values.
   * Sink II 2: reads at 0, 2, 4, src frozen [1, 2) and [3, 4): 6 cycles, src frozen 2, sink busy 6.
   * Sink II 8: reads at 0, 8, 16, src frozen [1, 2) and [3, 10): 24 cycles, src frozen 8, sink busy 24.
   */
  it('the II-2 probe keeps its busy, starved, frozen, contention, resource-bound and per-FIFO cycles after the II-8 probe', () => {
    const g = new GraphBuilder('pair');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: 4, latencyCycles: 0 } }), { in: { in: a } });
    const r = new Retimer(runGraph(g.build(), { record: true }).recording!);
    const first = r.retime({ iiCycles: { sink: 2 } });
    const second = r.retime({ iiCycles: { sink: 8 } });
    if (typeof first === 'string' || typeof second === 'string') throw new Error('not exact');
    const fields = (x: RetimedRun) => [x.cycles, [...x.busyCycles], [...x.stalledEmptyCycles], [...x.stalledFullCycles], [...x.stalledContentionCycles], [...x.resourceBoundCycles], [...x.stalledFullByFifo]];
    expect(fields(first)).toEqual([6, [3, 6], [0, 0], [2, 0], [0, 0], [0, 0], [2]]);
    expect(fields(second)).toEqual([24, [3, 24], [0, 0], [8, 0], [0, 0], [0, 0], [8]]);
  });
});

describe("partial re-timing stopped by a base actor's grant that comes late at a shared resource", () => {
  /**
   * src (8 firings, II 3) -> f1 (depth 2) -> mid (8, II 1; 2 units of mem, 1 per cycle) -> f2
   * (depth 2) -> snk; zt0 (1 firing, latency 2) -> zt -> z (8 firings, II 3; reads zt in its
   * first; 1 unit of mem) -> zq (depth 4) -> zsnk. Beside them srcB (100, II 1) -> bq -> sinkB.
   */
  function lateGrant(): Graph {
    const g = new GraphBuilder('late-grant');
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    const f1 = g.stream('f1', { depth: 2, widthBytes: 4 });
    const f2 = g.stream('f2', { depth: 2, widthBytes: 4 });
    const zt = g.stream('zt', { depth: 1, widthBytes: 4 });
    const zq = g.stream('zq', { depth: 4, widthBytes: 4 });
    const bq = g.stream('bq', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 8, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { out: { out: f1 } });
    g.invoke({ name: 'mid', firings: 8, inputs: { in: port }, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 2 }] } } satisfies ActorSpec, { in: { in: f1 }, out: { out: f2 } });
    g.invoke({ name: 'snk', firings: 8, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: f2 } });
    g.invoke(sourceActor({ name: 'zt0', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 2 } }), { out: { out: zt } });
    const z: ActorSpec = { name: 'z', firings: 8, inputs: { t: port }, outputs: { out: port }, reads: (i) => (i === 0 ? ['t'] : []), resources: ['mem'], cost: { iiCycles: 3, latencyCycles: 0, requests: [{ resource: 'mem', units: 1 }] } };
    g.invoke(z, { in: { t: zt }, out: { out: zq } });
    g.invoke({ name: 'zsnk', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: zq } });
    g.invoke(sourceActor({ name: 'srcB', count: 100, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: bq } });
    g.invoke({ name: 'sinkB', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: bq } });
    return g.build();
  }
  /*
   * Base: mid starts at 3j, holds mem [3j, 3j + 2), writes f2_j at 3j + 2; z starts at 3j + 2
   * (zt at 2, II 3) and holds [3j + 2, 3j + 3): no contention. 100 cycles (srcB).
   * Probe (src latency 1): mid starts at 3j + 1 and holds [3j + 1, 3j + 3); z still asks at
   * 3j + 2, after mid (the recorded order) and waits to 3j + 3: contended 8, zq_j one cycle later.
   * Below cut 1: src, zt0, srcB and sinkB started (4); mid differs (no start yet; base 0): M =
   * {src, mid}. Try 1: z's request, replayed at its base cycle 2, is granted late (from 3, held by
   * mid; on time in the base): z would move. M grows by z, every requester of mem (mid, z) and z's
   * neighbours within 1 FIFO (zt0, zsnk). Try 2: f2_0 lands at 3, after snk's base read at 2: snk
   * joins (radius 2 adds nobody new). Try 3 holds: 4 + 7 (src) + 8 (mid) + 8 (snk) + 8 (z) + 8
   * (zsnk) = 43 firings re-timed, z contended 8.
   */
  it("src's latency 1: z's late grant stops the first try; M = {src, mid, snk, zt0, z, zsnk}: 43 firings re-timed, z contended 8", () => {
    const graph = lateGrant();
    expect(runGraph(graph).summary.actors[4]!.stalledContentionCycles).toBe(0);
    const got = againstRerun(graph, { latencyCycles: { src: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledContentionCycles[4]]).toEqual([100, 43, 8]);
  });

  it('three probes in one Retimer (srcB II 2, mem at 2 units, src latency 1) each still equal the engine after the later ones ran', () => {
    const graph = lateGrant();
    const r = new Retimer(runGraph(graph, { record: true }).recording!);
    const changes: RetimeChanges[] = [{ iiCycles: { srcB: 2 } }, { resourceUnitsPerCycle: { mem: 2 } }, { latencyCycles: { src: 1 } }];
    const got = changes.map((ch) => r.retime(ch));
    changes.forEach((ch, k) => {
      const x = got[k]!;
      if (typeof x === 'string') throw new Error(x);
      const want = runGraph(applyChanges(graph, ch));
      expect([x.cycles, [...x.busyCycles], [...x.stalledEmptyCycles], [...x.stalledFullCycles], [...x.stalledContentionCycles], [...x.resourceBoundCycles]]).toEqual([
        want.cycles,
        ...(['busyCycles', 'stalledEmptyCycles', 'stalledFullCycles', 'stalledContentionCycles', 'resourceBoundCycles'] as const).map((f) => want.summary.actors.map((a) => a[f])),
      ]);
    });
    // The first (re-timed to the end: srcB changes from its first start) and the second differ
    // from the third where aliasing would show: sinkB starved 1 before each of its reads after the
    // first (bq_j at 2j), mid never resource-bound at 2 units per cycle, z not contended.
    const [a, b] = got as RetimedRun[];
    expect([a!.stalledEmptyCycles[7], b!.resourceBoundCycles[1], a!.stalledContentionCycles[4]]).toEqual([99, 0, 0]);
  });
});
