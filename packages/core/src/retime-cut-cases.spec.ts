import { describe, expect, it } from 'vitest';
import { GraphBuilder, sourceActor, type ActorSpec, type Graph } from './index.js';
import { againstRerun } from '../test-support/retime-compare.js';

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

/**
 * q (m firings, II qII) -> g (depth 1) -> p (n firings, II pII, latency pLat; reads g in its
 * first m firings) -> a (depth aDepth) -> sink (n firings, II sinkII, latency 0; reads a, and in
 * its firing bAt also the start token b that s (1 firing, latency sLat) writes) -> o (depth
 * oDepth) -> fin (n firings, II 1, latency 0).
 */
function startToken(x: { m: number; n: number; qII: number; pII: number; pLat: number; sinkII: number; aDepth: number; oDepth: number; sLat: number; bAt?: number }): Graph {
  const bAt = x.bAt ?? 0;
  const g = new GraphBuilder('start-token');
  const gq = g.stream('g', { depth: 1, widthBytes: 4 });
  const a = g.stream('a', { depth: x.aDepth, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  const o = g.stream('o', { depth: x.oDepth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: x.sLat } }), { out: { out: b } });
  g.invoke(sourceActor({ name: 'q', count: x.m, widthBytes: 4, cost: { iiCycles: x.qII, latencyCycles: 0 } }), { out: { out: gq } });
  g.invoke({ name: 'p', firings: x.n, inputs: { in: port }, outputs: { out: port }, reads: (i) => (i < x.m ? ['in'] : []), cost: { iiCycles: x.pII, latencyCycles: x.pLat } } satisfies ActorSpec, { in: { in: gq }, out: { out: a } });
  g.invoke({ name: 'sink', firings: x.n, inputs: { a: port, b: port }, outputs: { out: port }, reads: (i) => (i === bAt ? ['a', 'b'] : ['a']), cost: { iiCycles: x.sinkII, latencyCycles: 0 } } satisfies ActorSpec, { in: { a, b }, out: { out: o } });
  g.invoke({ name: 'fin', firings: x.n, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: o } });
  return g.build();
}

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
