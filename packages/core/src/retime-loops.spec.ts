import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, retime, retimeTokens, runGraph, type ExactRetime, type Graph, type RetimeChanges, type RunResult } from './index.js';

/**
 * Re-timing graphs with loops (issue 23: mutation testing of the re-timing files): a self-loop
 * (an accumulator's state FIFO, one initial token, whose slot is free again the cycle it is read:
 * no 2-cycle turnaround) and a credit ring (initial tokens on a FIFO written downstream and read
 * upstream). The property tests of retime.spec draw neither.
 *
 * src (n firings) -> 'in' -> acc -> 'd' -> q -> 'out' -> sink. acc reads 'st' (its own state,
 * depth 1, 1 initial token; it writes the next state on every firing but the last) and one
 * credit of 'c' (K initial tokens, depth K) per firing; q returns a credit on its firings
 * 0 .. n - K - 1 (the last K credits would stay unread).
 */
interface Costs {
  srcIi: number;
  srcLat: number;
  accIi: number;
  accLat: number;
  qIi: number;
  qLat: number;
}
function loops(n: number, k: number, c: Costs, depths: { in: number; d: number; out: number }): Graph {
  const g = new GraphBuilder('loops');
  const port = { widthBytes: 4 };
  const fin = g.stream('in', { depth: depths.in, widthBytes: 4 });
  const st = g.stream('st', { depth: 1, widthBytes: 4, initialTokens: 1 });
  const credit = g.stream('c', { depth: k, widthBytes: 4, initialTokens: k });
  const d = g.stream('d', { depth: depths.d, widthBytes: 4 });
  const out = g.stream('out', { depth: depths.out, widthBytes: 4 });
  g.invoke({ name: 'src', firings: n, outputs: { out: port }, cost: { iiCycles: c.srcIi, latencyCycles: c.srcLat } }, { out: { out: fin } });
  g.invoke(
    { name: 'acc', firings: n, inputs: { in: port, st: port, credit: port }, outputs: { st: port, d: port }, writes: (i) => (i < n - 1 ? ['st', 'd'] : ['d']), cost: { iiCycles: c.accIi, latencyCycles: c.accLat } },
    { in: { in: fin, st, credit }, out: { st, d } },
  );
  g.invoke({ name: 'q', firings: n, inputs: { in: port }, outputs: { out: port, credit: port }, writes: (i) => (i < n - k ? ['out', 'credit'] : ['out']), cost: { iiCycles: c.qIi, latencyCycles: c.qLat } }, { in: { in: d }, out: { out, credit } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: out } });
  return g.build();
}

function attribution(x: ExactRetime): number[][] {
  return [...x.busyCycles].map((b, a) => [b, x.stalledEmptyCycles[a]!, x.stalledFullCycles[a]!, x.stalledContentionCycles[a]!, x.resourceBoundCycles[a]!, x.idleCycles[a]!]);
}
function summaryOf(r: RunResult): number[][] {
  return r.summary.actors.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.stalledContentionCycles, s.resourceBoundCycles, s.idleCycles]);
}

const fast: Costs = { srcIi: 1, srcLat: 0, accIi: 1, accLat: 3, qIi: 1, qLat: 0 };

describe('retime: a self-loop and a credit ring, by hand', () => {
  // n = 5, K = 5 credits (never short), every FIFO deep (4). acc's firing k + 1 needs the state
  // token its firing k writes at t_k + latency (read the same cycle; its self-loop slot, read by
  // firing k at t_k, is free at once): t_k = k * max(II 1, latency). q reads d_k at t_k + latency
  // and writes out; the sink reads it then. Latency 3: the last out at 12 + 3 = 15, 16 cycles.
  const graph = loops(5, 5, fast, { in: 4, d: 4, out: 4 });
  const rec = runGraph(graph, { record: true }).recording!;

  it("acc's latency 3 (recorded): 16 cycles; latency 1: t_k = k, last out at 5, 6 cycles; latency 0: 5 cycles", () => {
    expect(rec.cycles).toBe(16);
    expect(retime(rec).cycles).toBe(16);
    // Latency 1 (a 2-cycle slot turnaround on the self-loop would freeze every state write 1 cycle).
    const one = retime(rec, { latencyCycles: { acc: 1 } });
    expect([one.exact, one.cycles]).toEqual([true, 6]);
    if (one.exact) expect([...one.stalledFullCycles]).toEqual([0, 0, 0, 0]);
    expect(retime(rec, { latencyCycles: { acc: 0 } }).cycles).toBe(5);
    // The state tokens: the initial one read at 0, token j written and read at j (latency 1).
    const tokens = retimeTokens(rec, { latencyCycles: { acc: 1 } });
    if (typeof tokens === 'string') throw new Error(tokens);
    const st = [tokens.fifoBase[1]!, tokens.fifoBase[2]!];
    expect([...tokens.written.subarray(st[0]! + 1, st[1])]).toEqual([1, 2, 3, 4]);
    expect([...tokens.read.subarray(st[0], st[1])]).toEqual([0, 1, 2, 3, 4]);
  });

  it("one credit (K = 1): acc's firing k + 1 reads the credit q returns for d_k; its slot (read by acc at t_k) is free from t_k + 2", () => {
    const ring = loops(5, 1, fast, { in: 4, d: 4, out: 4 });
    const r1 = runGraph(ring, { record: true }).recording!;
    // Recorded (acc latency 3, q latency 0): d_k at t_k + 3, q returns the credit then (its slot
    // free since t_k + 2): t_k = 3k as with 5 credits, 16 cycles.
    expect(r1.cycles).toBe(16);
    // acc latency 1, q latency 2: d_k at t_k + 1, the credit at t_k + 3: t_k = 3k; q's last out at
    // 12 + 1 + 2 = 15, read then: 16 cycles.
    expect(retime(r1, { latencyCycles: { acc: 1, q: 2 } }).cycles).toBe(16);
    // Latency 0 for both: q reads d_0 at 0; its credit is due at 0 but the slot (the initial
    // credit, read by acc at 0) is free only from 2: q freezes [0, 2), writing out_0 and credit 1
    // at 2, and the freeze moves its open II: next start 3. acc reads the credit at 2: t_1 = 2.
    // From then on q reads d_k at 2k + 1, its credit is due then, the slot (read by acc at 2k) is
    // free at 2k + 2: frozen 1 cycle, written at 2k + 2 = t_{k+1}. Frozen 2 + 1 + 1 + 1 = 5 cycles
    // on 'c' (4 credits). q reads d_4 at 9 and writes out_4 (no credit) then: 10 cycles.
    const x = retime(r1, { latencyCycles: { acc: 0, q: 0 } });
    expect(x.cycles).toBe(10);
    if (!x.exact) throw new Error(x.reason);
    expect([...x.stalledFullCycles]).toEqual([0, 0, 5, 0]);
    expect(attribution(x)).toEqual(summaryOf(runGraph(applyChanges(ring, { latencyCycles: { acc: 0, q: 0 } }))));
    const tokens = retimeTokens(r1, { latencyCycles: { acc: 0, q: 0 } });
    if (typeof tokens === 'string') throw new Error(tokens);
    const fifo = (times: Float64Array, f: number) => [...times.subarray(tokens.fifoBase[f], tokens.fifoBase[f + 1])];
    // 'c' (FIFO 2): the initial credit and the four returned at 2, 4, 6, 8, read at 0, 2, 4, 6, 8.
    expect([fifo(tokens.written, 2).slice(1), fifo(tokens.read, 2)]).toEqual([
      [2, 4, 6, 8],
      [0, 2, 4, 6, 8],
    ]);
    // 'd' (FIFO 3): written at t_k = 2k, read at 0, 3, 5, 7, 9; 'out' written at 2, 4, 6, 8, 9.
    expect([fifo(tokens.written, 3), fifo(tokens.read, 3), fifo(tokens.written, 4)]).toEqual([
      [0, 2, 4, 6, 8],
      [0, 3, 5, 7, 9],
      [2, 4, 6, 8, 9],
    ]);
    expect([...tokens.stalledFullByFifo]).toEqual([0, 0, 5, 0, 0]);
  });
});

describe('retime: property (fixed seed) on self-loop and credit-ring graphs against full re-runs', () => {
  const costsArb = fc.record({
    srcIi: fc.integer({ min: 1, max: 3 }),
    srcLat: fc.integer({ min: 0, max: 4 }),
    accIi: fc.integer({ min: 1, max: 3 }),
    accLat: fc.integer({ min: 0, max: 4 }),
    qIi: fc.integer({ min: 1, max: 3 }),
    qLat: fc.integer({ min: 0, max: 4 }),
  });
  const changeArb = fc.record({
    kind: fc.constantFrom('depth', 'latency', 'ii', 'credits', 'both'),
    fifo: fc.constantFrom('in', 'd', 'out'),
    depth: fc.integer({ min: 1, max: 5 }),
    actor: fc.constantFrom('src', 'acc', 'q'),
    lat: fc.integer({ min: 0, max: 5 }),
    ii: fc.integer({ min: 1, max: 3 }),
  });

  it('cycles and every attribution field equal a full re-run, from the recorded run and from a deep base', () => {
    let exact = 0;
    let total = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        costsArb,
        fc.record({ in: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 3 }), out: fc.integer({ min: 1, max: 3 }) }),
        changeArb,
        (n, k0, costs, depths, c) => {
          const k = Math.min(k0, n);
          const graph = loops(n, k, costs, depths);
          const base = runGraph(graph, { record: true, collectSinks: false });
          const ch: RetimeChanges = {
            ...(c.kind === 'depth' || c.kind === 'both' ? { fifoDepths: { [c.fifo]: c.depth } } : {}),
            ...(c.kind === 'credits' ? { fifoDepths: { c: k + c.depth } } : {}),
            ...(c.kind === 'latency' || c.kind === 'both' ? { latencyCycles: { [c.actor]: c.lat } } : {}),
            ...(c.kind === 'ii' ? { iiCycles: { [c.actor]: c.ii } } : {}),
          };
          const want = runGraph(applyChanges(graph, ch), { collectSinks: false });
          const got = retime(base.recording!, ch);
          total++;
          expect(got.cycles).toBe(want.cycles);
          if (got.exact) {
            exact++;
            expect(attribution(got)).toEqual(summaryOf(want));
          }
          // From a base with every FIFO but the loops deep (FIFO sizing's path).
          const deep = { in: 32, d: 32, out: 32 };
          const probe = new Retimer(base.recording!, { fifoDepths: deep }).retime(ch);
          const wantDeep = runGraph(applyChanges(graph, { ...ch, fifoDepths: { ...deep, ...ch.fifoDepths } }), { collectSinks: false });
          expect(typeof probe === 'string' ? probe : [probe.cycles, [...probe.stalledFullCycles], [...probe.stalledEmptyCycles], [...probe.busyCycles]]).toEqual([
            wantDeep.cycles,
            wantDeep.summary.actors.map((s) => s.stalledFullCycles),
            wantDeep.summary.actors.map((s) => s.stalledEmptyCycles),
            wantDeep.summary.actors.map((s) => s.busyCycles),
          ]);
        },
      ),
      { seed: 23, numRuns: 200 },
    );
    // No shared resource: every draw is exact.
    expect(exact).toBe(total);
  });
});
