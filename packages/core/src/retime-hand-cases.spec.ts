import { describe, expect, it } from 'vitest';
import { GraphBuilder, applyChanges, retime, retimeTokens, runGraph, sinkActor, sizeFifos, sourceActor, type FiringCost, type RetimeChanges, type RetimeResult } from './index.js';

/**
 * Re-timing and FIFO sizing on pairs small enough to derive by hand (issue 23: mutation testing
 * of the re-timing files). Rules: core README, "FIFOs" and "Re-timing" (a slot freed by a read at
 * r takes a write from r + 2; a write that finds no slot freezes the producer's pipeline and moves
 * its planned writes and open II by the freeze).
 *
 * The pair: src fires n times (cost `srcCost`) into `a` (depth d); sink reads at II `sinkIi`.
 */
function pair(n: number, srcCost: FiringCost, sinkIi: number, depth: number) {
  const g = new GraphBuilder('pair');
  const a = g.stream('a', { depth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4, cost: srcCost }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: sinkIi, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

/** Per actor (src, sink): busy, starved, frozen, idle. */
function figures(r: RetimeResult) {
  if (!r.exact) throw new Error(`not exact: ${r.reason}`);
  return [0, 1].map((a) => [r.busyCycles[a], r.stalledEmptyCycles[a], r.stalledFullCycles[a], r.idleCycles[a]]);
}

/** The recorded run: 3 tokens, src II 1 latency 0, depth 1, sink II 4 (write-stalls.spec.ts). */
const G = pair(3, { iiCycles: 1, latencyCycles: 0 }, 4, 1);
const rec = runGraph(G, { record: true }).recording!;

describe('retime: hand-derived what-ifs of a 3-token pair', () => {
  it('no change: the recorded run (writes at 0, 2, 6; src frozen 1 + 3 cycles; 12 cycles), nothing re-resolved', () => {
    const r = retime(rec);
    expect([r.exact, r.cycles, 'timeUs' in r]).toEqual([true, 12, false]);
    expect(figures(r)).toEqual([
      [3, 0, 4, 5],
      [12, 0, 0, 0],
    ]);
    if (r.exact) {
      expect([...r.stalledContentionCycles, ...r.resourceBoundCycles]).toEqual([0, 0, 0, 0]);
      expect(r.firingsRetimed).toBe(0);
    }
    expect(retimeTokens(rec)).toEqual({ cycles: 12, fifoBase: Int32Array.from([0, 3]), written: Float64Array.from([0, 2, 6]), read: Float64Array.from([0, 4, 8]), stalledFullByFifo: Float64Array.from([4]) });
  });

  it('depth 3: every token has a slot, no freeze; the sink still takes 12 cycles', () => {
    expect(figures(retime(rec, { fifoDepths: { a: 3 } }))).toEqual([
      [3, 0, 0, 9],
      [12, 0, 0, 0],
    ]);
  });

  it('sink II 2: t1 waits for t0 slot (read 0, free 2): frozen [1, 2); src resumes at 3, t2 waits for t1 slot (read 2): frozen [3, 4); 6 cycles', () => {
    const r = retime(rec, { iiCycles: { sink: 2 } });
    expect(r.cycles).toBe(6);
    expect(figures(r)).toEqual([
      [3, 0, 2, 1],
      [6, 0, 0, 0],
    ]);
  });

  it('src latency 5: writes at 5, 7 (frozen [6, 7)) and 11 (due 8, t1 read at 9: frozen [8, 11)); the sink starves [0, 5); 17 cycles', () => {
    const r = retime(rec, { latencyCycles: { src: 5 } });
    expect(r.cycles).toBe(17);
    expect(figures(r)).toEqual([
      [3, 0, 4, 10],
      [12, 5, 0, 0],
    ]);
    expect(retimeTokens(rec, { latencyCycles: { src: 5 } })).toEqual({ cycles: 17, fifoBase: Int32Array.from([0, 3]), written: Float64Array.from([5, 7, 11]), read: Float64Array.from([5, 9, 13]), stalledFullByFifo: Float64Array.from([4]) });
    // A full run of the changed graph agrees.
    const full = runGraph(applyChanges(G, { latencyCycles: { src: 5 } })).summary;
    expect(full.actors.map((x) => [x.busyCycles, x.stalledEmptyCycles, x.stalledFullCycles, x.idleCycles])).toEqual(figures(r));
  });

  it('a clock gives the time, not other cycles: 12 cycles at 250 MHz = 0.048 us', () => {
    const r = retime(rec, { clockMhz: 250 });
    expect([r.cycles, r.timeUs]).toEqual([12, 12 / 250]);
    if (r.exact) expect(r.firingsRetimed).toBe(0);
  });

  it('rejects every bad change, naming it', () => {
    const bad: [RetimeChanges, string][] = [
      [{ fifoDepths: { b: 2 } }, "retime: unknown FIFO 'b'"],
      [{ fifoDepths: { a: 1.5 } }, "retime: depth of FIFO 'a' must be an integer >= 1, got 1.5"],
      [{ latencyCycles: { snk: 1 } }, "retime: unknown actor 'snk'"],
      [{ latencyCycles: { src: -1 } }, "retime: latency of actor 'src' must be an integer >= 0, got -1"],
      [{ iiCycles: { sink: 0 } }, "retime: II of actor 'sink' must be an integer >= 1, got 0"],
      [{ iiCycles: { nope: 1 } }, "retime: unknown actor 'nope'"],
      [{ resourceUnitsPerCycle: { mem: 2 } }, "retime: unknown resource 'mem'"],
      [{ clockMhz: 0 }, 'retime: clockMhz must be > 0, got 0'],
      [{ clockMhz: Number.NaN }, 'retime: clockMhz must be > 0, got NaN'],
    ];
    for (const [changes, message] of bad) {
      expect(() => retime(rec, changes)).toThrow(new RangeError(message));
      expect(() => applyChanges(G, changes)).toThrow(message);
    }
    // Latency 0 and II 1 are the least allowed values.
    expect(retime(rec, { latencyCycles: { src: 0 }, iiCycles: { src: 1 } }).cycles).toBe(12);
  });
});

describe('applyChanges: the graph a full re-run of a what-if runs', () => {
  it('changes only what is named: depths, capacities, latency and II of static and functional costs', () => {
    const g = new GraphBuilder('apply');
    g.resource({ name: 'R', unitsPerCycle: 4 });
    g.resource({ name: 'S', unitsPerCycle: 2 });
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4, cost: (f) => ({ iiCycles: 1 + f.index, latencyCycles: 3, requests: [{ resource: 'R', units: 1 }] }) }), { out: { out: a } });
    g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, resources: ['R'], cost: { iiCycles: 2, latencyCycles: 1 } }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
    const graph = g.build();
    const changed = applyChanges(graph, { fifoDepths: { b: 5 }, resourceUnitsPerCycle: { S: 7 }, latencyCycles: { src: 0 }, iiCycles: { mid: 3 } });
    expect(changed.fifos.map((f) => [f.name, f.depth])).toEqual([
      ['a', 1],
      ['b', 5],
    ]);
    expect(changed.fifos[0]).toBe(graph.fifos[0]);
    expect(changed.resources.map((r) => [r.name, r.unitsPerCycle])).toEqual([
      ['R', 4],
      ['S', 7],
    ]);
    expect(changed.resources[0]).toBe(graph.resources[0]);
    expect(changed.actors[2]).toBe(graph.actors[2]);
    const firing = (index: number) => ({ actor: 'x', index, cycle: 0, in: [], inputs: {} });
    const costOf = (k: number, index: number) => {
      const c = changed.actors[k]!.spec.cost;
      return typeof c === 'function' ? c(firing(index)) : c;
    };
    // src: latency replaced, its II and requests kept (a function of the firing).
    expect(costOf(0, 1)).toEqual({ iiCycles: 2, latencyCycles: 0, requests: [{ resource: 'R', units: 1 }] });
    // mid: II replaced, latency kept.
    expect(costOf(1, 0)).toEqual({ iiCycles: 3, latencyCycles: 1 });
    // The original graph is unchanged.
    expect(graph.fifos[1]!.depth).toBe(2);
    expect(graph.actors[1]!.spec.cost).toEqual({ iiCycles: 2, latencyCycles: 1 });
    // No change: the same actors, FIFOs and resources.
    const same = applyChanges(graph, {});
    expect([same.actors.every((x, i) => x === graph.actors[i]), same.fifos.every((x, i) => x === graph.fifos[i])]).toEqual([true, true]);
  });
});

describe('sizeFifos: hand-derived sizing of the README pair at 20 tokens', () => {
  // src II 1, latency 10, 20 tokens; sink II 1. Unbounded: token i written and read at i + 10,
  // 30 cycles; each write finds the previous token read the cycle before: stall-free depth 2.
  // Recorded at depth 1: token i waits for token i - 1's slot, one cycle late each:
  // 2 * 20 + 9 = 49 cycles, 19 frozen cycles.
  const rec20 = runGraph(pair(20, { iiCycles: 1, latencyCycles: 10 }, 1, 1), { record: true }).recording!;

  it('1% tolerance: depth 1 (49 cycles) is over the bound 30, depth 2 is the stall-free one', () => {
    const s = sizeFifos(rec20);
    expect(s).toMatchObject({
      unboundedCycles: 30,
      boundCycles: 30,
      recordedCycles: 49,
      independentCycles: 30,
      chosenCycles: 30,
      jointRounds: [30],
      // One probe (depth 1) and one joint run.
      retimings: 2,
      undecidedProbes: 0,
      deadlockedProbes: 0,
      jointRunsEmulated: 0,
      unboundedRecorded: false,
    });
    expect(s.undecidedExample).toBeUndefined();
    expect(s.fifos).toEqual([{ fifo: 'a', widthBytes: 4, depth: 1, stallFreeDepth: 2, independentDepth: 2, chosenDepth: 2, stalledFullCyclesBefore: 19, stalledFullCyclesAfter: 0 }]);
  });

  it('100% tolerance: the bound is 60, so depth 1 (49 cycles) is enough', () => {
    const s = sizeFifos(rec20, { tolerance: 1 });
    expect([s.boundCycles, s.chosenCycles, s.jointRounds]).toEqual([60, 49, [49]]);
    expect(s.fifos[0]).toMatchObject({ independentDepth: 1, chosenDepth: 1, stalledFullCyclesBefore: 19, stalledFullCyclesAfter: 19 });
  });

  it('a FIFO that never limits the run: depth 1 is within the bound (the 3-token pair: 12 cycles either way)', () => {
    const s = sizeFifos(rec, { tolerance: 0 });
    expect([s.unboundedCycles, s.boundCycles, s.chosenCycles]).toEqual([12, 12, 12]);
    expect(s.fifos[0]).toMatchObject({ stallFreeDepth: 2, independentDepth: 1, chosenDepth: 1, stalledFullCyclesBefore: 4, stalledFullCyclesAfter: 4 });
  });

  it('rejects a negative tolerance and a recording with non-blocking tests', () => {
    expect(() => sizeFifos(rec, { tolerance: -0.5 })).toThrow(new RangeError('sizeFifos: tolerance must be >= 0, got -0.5'));
    expect(() => sizeFifos(rec, { tolerance: Number.NaN })).toThrow('sizeFifos: tolerance must be >= 0, got NaN');
    const g = new GraphBuilder('nb');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4 }), { out: { out: a } });
    g.invoke({ name: 'poll', inputs: { in: { widthBytes: 4 } }, reads: (_i, ports) => (ports.empty(0) ? [] : [0]), cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: a } });
    const nb = runGraph(g.build(), { record: true }).recording!;
    expect(() => sizeFifos(nb)).toThrow('sizeFifos: the run tests ports without blocking, so it cannot be re-timed exactly; size with full runs instead');
    expect(retimeTokens(nb)).toBe('the run tests ports without blocking');
    // retime falls back to a full re-run, with the time when a clock is given.
    const r = retime(nb, { fifoDepths: { a: 1 }, clockMhz: 100 });
    expect(r).toMatchObject({ exact: false, fallback: 'rerun', reason: 'the run tests ports without blocking (ports.empty()/full()): their outcome depends on the firing order' });
    // The re-run at depth 1: t0 is written at 0 and tested from 1 (a latency-0 write is seen the
    // next cycle), read at 1; t1 (due 1) waits for its slot until 3 and is read then: 4 cycles
    // (src's II, interrupted by the freeze [1, 3), also ends at 4).
    expect([r.cycles, r.timeUs]).toEqual([4, 4 / 100]);
  });
});
