import { describe, expect, it } from 'vitest';
import { GraphBuilder, sourceActor, type ActorSpec, type Graph } from './index.js';
import { againstRerun } from '../test-support/retime-compare.js';
import { memChain } from '../test-support/retime-graphs.js';

/**
 * Partial re-timing (retime-partial.ts: `grow`, the crossing checks; retime-cut.ts `partialSet`)
 * on hand graphs where how M grows decides the work done (issue 23: mutation testing). Its
 * observable effects are the result, which must equal a full re-run of the changed graph, and
 * `firingsRetimed`: the firings started below the cut at which M is re-timed alone, plus M's
 * firings from that cut on (derived by hand below). The runs are under 256 cycles: a cut at every
 * cycle (cut H holds every start and write below H); a probe resumes at the cut before the first
 * start its change affects and tries M at the next cut, at most five times, each failed try
 * adding the base actor it would move and every actor within 1, 2, 4, ... FIFOs of it (not
 * passing through actors already in M), and for each resource that actor shares with M, every
 * requester; after five failed tries the full sweep goes on from that cut.
 */

const port = { widthBytes: 4 };

/**
 * src (8 firings, II 3) -> f1 -> a1 -> f2 -> a2 -> ... -> a7 -> f8 -> fin: a1..a7 8 firings, II 1,
 * latency 1 (a1: 0); a1 requests 1 unit of mem3 and a2 1 unit of mem2 (each 1 unit per cycle)
 * per firing, and each writes when its grant ends, plus its latency; a3 also reads g3 (depth 3) from c3 (8
 * firings, II 3); w (8 firings, II 3, no FIFOs) requests 1 unit of mem2 per firing. Beside them srcB (100 firings, II 1) -> bq ->
 * sinkB (II 1). FIFOs f1..f8 and bq depth 2; latency 0 unless said.
 */
function longChain(): Graph {
  const g = new GraphBuilder('long-chain');
  g.resource({ name: 'mem2', unitsPerCycle: 1 });
  g.resource({ name: 'mem3', unitsPerCycle: 1 });
  const f = Array.from({ length: 8 }, (_, k) => g.stream(`f${k + 1}`, { depth: 2, widthBytes: 4 }));
  const g3 = g.stream('g3', { depth: 3, widthBytes: 4 });
  const bq = g.stream('bq', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 8, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { out: { out: f[0]! } });
  for (let k = 1; k <= 7; k++) {
    const stage: ActorSpec = { name: `a${k}`, firings: 8, inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 1 } };
    const mem = (r: string, latencyCycles: number) => ({ resources: [r], cost: { iiCycles: 1, latencyCycles, requests: [{ resource: r, units: 1 }] } });
    if (k === 1) g.invoke({ ...stage, ...mem('mem3', 0) }, { in: { in: f[0]! }, out: { out: f[1]! } });
    else if (k === 2) g.invoke({ ...stage, ...mem('mem2', 1) }, { in: { in: f[1]! }, out: { out: f[2]! } });
    else if (k === 3) g.invoke({ ...stage, inputs: { in: port, c: port } }, { in: { in: f[2]!, c: g3 }, out: { out: f[3]! } });
    else g.invoke(stage, { in: { in: f[k - 1]! }, out: { out: f[k]! } });
  }
  g.invoke({ name: 'fin', firings: 8, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: f[7]! } });
  g.invoke(sourceActor({ name: 'c3', count: 8, widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { out: { out: g3 } });
  g.invoke({ name: 'w', firings: 8, resources: ['mem2'], cost: { iiCycles: 3, latencyCycles: 0, requests: [{ resource: 'mem2', units: 1 }] } } satisfies ActorSpec, {});
  g.invoke(sourceActor({ name: 'srcB', count: 100, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: bq } });
  g.invoke({ name: 'sinkB', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: bq } });
  return g.build();
}

describe('partial re-timing down a long chain: M grows by 1, 2 and 4 FIFOs (a1 latency 0 -> 1)', () => {
  /*
   * Base: src and c3 write f1_j and g3_j at 3j; w holds mem2 [3j, 3j + 1); a1 starts at 3j,
   * holds mem3 [3j, 3j + 1) and writes f2_j at 3j + 1; a2 starts then, holds mem2 [3j + 1, 3j +
   * 2) (after w's grant) and writes f3_j at 3j + 3; a3 (g3_j long written) starts then and writes
   * at 3j + 4, and each later stage one cycle after the one before: a7 writes f8_j at 3j + 8, fin
   * reads it then. No slot is ever waited for (each reader takes a token in the cycle it lands).
   * 100 cycles (srcB).
   * Probe (a1 latency 1): every write of a1 and below lands one cycle later, mem2's grants to a2
   * at 3j + 2 still fall between w's at 3j and 3j + 3: a2..a7 and fin start one cycle later, each
   * starved one cycle more (a2 2 + 7 * 2 = 16, fin 9 + 7 * 2 = 23); 100 cycles.
   * The probe resumes at cut 0 (a1's first start); round [0, 1) starts the firing 0 of src, a1,
   * c3, w, srcB and sinkB in both runs (6); mem3's calendar is the same. At cut 1 only a1
   * differs (its write pending at 2, base 1): M = {a1}.
   * Try 1: f2_0 lands at 2, after a2's base read at 1 (a2 never froze, but the token is late for
   * it): a2 would move. a2 shares mem2 with w, neither in M: no requester joins (a1 uses mem3
   * only); a2's neighbours within 1 FIFO: a1 (in M) and a3. M = {a1, a2, a3}.
   * Try 2: w's requests, replayed at 3j, are granted as in the base (a2 asks later, at 3j + 2);
   * a3 reads g3_j at 3j + 4, freeing the slot of g3_{j+3} at 3j + 6, before c3 writes it (3j +
   * 9); f4_0 lands at 5, after a4's base read at 4: a4 would move. Within 2 FIFOs of a4, not
   * through M: a5, a6 (c3, two FIFOs away through a3, already in M, does not join).
   * M = {a1, ..., a6}.
   * Try 3: f7_0 moves a7; within 4 FIFOs of it: fin. M = {a1, ..., a7, fin}: 7 + 6 * 8 + 8 = 63
   * of the 282 firings left (at most half).
   * Try 4 holds: M passes the base actors only the reads of f1 and g3, which free slots no
   * later than their writes. 6 + 63 = 69 firings re-timed (c3, w, src, srcB and sinkB follow the
   * base: each of them in M would add 7 or 99).
   */
  it('M = {a1}, then {a1, a2, a3}, {a1, ..., a6}, {a1, ..., a7, fin}: 69 firings re-timed; equals a re-run (100 cycles, fin starved 23)', () => {
    const got = againstRerun(longChain(), { latencyCycles: { a1: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledEmptyCycles[8], got.stalledEmptyCycles[2], got.busyCycles[10]]).toEqual([100, 69, 23, 16, 24]);
  });
});

describe('partial re-timing beside a base actor whose replayed grant shares a cycle with M\'s (mem: 3 units per cycle; f1 depth 3 -> 1)', () => {
  /*
   * src (2 firings, II 1, latency 2); mid (2 firings, II 2, latency 1, 2 units of mem); snk II 2;
   * z (3 firings, II 2).
   * Base (f1 depth 3): src writes f1_0, f1_1 at 2, 3; z asks for mem at 0, 2, 4 and writes zq_j
   * when its grant ends (2j + 1), zsnk reads it then. mid starts at 2 (f1_0) and 4 (its II),
   * each time in the cycle z asks: 2 + 1 units of 3, both granted in that cycle; mid writes f2_0,
   * f2_1 at 4, 6 (grant end + 1), snk reads them then: 8 cycles, nobody contended.
   * Probe (f1 depth 1): f1_1, due 3, waits for f1_0's slot (read at 2, free at 4): src frozen
   * [3, 4); mid still starts at 4: the same 8 cycles, src frozen 1, charged to f1.
   * The probe resumes at cut 3 (the first write the shallower f1 holds back). Round [3, 4) starts
   * zsnk's firing 1 (zq_1 at 3) in both. At cut 4 f1_1 is pending (the change is not spent): M
   * = the ends of f1, src and mid, whose 1 firing left is of the 5 left; every other state is
   * the base's. mid's request at 4 and z's, replayed at its base cycle 4, share mem's cycle 4 as in
   * the base: z's grant starts in the cycle it asks, whoever else holds units of it, so it is not
   * contended, and its end is the base's: z follows the base. 1 + 1 = 2 firings re-timed (a
   * grant taken as contended here would stop the partial re-timing and re-time more).
   */
  it('M = {src, mid} at cut 4, z granted in its cycle as in the base: 2 firings re-timed; equals a re-run: 8 cycles, src frozen 1', () => {
    const got = againstRerun(memChain({ n: 2, srcII: 1, srcLat: 2, d1: 3, midII: 2, midLat: 1, midUnits: 2, snkII: 2, zN: 3, zII: 2, cap: 3 }), { fifoDepths: { f1: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[0], got.stalledFullByFifo[0], got.stalledContentionCycles[3]]).toEqual([8, 2, 1, 1, 0]);
  });
});


describe('partial re-timing that replays a base actor whose second request waits for its own first (mem: 1 unit per cycle; src latency 2 -> 1)', () => {
  /*
   * src (2 firings, II 2); mid (2 firings, II 2, latency 2, 2 units of mem: a grant of 2 cycles);
   * snk II 2; z (7 firings, II 2) asks for 1 unit of mem twice per firing: each of its firings
   * holds mem for two cycles, its second request waiting for its first.
   * Base (src latency 2): z holds [0, 2); src writes f1_0, f1_1 at 2, 4; mid asks at 2 (before
   * z's firing 1 in the recorded order), holds [2, 4), writes f2_0 at 6; z's firing 1, asking at
   * 2, waits for mid (contended 2) and holds [4, 6); mid's firing 1 asks at 4 and holds [6, 8)
   * (contended 2), f2_1 at 10; z then asks at 6, 10, 12, 14, 16 (contended 2 more at 6); zsnk
   * reads zq_6 at 18: 19 cycles.
   * Probe (src latency 1): f1_0 at 1; mid asks at 1, still before z's firing 1, waits for z's [1,
   * 2) (contended 1, starved 1) and holds [2, 4) as in the base; its firing 1 starts at 4 (its
   * grant's end): everything else as in the base, 19 cycles; mid contended 3.
   * The probe resumes at cut 0 (src's first start); round [0, 1) starts src's and z's firing 0.
   * At cut 1: M = {src} (its write pending at 1, base 2). Try 1: f1_0 reaches mid at 1, before
   * its base read at 2, which that token alone decided: mid would move; it joins with snk (within
   * 1 FIFO); mem's other requester, z, is not in M. Try 2, M = {src, mid, snk}: z's requests are
   * replayed at their base cycles and granted as in the base: those that wait for mid's grants
   * are contended in both runs; each second request of a firing waits only for z's own first,
   * which is not contention in either run. Firings started below cut 1: 2; then M's 1 + 2 + 2:
   * 7 re-timed (of 20).
   */
  it('M = {src}, then {src, mid, snk}; z replayed, its own waits not contention: 7 firings re-timed; equals a re-run: 19 cycles, mid contended 3, z 4', () => {
    const got = againstRerun(memChain({ n: 2, srcII: 2, srcLat: 2, d1: 3, midII: 2, midLat: 2, midUnits: 2, snkII: 2, zN: 7, zII: 2, cap: 1, zRequests: 2 }), { latencyCycles: { src: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledContentionCycles[1], got.stalledEmptyCycles[1], got.stalledContentionCycles[3]]).toEqual([19, 7, 3, 1, 4]);
  });
});

describe('partial re-timing of a reader whose base read frees a slot just in time for a base writer (snk II 4 -> 3)', () => {
  /*
   * src (7 firings, II 1, latency 1); f1 depth 2; mid (7 firings, II 3, latency 0, 1 unit of mem,
   * 3 units per cycle) writes f2_j when its grant ends; f2 depth 2; z (1 firing) asks for 1 unit
   * twice at 0, zsnk reads zq_0 at 1.
   * Base (snk II 4): src writes f1_0, f1_1, f1_2 at 1, 2, 3, then each when f1's slot comes free
   * (f1_j at 3j - 3, mid reading f1_j at 3j + 1): src frozen 8. mid starts at 3j + 1 and writes
   * f2_j at 3j + 2; snk reads it at 4j + 2, so f2_j's slot (f2_{j-2}'s) is free at 4j - 4, by
   * mid's write for every j <= 6: mid never waits. 30 cycles.
   * Probe (snk II 3): snk reads f2_j at 3j + 2, as it lands: 23 cycles, nothing else moves.
   * The probe resumes at cut 2 (snk's first start); round [2, 3) starts src's firing 2 and snk's
   * firing 0 in both. At cut 3 only snk differs (na 5, base 6): M = {snk}, 6 of the 16 firings
   * left. Its reads of f2_j at 3j + 2 (base 4j + 2) free the slot of f2_{j+2}, which mid writes
   * at 3j + 8 in both runs; free at 3j + 4 in the probe and 4j + 4 in the base: neither after
   * that write for j <= 4 (j = 4: at 20, just in time, in the base); f2_7 and later do not exist.
   * mid follows the base: 2 + 6 = 8 firings re-timed (of 23).
   */
  it('M = {snk} at cut 3, its slots freed for mid no later than mid writes (one exactly then): 8 firings re-timed; equals a re-run: 23 cycles', () => {
    const got = againstRerun(memChain({ n: 7, srcII: 1, srcLat: 1, d1: 2, midII: 3, midLat: 0, midUnits: 1, snkII: 4, zN: 1, zII: 3, cap: 3, zRequests: 2 }), { iiCycles: { snk: 3 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[0], got.busyCycles[2]]).toEqual([23, 8, 8, 21]);
  });
});


/**
 * srcA (n firings, II aII) -> ta -> x (II 1, latency xLat) -> xa -> J <- yb <- Y (n firings, II
 * 1, latency yLat); J (II 1, latency 0) -> jo -> out (II outII). Beside them srcB (nB firings,
 * II 1) -> bq (depth 2) -> sinkB (II 1). Depths as given.
 */
function joinGraph(x: { n: number; aII: number; xLat: number; yLat: number; outII: number; ta: number; xa: number; yb: number; jo: number; nB: number }): Graph {
  const g = new GraphBuilder('join-frozen');
  const ta = g.stream('ta', { depth: x.ta, widthBytes: 4 });
  const xa = g.stream('xa', { depth: x.xa, widthBytes: 4 });
  const yb = g.stream('yb', { depth: x.yb, widthBytes: 4 });
  const jo = g.stream('jo', { depth: x.jo, widthBytes: 4 });
  const bq = g.stream('bq', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'srcA', count: x.n, widthBytes: 4, cost: { iiCycles: x.aII, latencyCycles: 0 } }), { out: { out: ta } });
  g.invoke({ name: 'x', firings: x.n, inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: x.xLat } } satisfies ActorSpec, { in: { in: ta }, out: { out: xa } });
  g.invoke(sourceActor({ name: 'Y', count: x.n, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: x.yLat } }), { out: { out: yb } });
  g.invoke({ name: 'J', firings: x.n, inputs: { a: port, b: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { a: xa, b: yb }, out: { out: jo } });
  g.invoke({ name: 'out', firings: x.n, inputs: { in: port }, cost: { iiCycles: x.outII, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: jo } });
  g.invoke(sourceActor({ name: 'srcB', count: x.nB, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: bq } });
  g.invoke({ name: 'sinkB', firings: x.nB, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: bq } });
  return g.build();
}

describe('partial re-timing whose earlier tokens reach a join (frozen in the base) no later than its other input (x latency 3 -> 1)', () => {
  /*
   * n 3, srcA II 2, x latency 3, Y latency 3, out II 3; ta, xa depth 2, yb, jo depth 1.
   * Both runs: srcA writes ta_j at 2j, x reads it then. Y writes yb_0 at 3; yb_1, due 4, waits for
   * yb_0's slot (J reads it at 3, free at 5): frozen [4, 5); yb_2 (started at 2, due 5 + 1)
   * waits for yb_1's (read at 5): frozen [6, 7). J starts at 3, 5, 7 (yb_j) and writes jo_j then;
   * jo_2 waits for jo_1's slot (out, II 3, reads at 3, 6): J frozen [7, 8); out reads jo_2 at 9:
   * 12 cycles.
   * Base (x latency 3): xa_j at 2j + 3, the cycle yb_j lands. Probe (x latency 1): xa_j at 2j +
   * 1, before yb_j: J's starts do not move; the same 12 cycles and attribution.
   * The probe resumes at cut 0 (x's first start); round [0, 1) starts the firing 0 of srcA, x,
   * Y, srcB and sinkB (5). At cut 1 only x differs (its write pending at 1, base 3): M = {x}, 2 of
   * the 32 firings left. x's tokens reach J at 2j + 1 (base 2j + 3); J froze in the base, but its
   * start also waits for yb_j, which Y (following the base) writes at 2j + 3: no later than
   * either cycle of xa_j, so xa_j decides nothing: J follows the base. 5 + 2 = 7 firings
   * re-timed (of 37).
   */
  it('M = {x} at cut 1, its tokens hidden behind Y\'s at a join that froze: 7 firings re-timed; equals a re-run: 12 cycles, J frozen 1, Y frozen 2', () => {
    const got = againstRerun(joinGraph({ n: 3, aII: 2, xLat: 3, yLat: 3, outII: 3, ta: 2, xa: 2, yb: 1, jo: 1, nB: 11 }), { latencyCycles: { x: 1 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[3], got.stalledFullCycles[2]]).toEqual([12, 7, 1, 2]);
  });
});

describe('partial re-timing whose later tokens reach a join (frozen in the base) in the cycle its other input lands (Y latency 1 -> 2)', () => {
  /*
   * n 4, srcA II 1, x latency 2, out II 4; ta, xa, yb depth 3, jo depth 2.
   * Both runs: srcA writes ta_j at j, x reads it then and writes xa_j at j + 2. J starts at j + 2
   * and writes jo_j then; out reads jo at 2, 6, 10, 14; jo_3, due 5, waits for jo_1's slot (free
   * at 8): J frozen [5, 8). 18 cycles (out's last read 14 + II 4).
   * Base (Y latency 1): yb_j at j + 1, before xa_j. Probe (Y latency 2): yb_j at j + 2, with xa_j:
   * J's starts do not move; the same 18 cycles and attribution.
   * The probe resumes at cut 0 (Y's first start); round [0, 1) starts the firing 0 of srcA, x,
   * Y, srcB and sinkB (5). At cut 1 only Y differs (its write pending at 2, base 1): M = {Y}, 3 of
   * the 39 firings left. Y's tokens reach J one cycle later than in the base, but J's start waits
   * for xa_j from x (following the base) as well, written at j + 2: the new cycle of yb_j is not
   * after it, nor was the base's: yb_j decides nothing, J follows the base. 5 + 3 = 8 firings
   * re-timed (of 44).
   */
  it('M = {Y} at cut 1, its tokens landing with x\'s at a join that froze: 8 firings re-timed; equals a re-run: 18 cycles, J frozen 3', () => {
    const got = againstRerun(joinGraph({ n: 4, aII: 1, xLat: 2, yLat: 1, outII: 4, ta: 3, xa: 3, yb: 3, jo: 2, nB: 12 }), { latencyCycles: { Y: 2 } });
    expect([got.cycles, got.firingsRetimed, got.stalledFullCycles[3]]).toEqual([18, 8, 3]);
  });
});
