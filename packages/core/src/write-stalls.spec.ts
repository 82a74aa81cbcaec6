import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, type ActorStateEvent } from './index.js';

/**
 * A producer whose writes stall on a full depth-1 FIFO: the trace of each actor and the summary,
 * derived by hand from the FIFO rule (a write needs a slot freed at least 2 cycles earlier) and
 * the stall-pipeline rule (a stalled write freezes the firing; its busy interval moves past it).
 */
function build(srcCost: { iiCycles: number; latencyCycles: number }, sinkIi: number) {
  const g = new GraphBuilder('freeze');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: srcCost }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: sinkIi, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

function run(srcCost: { iiCycles: number; latencyCycles: number }, sinkIi: number) {
  const r = runGraph(build(srcCost, sinkIi), { trace: 'full' });
  const of = (actor: string) => r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.actor === actor).map((e) => [e.state, e.startCycle, e.endCycle, e.firing ?? e.fifo]);
  return { r, src: of('src'), sink: of('sink') };
}

describe('write stalls on a full FIFO: traces and figures', () => {
  it('latency 0 = II 1 into a slow reader (II 4): each write waits for the slot freed 2 cycles before', () => {
    // Token 0 written at 0, read at 0 (slot free again at 2). Firing 1 starts at 1; its write
    // waits until 2 (full 1-2), its busy cycle moves to 2-3. Token 1 is read at 4 (free at 6);
    // firing 2 starts at 3, its write waits until 6 (full 3-6), busy 6-7. The sink reads at 0,
    // 4, 8 and completes at 12.
    const { r, src, sink } = run({ iiCycles: 1, latencyCycles: 0 }, 4);
    expect(r.cycles).toBe(12);
    expect(src).toEqual([
      ['busy', 0, 1, 0],
      ['stalled-full', 1, 2, 'a'],
      ['busy', 2, 3, 1],
      ['stalled-full', 3, 6, 'a'],
      ['busy', 6, 7, 2],
      ['idle', 7, 12, undefined],
    ]);
    expect(sink).toEqual([
      ['busy', 0, 4, 0],
      ['busy', 4, 8, 1],
      ['busy', 8, 12, 2],
    ]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.stalledFullCycles, x.idleCycles])).toEqual([
      ['src', 3, 0, 4, 5],
      ['sink', 12, 0, 0, 0],
    ]);
    expect(r.summary.fifos).toEqual([{ fifo: 'a', depth: 1, tokens: 3, maxOccupancy: 1, stallFreeDepth: 1, fullStallCycles: 4, emptyStallCycles: 0 }]);
  });

  it('latency 1 < II 3: a write stalling inside the busy interval splits it around the freeze', () => {
    // Writes land at start + 1: token 0 at 1 (read at 1), token 1 at 4 (read at 7, when the
    // sink's II 6 lets it fire again: free at 9). Firing 2 starts at 6; its write at 7 waits
    // until 9: busy 6-7, full 7-9, and the rest of its II (2 cycles) is busy 9-11. The sink
    // waits for token 0 over 0-1, reads at 1, 7, 13 and completes at 19.
    const { r, src, sink } = run({ iiCycles: 3, latencyCycles: 1 }, 6);
    expect(r.cycles).toBe(19);
    expect(src).toEqual([
      ['busy', 0, 3, 0],
      ['busy', 3, 6, 1],
      ['busy', 6, 7, 2],
      ['stalled-full', 7, 9, 'a'],
      ['busy', 9, 11, 2],
      ['idle', 11, 19, undefined],
    ]);
    expect(sink).toEqual([
      ['stalled-empty', 0, 1, 'a'],
      ['busy', 1, 7, 0],
      ['busy', 7, 13, 1],
      ['busy', 13, 19, 2],
    ]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledEmptyCycles, x.stalledFullCycles, x.idleCycles])).toEqual([
      ['src', 9, 0, 2, 8],
      ['sink', 18, 1, 0, 0],
    ]);
    expect(r.summary.fifos[0]).toMatchObject({ tokens: 3, fullStallCycles: 2, emptyStallCycles: 1 });
    // The same run without a trace has the same figures.
    const plain = runGraph(build({ iiCycles: 3, latencyCycles: 1 }, 6));
    expect(plain.summary).toEqual(r.summary);
    expect(plain.events).toEqual([]);
  });
});
