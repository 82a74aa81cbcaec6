import { describe, expect, it } from 'vitest';
import { GraphBuilder, applyChanges, runGraph, sizeFifos, type Graph } from './index.js';

/**
 * FIFOs in series sized one at a time can deadlock together (found by fifo-sizing-reference.spec:
 * sizeFifos threw the engine's DeadlockError from its joint run). Rules: core README, "FIFOs" (a
 * latency-0 write is read the same cycle; a slot freed by a read at r takes a write from r + 2; a
 * write that finds no slot freezes the producer's pipeline, holding its token).
 *
 * src (8 firings, II 1, latency 0) writes a0..a3 on 'f0' (firings 0-3), then b0..b3 on 'f1'
 * (firings 4-7); mid (II 1, latency 0) passes f0 to 'f2'; join reads one token of f2 and one of
 * f1 per firing and writes 'f3'; sink reads f3. join's first firing needs b0, so a0..a3 must all
 * be held on the a-path first: f0, f2 and mid's frozen pipeline hold depth(f0) + depth(f2) + 1.
 *
 * Unbounded (every FIFO 64): a_k written and read by mid at k, into f2; b_k written at 4 + k, and
 * join reads a_k, b_k at 4 + k; sink reads at 4 + k, the last at 7: 8 cycles. Stall-free depths
 * (earlier tokens whose slot is still busy at a write W: read after W - 2): f0 a_{j-1} read at
 * j - 1 > j - 2: 2; f2 every earlier a read at 4 + k > j - 2: 4 (at a3); f1 and f3 as f0: 2.
 * With tolerance 100 the bound is floor(8 * 101) = 808: each FIFO at depth 1 with the others
 * unbounded runs in 11 cycles (no deadlock: the unbounded others hold the a-tokens), so every
 * independent depth is 1 (one probe each).
 */
function leadGraph(depths: readonly number[]): Graph {
  const g = new GraphBuilder('lead');
  const port = { widthBytes: 4 };
  const [f0, f1, f2, f3] = ['f0', 'f1', 'f2', 'f3'].map((n, i) => g.stream(n, { depth: depths[i]!, widthBytes: 4 }));
  g.invoke({ name: 'src', firings: 8, outputs: { a: port, b: port }, writes: (i) => [i < 4 ? 'a' : 'b'], cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { a: f0!, b: f1! } });
  g.invoke({ name: 'mid', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: f0! }, out: { out: f2! } });
  g.invoke({ name: 'join', inputs: { a: port, b: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { a: f2!, b: f1! }, out: { out: f3! } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: f3! } });
  return g.build();
}

describe('sizeFifos: a joint run that deadlocks', () => {
  it('independent depths 1 deadlock together (a0..a3 need 4 places, f0 + f2 + mid hold 3): the joint run is over the bound, every FIFO below its stall-free depth doubles to 2 (8 cycles)', () => {
    const rec = runGraph(leadGraph([4, 4, 4, 4]), { record: true }).recording!;
    // Every FIFO at 1 at once: a0 at 0 (through mid into f2), a1 at 2 (f0's slot, read at 0, free
    // from 2), mid takes a1 at 2 and freezes on full f2 (a0 waits for b0); a2 at 4 fills f0 and a3
    // never finds a slot: nothing can move.
    expect(() => runGraph(leadGraph([1, 1, 1, 1]))).toThrow(/deadlock/);
    const s = sizeFifos(rec, { tolerance: 100 });
    expect([s.unboundedCycles, s.boundCycles, s.recordedCycles]).toEqual([8, 808, 8]);
    // The joint run at 1, 1, 1, 1 deadlocks (Infinity); at 2, 2, 2, 2: a0, a1 go through mid into
    // f2 at 0, 1; mid takes a2 at 2 and freezes on full f2 until join reads a0 (with b0) at 4,
    // slot free at 6: mid frozen [2, 6), 4 cycles charged to f2; a3 waits in f0; join reads
    // a_k, b_k at 4 + k as unbounded (a2 written at 6, a3 by mid at 7): 8 cycles, within the bound.
    expect([s.jointRounds, s.independentCycles, s.chosenCycles, s.jointRunsDeadlocked]).toEqual([[Infinity, 8], Infinity, 8, 1]);
    expect(s.fifos.map((f) => [f.fifo, f.stallFreeDepth, f.independentDepth, f.chosenDepth, f.stalledFullCyclesBefore, f.stalledFullCyclesAfter])).toEqual([
      ['f0', 2, 1, 2, 0, 0],
      ['f1', 2, 1, 2, 0, 0],
      ['f2', 4, 1, 2, 0, 4],
      ['f3', 2, 1, 2, 0, 0],
    ]);
    // Four probes (depth 1 each) and two joint runs; no probe deadlocked on its own.
    expect([s.retimings, s.deadlockedProbes, s.undecidedProbes, s.jointRunsEmulated]).toEqual([6, 0, 0, 0]);
    // The engine agrees on the chosen depths.
    const full = runGraph(applyChanges(rec.graph, { fifoDepths: { f0: 2, f1: 2, f2: 2, f3: 2 } }));
    expect([full.cycles, full.summary.fifos.map((f) => f.fullStallCycles)]).toEqual([8, [0, 0, 4, 0]]);
  });
});
