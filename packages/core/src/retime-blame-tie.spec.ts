import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, runGraph, type Graph } from './index.js';

/**
 * A depth change that moves no cycle can still move which FIFO a freeze is charged to (found while
 * testing retime-trailing.ts for issue 23, session 10; fixed in session 11 in
 * retime-fifo-effect.ts): a probe that found nothing to re-time returned the base's frozen cycles
 * per FIFO. A slot that comes free exactly when a frozen write lands is now an effect.
 *
 * src (2 firings, II 1, latency 0) writes a (f0) and b (f1, depth 1) in each firing; A and B (II 1)
 * read them. Base, f0 depth 2: a_0 and b_0 land at 0 and are read at 0; src's firing 1 (at 1)
 * waits for b_0's slot (free from 2; f0 has a second slot): frozen [1, 2), charged to f1. With f0
 * at depth 1, a_0's slot comes free at 2 too: a tie, and the engine charges the freeze to the first
 * of equals, f0 (writes.ts, resolveDeferred; the sweep does the same). Cycles and every actor's
 * attribution are unchanged (3 cycles; src busy 2, frozen 1). The probe finds that the change moves
 * no write, so it used to return the base's books (1 frozen cycle on f1, not f0); it now re-times
 * from the freeze at 1.
 */
function tie(f0Depth: number): Graph {
  const port = { widthBytes: 4 };
  const g = new GraphBuilder('blame-tie');
  const f0 = g.stream('f0', { depth: f0Depth, widthBytes: 4 });
  const f1 = g.stream('f1', { depth: 1, widthBytes: 4 });
  g.invoke({ name: 'src', firings: 2, outputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { a: f0, b: f1 } });
  g.invoke({ name: 'A', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: f0 } });
  g.invoke({ name: 'B', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: f1 } });
  return g.build();
}

describe('retime: a freeze whose blame moves on a tie (f0 depth 2 -> 1)', () => {
  it('the engine: 3 cycles either way; the freeze [1, 2) is charged to f1 at depth 2, to f0 at depth 1', () => {
    expect([runGraph(tie(2)).cycles, ...runGraph(tie(2)).summary.fifos.map((f) => f.fullStallCycles)]).toEqual([3, 0, 1]);
    expect([runGraph(tie(1)).cycles, ...runGraph(tie(1)).summary.fifos.map((f) => f.fullStallCycles)]).toEqual([3, 1, 0]);
    // A sweep from the start under the change agrees with the engine.
    const sweep = new Retimer(runGraph(tie(2), { record: true }).recording!, { fifoDepths: { f0: 1 } }, { checkpoints: false }).baseRun!;
    expect([...sweep.stalledFullByFifo]).toEqual([1, 0]);
  });

  it('a probe re-times from the freeze and charges it to f0, as the engine does', () => {
    const got = new Retimer(runGraph(tie(2), { record: true }).recording!).retime({ fifoDepths: { f0: 1 } });
    if (typeof got === 'string') throw new Error(got);
    expect(runGraph(applyChanges(tie(2), { fifoDepths: { f0: 1 } })).summary.fifos.map((f) => f.fullStallCycles)).toEqual([1, 0]);
    expect([...got.stalledFullByFifo]).toEqual([1, 0]);
  });
});
