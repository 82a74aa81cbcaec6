import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor } from './index.js';

/**
 * Writes stay in firing order across a freeze (writes.ts `thaw`): a freeze moves every planned
 * write, and the last planned write that later firings queue behind moves with it.
 */
describe('write order across a freeze', () => {
  it('a short-latency firing started after a freeze queues behind the moved write of a long one', () => {
    // src: 4 firings, II 1, latencies 3, 0, 3, 0, into a (depth 1); the sink reads at II 1.
    //  - f0 at 0 writes at 3; f1 at 1 (ready 1) queues behind it: 3; f2 at 2: 5.
    //  - At 3 t0 lands and the sink reads it at 3: the slot is free for a write from 5, so t1
    //    (due 3) freezes src over [3, 5) and f2's write moves to 7; src's next start moves from
    //    3 to 5. t1 lands at 5 and is read at 5 (free from 7).
    //  - f3 at 5 (ready 5) queues behind f2's moved write: 7, not 5. t2 lands at 7 (read at 7,
    //    free from 9), t3 (due 7) freezes src over [7, 9) and lands at 9, read at 9.
    // src: busy 4 (starts 0, 1, 2, 5), frozen 2 + 2 = 4, idle the rest of the 10 cycles: 2.
    // sink: reads at 3, 5, 7, 9 (busy 4), waits [0, 3) and one cycle before each later read: 6.
    const g = new GraphBuilder('order');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const lat = [3, 0, 3, 0];
    g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: 4, cost: (f) => ({ iiCycles: 1, latencyCycles: lat[f.index]! }) }, { out: { out: a } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: a } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(10);
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([3, 5, 7, 9]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledFullCycles, x.stalledEmptyCycles, x.idleCycles])).toEqual([
      ['src', 4, 4, 0, 2],
      ['sink', 4, 0, 6, 0],
    ]);
    expect(r.events.filter((e) => e.kind === 'actor' && e.actor === 'src' && e.state === 'stalled-full').map((e) => (e.kind === 'actor' ? [e.startCycle, e.endCycle] : []))).toEqual([
      [3, 5],
      [7, 9],
    ]);
  });
});
