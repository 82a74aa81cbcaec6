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

  it('a frozen actor starts no firing, even when its input lands during the freeze', () => {
    // src -> a (depth 1) -> mid -> b (depth 1) -> sink (II 1); src and mid: 3 firings, II 1,
    // latencies 3, 0, 0 (the short ones queue behind the first).
    //  - src writes t0, t1, t2 all due at 3: t0 lands at 3 and mid reads it at 3 (a's slot free
    //    from 5); t1 freezes src over [3, 5) and lands at 5 (t2 moves to 5); mid reads t1 at 5
    //    (free from 7); t2 freezes src over [5, 7) and lands at 7. src retires at 7.
    //  - mid: f0 at 3 writes b at 6, f1 at 5 queues behind it: 6. t0' lands at 6, read by the
    //    sink at 6 (b free from 8); t1' freezes mid over [6, 8). a's t2 lands at 7, inside the
    //    freeze: mid starts f2 only when it thaws, at 8 (its next start moved from 6 to 8).
    //    t1' lands at 8 and is read at 8 (free from 10); f2's write (8) freezes mid over
    //    [8, 10), which moves f2's busy cycle to [10, 11); t2' lands at 10, read at 10.
    //  - The run ends at 11. mid: busy 3, starved [0, 3) and [4, 5), frozen 4, idle 0.
    const g = new GraphBuilder('frozen');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    const lat = [3, 0, 0];
    const cost = (f: { index: number }) => ({ iiCycles: 1, latencyCycles: lat[f.index]! });
    g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: 3, cost }, { out: { out: a } });
    g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(11);
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([6, 8, 10]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledFullCycles, x.stalledEmptyCycles, x.idleCycles])).toEqual([
      ['src', 3, 4, 0, 4],
      ['mid', 3, 4, 4, 0],
      ['sink', 3, 0, 8, 0],
    ]);
    // mid's intervals in time order (they tile [0, 11)).
    const mid = r.events.flatMap((e) => (e.kind === 'actor' && e.actor === 'mid' ? [[e.state, e.startCycle, e.endCycle] as const] : [])).sort((x, y) => x[1] - y[1]);
    expect(mid).toEqual([
      ['stalled-empty', 0, 3],
      ['busy', 3, 4],
      ['stalled-empty', 4, 5],
      ['busy', 5, 6],
      ['stalled-full', 6, 8],
      ['stalled-full', 8, 10],
      ['busy', 10, 11],
    ]);
  });
});
