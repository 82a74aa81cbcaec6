import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, suggestFifoDepths } from './index.js';

describe('suggestFifoDepths', () => {
  // A reader with 40 cycles of latency and II 4 needs ceil(40/4) + 1 = 11 tokens in flight to
  // stream at full rate: with depth 2 the consumer starves; the unbounded run peaks at 11.
  function latencyBound(depth: number) {
    const g = new GraphBuilder('latency-bound');
    const f = g.stream('f', { depth, widthBytes: 8 });
    g.invoke({ name: 'reader', outputs: { out: { widthBytes: 8 } }, firings: 100, cost: { iiCycles: 4, latencyCycles: 40 } }, { out: { out: f } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 8, cost: { iiCycles: 4, latencyCycles: 0 } }), { in: { in: f } });
    return g.build();
  }

  it('finds the depth that covers a producer latency, and that depth removes the stalls', () => {
    const [s] = suggestFifoDepths(latencyBound(2));
    expect(s).toEqual({ fifo: 'f', depth: 2, suggestedDepth: 11 });
    const shallow = runGraph(latencyBound(2));
    const sized = runGraph(latencyBound(11));
    expect(shallow.summary.fifos[0]!.fullStallCycles).toBeGreaterThan(0);
    expect(sized.summary.fifos[0]!.fullStallCycles).toBe(0);
    // Full rate: 100 tokens at II 4 + 40 latency + the sink's last II.
    expect(sized.cycles).toBe(99 * 4 + 40 + 4);
    // Depth 2: reader r_i = max(4i, c_{i-2}), sink c_i = max(r_i + 40, c_{i-1} + 4), so two
    // tokens per 40-cycle round trip: c_{2k} = 40(k+1), c_{2k+1} = 40(k+1) + 4; c_99 = 2004, +4.
    expect(shallow.cycles).toBe(2008);
  });
});
