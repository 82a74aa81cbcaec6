import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, suggestFifoDepths } from './index.js';

/**
 * Occupancy figures of deep FIFOs (more than 8 slots: counted by binary search over the ring
 * instead of a scan; issue 23: survivors of mutation testing in fifo.ts), derived by hand.
 * src writes n tokens at II 1 (token k at k, latency 0); snk reads one per 2 cycles (token j at
 * 2j). At the write of token k: earlier tokens read at or after k are held (reads follow writes
 * within a cycle), and those read after k - 2 keep their slot from reuse. So
 *   held(k) = 1 + #{j < k : 2j >= k},   stall-free(k) = 1 + #{j < k : 2j > k - 2}.
 * For n = 20, the largest are at k = 19: held 1 + #{10..18} = 10, stall-free 1 + #{9..18} = 11.
 * Reads at 0, 2, .., 38: the run ends at 40.
 */
function pair(n: number, depth: number) {
  const g = new GraphBuilder('deep');
  const a = g.stream('a', { depth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4 }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: { iiCycles: 2, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

describe('deep FIFOs: peak occupancy and stall-free depth (hand-derived)', () => {
  it.each([16, 11, 64])('depth %i (the ring wraps around for 20 tokens in 16 or 11 slots): held 10, stall-free 11, no stall', (depth) => {
    const r = runGraph(pair(20, depth));
    expect(r.cycles).toBe(40);
    expect(r.summary.fifos).toEqual([{ fifo: 'a', depth, tokens: 20, maxOccupancy: 10, stallFreeDepth: 11, fullStallCycles: 0, emptyStallCycles: 0 }]);
  });

  it('12 tokens: held 6 and stall-free 7 (at k = 11: j = 6..10 and 5..10), the same in 9 slots as in 8 (a scan)', () => {
    for (const depth of [9, 8, 32]) {
      const f = runGraph(pair(12, depth)).summary.fifos[0]!;
      expect([depth, f.maxOccupancy, f.stallFreeDepth]).toEqual([depth, 6, 7]);
    }
  });

  it('suggestFifoDepths agrees: 11 for 20 tokens, 7 for 12', () => {
    expect(suggestFifoDepths(pair(20, 1))).toEqual([{ fifo: 'a', depth: 1, suggestedDepth: 11 }]);
    expect(suggestFifoDepths(pair(12, 2))).toEqual([{ fifo: 'a', depth: 2, suggestedDepth: 7 }]);
  });

  it('one slot too few: depth 10 for 20 tokens stalls the source', () => {
    // Token 19 (due 19) needs token 9's slot: read at 18, free from 20: 1 frozen cycle; token
    // 18 (due 18) needs token 8's, read at 16, free from 18: no stall. src finishes 1 cycle late
    // but the sink still reads token 19 at 38: the run's cycles do not change.
    const r = runGraph(pair(20, 10));
    expect(r.cycles).toBe(40);
    expect(r.summary.fifos[0]).toMatchObject({ maxOccupancy: 10, fullStallCycles: 1 });
    expect(r.summary.actors[0]).toMatchObject({ busyCycles: 20, stalledFullCycles: 1 });
  });
});
