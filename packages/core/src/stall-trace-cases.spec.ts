import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, type TraceEvent } from './index.js';

/**
 * Full traces of freezes (stalls.ts: `froze`, `retire`, `flushBusy`): each actor's state
 * intervals, in the order they are emitted, tile [0, cycles) with no gap, overlap or empty
 * interval. Every interval derived by hand below.
 */

/** Each actor's events without the `kind` field, in emission order. */
function byActor(events: readonly TraceEvent[], actor: string): unknown[] {
  return events.flatMap((e) => {
    if (e.kind !== 'actor' || e.actor !== actor) return [];
    const { kind: _kind, actor: _actor, ...rest } = e;
    return [rest];
  });
}

describe('freezes in a full trace', () => {
  it("a draining pipeline's freezes split its retired actor's idle time", () => {
    // src: 3 firings, II 1, latency 2, into a depth-1 FIFO f; the sink reads with II 3.
    // src fires at 0, 1, 2; token 0 is written at 2, tokens 1 and 2 are due at 3 and 4.
    // The sink waits for f over [0, 2), reads token 0 at 2 (busy [2, 5)): its slot is free for
    // a write from 2 + 2 = 4. Token 1 (due 3) freezes src over [3, 4) and every planned write
    // moves by 1: token 1 lands at 4, token 2 is due at 5, and src's next start moves from 3 to
    // 4, where it has reached its firing count: it retires at 4 (idle from 4, pipeline not yet
    // drained). The sink reads token 1 at 5 (busy [5, 8)); its slot is free from 7, so token 2
    // (due 5) freezes src over [5, 7), splitting the idle time: [4, 5), then [7, 11). The sink
    // reads token 2 at 8, busy [8, 11): the run ends at 11.
    const g = new GraphBuilder('drain');
    const f = g.stream('f', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 2 } }), { out: { out: f } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { in: { in: f } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(11);
    expect(byActor(r.events, 'src')).toEqual([
      { state: 'busy', startCycle: 0, endCycle: 1, firing: 0 },
      { state: 'busy', startCycle: 1, endCycle: 2, firing: 1 },
      { state: 'busy', startCycle: 2, endCycle: 3, firing: 2 },
      { state: 'stalled-full', startCycle: 3, endCycle: 4, fifo: 'f' },
      { state: 'idle', startCycle: 4, endCycle: 5 },
      { state: 'stalled-full', startCycle: 5, endCycle: 7, fifo: 'f' },
      { state: 'idle', startCycle: 7, endCycle: 11 },
    ]);
    expect(byActor(r.events, 'sink')).toEqual([
      { state: 'stalled-empty', startCycle: 0, endCycle: 2, fifo: 'f' },
      { state: 'busy', startCycle: 2, endCycle: 5, firing: 0 },
      { state: 'busy', startCycle: 5, endCycle: 8, firing: 1 },
      { state: 'busy', startCycle: 8, endCycle: 11, firing: 2 },
    ]);
    // f's occupancy: written at 2, 4, 7, read at 2, 5, 8 (a write is logged before a read in its cycle).
    expect(r.events.filter((e) => e.kind === 'fifo')).toEqual([2, 2, 4, 5, 7, 8].map((cycle, k) => ({ kind: 'fifo', fifo: 'f', cycle, occupancy: k % 2 === 0 ? 1 : 0 })));
    const [src, sink] = r.summary.actors;
    expect([src!.busyCycles, src!.stalledFullCycles, src!.idleCycles]).toEqual([3, 3, 5]);
    expect([sink!.busyCycles, sink!.stalledEmptyCycles, sink!.idleCycles]).toEqual([9, 2, 0]);
  });

  it("back-to-back freezes of a retired actor: no empty idle interval between them", () => {
    // src: 3 firings, II 1, latencies 3, 3, 0, into f (depth 1); the sink reads at II 1.
    // f0 at 0 writes at 3, f1 at 1 at 4, f2 at 2 (ready 2) queues behind f1: 4. src retires at
    // 3. t0 lands at 3 and is read at 3 (slot free from 5): t1 (due 4) freezes src over [4, 5)
    // and moves t2 to 5; t1 lands at 5, read at 5 (free from 7): t2 freezes src over [5, 7),
    // lands at 7, read at 7; the run ends at 8. The idle time [3, 8) is split around [4, 7);
    // the second freeze starts where the first ended, with no idle cycle between.
    const g = new GraphBuilder('back-to-back');
    const f = g.stream('f', { depth: 1, widthBytes: 4 });
    const lat = [3, 3, 0];
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: (x) => ({ iiCycles: 1, latencyCycles: lat[x.index]! }) }), { out: { out: f } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: f } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(8);
    expect(byActor(r.events, 'src')).toEqual([
      { state: 'busy', startCycle: 0, endCycle: 1, firing: 0 },
      { state: 'busy', startCycle: 1, endCycle: 2, firing: 1 },
      { state: 'busy', startCycle: 2, endCycle: 3, firing: 2 },
      { state: 'idle', startCycle: 3, endCycle: 4 },
      { state: 'stalled-full', startCycle: 4, endCycle: 5, fifo: 'f' },
      { state: 'stalled-full', startCycle: 5, endCycle: 7, fifo: 'f' },
      { state: 'idle', startCycle: 7, endCycle: 8 },
    ]);
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([3, 5, 7]);
  });

  it('contention waits, then a freeze after the last firing, each with its holder or FIFO', () => {
    // mem serves 8 B/cycle. hog (declared first): 2 firings of 16 B (2 cycles each), II 1,
    // latency 0, into h (depth 2, drained by hsink at II 1). a: 3 firings of 8 B, II 1,
    // latency 1, into f (depth 1), read by sink at II 3.
    //  - cycle 0: both request; hog is granted [0, 2), a waits [0, 2) held by hog, is granted
    //    [2, 3) (busy [2, 3)); its token 0 is written at 3 + 1 = 4.
    //  - hog's firing 1 requests at 2 and waits behind a [2, 3), then is served [3, 5).
    //  - a's firing 1 requests at 3, waits [3, 5) held by hog, served [5, 6): token 1 at 7.
    //    Its firing 2 is served at once [6, 7): token 2 due at 8; a retires at 7.
    //  - sink: empty [0, 4), reads token 0 at 4 (busy [4, 7)), token 1 at 7 (busy [7, 10));
    //    f's slot read at 7 is free from 9, so token 2 (due 8) freezes a over [8, 9), between
    //    its idle intervals [7, 8) and [9, 13). The sink reads token 2 at 10: the run ends at 13.
    const g = new GraphBuilder('contend');
    g.resource({ name: 'mem', unitsPerCycle: 8, unit: 'bytes' });
    const f = g.stream('f', { depth: 1, widthBytes: 4 });
    const h = g.stream('h', { depth: 2, widthBytes: 4 });
    g.invoke({ name: 'hog', outputs: { out: { widthBytes: 4 } }, firings: 2, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: 16 }] } }, { out: { out: h } });
    g.invoke(sinkActor({ name: 'hsink', widthBytes: 4 }), { in: { in: h } });
    g.invoke({ name: 'a', outputs: { out: { widthBytes: 4 } }, firings: 3, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 1, requests: [{ resource: 'mem', units: 8 }] } }, { out: { out: f } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } }), { in: { in: f } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(13);
    expect(byActor(r.events, 'a')).toEqual([
      { state: 'stalled-contention', startCycle: 0, endCycle: 2, resource: 'mem', heldBy: 'hog' },
      { state: 'busy', startCycle: 2, endCycle: 3, firing: 0 },
      { state: 'stalled-contention', startCycle: 3, endCycle: 5, resource: 'mem', heldBy: 'hog' },
      { state: 'busy', startCycle: 5, endCycle: 6, firing: 1 },
      { state: 'busy', startCycle: 6, endCycle: 7, firing: 2 },
      { state: 'idle', startCycle: 7, endCycle: 8 },
      { state: 'stalled-full', startCycle: 8, endCycle: 9, fifo: 'f' },
      { state: 'idle', startCycle: 9, endCycle: 13 },
    ]);
    expect(byActor(r.events, 'hog')).toEqual([
      { state: 'busy', startCycle: 0, endCycle: 2, firing: 0 },
      { state: 'stalled-contention', startCycle: 2, endCycle: 3, resource: 'mem', heldBy: 'a' },
      { state: 'busy', startCycle: 3, endCycle: 5, firing: 1 },
      { state: 'idle', startCycle: 5, endCycle: 13 },
    ]);
    expect(byActor(r.events, 'sink')).toEqual([
      { state: 'stalled-empty', startCycle: 0, endCycle: 4, fifo: 'f' },
      { state: 'busy', startCycle: 4, endCycle: 7, firing: 0 },
      { state: 'busy', startCycle: 7, endCycle: 10, firing: 1 },
      { state: 'busy', startCycle: 10, endCycle: 13, firing: 2 },
    ]);
    const a = r.summary.actors.find((x) => x.actor === 'a')!;
    expect([a.busyCycles, a.stalledContentionCycles, a.stalledFullCycles, a.idleCycles]).toEqual([3, 4, 1, 5]);
    expect(r.summary.resources[0]!.contentionCycles).toBe(5);
  });
});
