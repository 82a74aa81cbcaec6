import { describe, expect, it } from 'vitest';
import { GraphBuilder, applyChanges, runGraph, sizeFifos, type Graph } from './index.js';

/**
 * FIFO sizing where a probe cannot be decided from the recording (issue 23: mutation testing of
 * the re-timing files): s (latency 2) feeds q, r (latency 0) feeds p, four firings each, through
 * depth-1 FIFOs; q (II 3) and p (II 1) each ask 1 unit of the 1-unit/cycle memory per firing.
 * With the FIFOs unbounded, the run reorders the grants of the recorded one, so it is emulated in
 * full and recorded once (unboundedRecorded); probing 'fr' at depth 1 against it moves one of p's
 * requests onto the cycle of one of q's, a tie the unbounded run did not show: undecided, counted
 * as too shallow (so 'fr' gets its stall-free depth).
 */
function twoRequesters(): Graph {
  const g = new GraphBuilder('two-requesters');
  g.resource({ name: 'mem', unitsPerCycle: 1 });
  const port = { widthBytes: 4 };
  const fs = g.stream('fs', { depth: 1, widthBytes: 4 });
  const fr = g.stream('fr', { depth: 1, widthBytes: 4 });
  const mem = [{ resource: 'mem', units: 1 }];
  g.invoke({ name: 's', firings: 4, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 2 } }, { out: { out: fs } });
  g.invoke({ name: 'r', firings: 4, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { out: fr } });
  g.invoke({ name: 'q', inputs: { in: port }, resources: ['mem'], cost: { iiCycles: 3, latencyCycles: 0, requests: mem } }, { in: { in: fs } });
  g.invoke({ name: 'p', inputs: { in: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: mem } }, { in: { in: fr } });
  return g.build();
}

describe('sizeFifos: an undecidable probe', () => {
  it('counts it, gives the first as an example, and sizes that FIFO deep; the chosen run is the engine\'s', () => {
    const graph = twoRequesters();
    const s = sizeFifos(runGraph(graph, { record: true }).recording!);
    expect([s.unboundedRecorded, s.undecidedProbes, s.deadlockedProbes, s.jointRunsEmulated, s.jointRunsDeadlocked]).toEqual([true, 1, 0, 0, 0]);
    expect(s.undecidedExample).toBe("FIFO 'fr' at depth 1: resource 'mem': 'q' and 'p' would request in the same cycle 2 (arbitration order not in the recording)");
    expect(s.fifos.map((f) => [f.fifo, f.stallFreeDepth, f.independentDepth, f.chosenDepth])).toEqual([
      ['fs', 3, 1, 1],
      ['fr', 2, 2, 2],
    ]);
    // Two probes (fs at 1, fr at 1) and one joint run.
    expect(s.retimings).toBe(3);
    const unbounded = runGraph(applyChanges(graph, { fifoDepths: { fs: 5, fr: 5 } }));
    const chosen = runGraph(applyChanges(graph, { fifoDepths: { fs: 1, fr: 2 } }));
    expect([s.unboundedCycles, s.boundCycles, s.chosenCycles, s.jointRounds]).toEqual([unbounded.cycles, Math.floor(unbounded.cycles * 1.01), chosen.cycles, [chosen.cycles]]);
    expect(s.fifos.map((f) => f.stalledFullCyclesAfter)).toEqual(chosen.summary.fifos.map((f) => f.fullStallCycles));
  });
});
