import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, sinkActor, sourceActor, suggestFifoDepths } from './index.js';

/**
 * suggestFifoDepths on a pair small enough to derive by hand (issue 23: survivors of mutation
 * testing in depths.ts). src writes 6 tokens at II 1, latency 0 (writes due at 0..5); snk reads
 * one per 4 cycles. FIFO rule (core README): a slot freed by a read at r takes a write from r + 2;
 * the stall-free depth of a write at w counts the token written, the earlier tokens still held,
 * and those read after w - 2 (slot not reusable yet), newest first.
 */
function pair(depth: number) {
  const g = new GraphBuilder('depths');
  const a = g.stream('a', { depth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 6, widthBytes: 4 }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: { iiCycles: 4, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

describe('suggestFifoDepths (hand-derived)', () => {
  it('unbounded: the least depth at which no write of the run stalls, beside the graph depth', () => {
    // Unbounded, token k is written at k and read at 4k. Token 5 (w = 5, reuse after 3): tokens
    // 4, 3, 2 (read 16, 12, 8) and 1 (read 4 > 3) keep their slots, token 0 (read 0) does not:
    // 1 + 4 = 5. Token 4 (w = 4, after 2): tokens 3, 2, 1 -> 4. Earlier tokens need fewer.
    expect(suggestFifoDepths(pair(1))).toEqual([{ fifo: 'a', depth: 1, suggestedDepth: 5 }]);
    // The graph's own depth is reported, not the depth of the unbounded run.
    expect(suggestFifoDepths(pair(3))).toEqual([{ fifo: 'a', depth: 3, suggestedDepth: 5 }]);
  });

  it('a FIFO that reaches the cap is reported at the cap', () => {
    // unboundedDepth 2: the run uses depth 2. Token 1 (w = 1): token 0 read at 0 > -1 keeps its
    // slot -> 2 = the cap; a depth-2 FIFO counts at most 2.
    expect(suggestFifoDepths(pair(1), { unboundedDepth: 2 })).toEqual([{ fifo: 'a', depth: 1, suggestedDepth: 2 }]);
    // A cap of 1 is valid: depth 1, so 1.
    expect(suggestFifoDepths(pair(1), { unboundedDepth: 1 })).toEqual([{ fifo: 'a', depth: 1, suggestedDepth: 1 }]);
  });

  it('a FIFO deeper than the cap keeps its own depth', () => {
    // Depth 4, cap 2: the run uses depth 4. Tokens 0..3 are written at 0..3 into fresh slots;
    // token 4 (w = 4, reuse after 2) finds tokens 3, 2 held and token 1 read at 4 > 2: 1 + 3 = 4,
    // the most a depth-4 FIFO counts (run at the cap 2 it would be 2).
    expect(suggestFifoDepths(pair(4), { unboundedDepth: 2 })).toEqual([{ fifo: 'a', depth: 4, suggestedDepth: 4 }]);
  });

  it('passes maxCycles to the run and rejects a cap that is not an integer >= 1', () => {
    // The unbounded run ends at 24 (the sink's 6th firing at 20 plus its II 4).
    expect(() => suggestFifoDepths(pair(1), { maxCycles: 10 })).toThrow(RunError);
    expect(() => suggestFifoDepths(pair(1), { maxCycles: 10 })).toThrow(/run exceeded maxCycles \(10\)/);
    expect(suggestFifoDepths(pair(1), { maxCycles: 24 })[0]!.suggestedDepth).toBe(5);
    expect(() => suggestFifoDepths(pair(1), { unboundedDepth: 2.5 })).toThrow('unboundedDepth must be an integer >= 1, got 2.5');
    expect(() => suggestFifoDepths(pair(1), { unboundedDepth: -1 })).toThrow('unboundedDepth must be an integer >= 1, got -1');
  });
});
