import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, applyChanges, retime, retimeTokens, runGraph, sourceActor, type Graph, type RetimeResult } from './index.js';

/**
 * Re-timing at a shared resource, derived by hand (issue 23: mutation testing of the re-timing
 * files). Two sources s and r (one firing each, II 1) feed q and p through depth-1 FIFOs; q and p
 * (II 1, latency 0) each request `units` of the 1-unit/cycle memory 'mem' when they start. A
 * latency-0 write is read the same cycle; a request of u units at c units/cycle holds the
 * calendar ceil(u / c) cycles, a partly used cycle is shared; a grant starting after the request
 * is contention, busy beyond the II is resource-bound (core README, "Shared resources").
 * Re-timing serves each resource in the recorded order: a change that would reorder the grants,
 * or tie two requests the recording did not tie, falls back to a full re-run and says why.
 */
function twoRequesters(sLatency: number, units: number): Graph {
  const g = new GraphBuilder('two-requesters');
  g.resource({ name: 'mem', unitsPerCycle: 1 });
  const port = { widthBytes: 4 };
  const fs = g.stream('fs', { depth: 1, widthBytes: 4 });
  const fr = g.stream('fr', { depth: 1, widthBytes: 4 });
  const mem = [{ resource: 'mem', units }];
  g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: sLatency } }), { out: { out: fs } });
  g.invoke(sourceActor({ name: 'r', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: fr } });
  g.invoke({ name: 'q', inputs: { in: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: mem } }, { in: { in: fs } });
  g.invoke({ name: 'p', inputs: { in: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: mem } }, { in: { in: fr } });
  return g.build();
}

/** Per actor (s, r, q, p): busy, starved, contention, resource-bound, idle. */
function figures(x: RetimeResult): number[][] {
  if (!x.exact) throw new Error(`not exact: ${x.reason}`);
  return [0, 1, 2, 3].map((a) => [x.busyCycles[a]!, x.stalledEmptyCycles[a]!, x.stalledContentionCycles[a]!, x.resourceBoundCycles[a]!, x.idleCycles[a]!]);
}

describe('retime at a shared resource: q and p request 3 units at cycle 0 (recorded: q first)', () => {
  // Recorded at 1 unit/cycle: q holds mem [0, 3) (busy 3: II 1 + 2 resource-bound), p waits
  // [0, 3) (contention 3) and holds it [3, 6): 6 cycles.
  const graph = twoRequesters(0, 3);
  const rec = runGraph(graph, { record: true }).recording!;

  it('the recorded run: 6 cycles', () => {
    expect(figures(retime(rec))).toEqual([
      [1, 0, 0, 0, 5],
      [1, 0, 0, 0, 5],
      [3, 0, 0, 2, 3],
      [3, 0, 3, 2, 0],
    ]);
  });

  it('3 units/cycle: each request takes one cycle, q [0, 1), p waits 1 and holds [1, 2): 2 cycles', () => {
    const x = retime(rec, { resourceUnitsPerCycle: { mem: 3 } });
    expect(x.cycles).toBe(2);
    expect(figures(x)).toEqual([
      [1, 0, 0, 0, 1],
      [1, 0, 0, 0, 1],
      [1, 0, 0, 0, 1],
      [1, 0, 1, 0, 0],
    ]);
  });

  it('2 units/cycle: q takes 2 units at 0 and 1 at 1, p the other unit of cycle 1 and 2 at 2: p waits 1, both 1 cycle resource-bound, 3 cycles', () => {
    const x = retime(rec, { resourceUnitsPerCycle: { mem: 2 } });
    expect(x.cycles).toBe(3);
    expect(figures(x)).toEqual([
      [1, 0, 0, 0, 2],
      [1, 0, 0, 0, 2],
      [2, 0, 0, 1, 1],
      [2, 0, 1, 1, 0],
    ]);
  });

  it("r's latency 1: p asks at 1, after q (the recorded order): starved 1, waits [1, 3), holds [3, 6): 6 cycles", () => {
    const x = retime(rec, { latencyCycles: { r: 1 } });
    expect(x.cycles).toBe(6);
    expect(figures(x)).toEqual([
      [1, 0, 0, 0, 5],
      [1, 0, 0, 0, 5],
      [3, 0, 0, 2, 3],
      [3, 1, 2, 2, 0],
    ]);
  });

  it("s's latency 1: p would ask at 0, before q at 1: not the recorded order, so a full re-run (p [0, 3), q [3, 6): 6 cycles)", () => {
    const x = retime(rec, { latencyCycles: { s: 1 } });
    expect(x).toEqual({ exact: false, fallback: 'rerun', reason: "resource 'mem': the change reorders its grants ('p' would request at cycle 0, before 'q' at 1)", cycles: 6 });
  });
});

describe('retime at a shared resource: q asks at 2, p at 0 (1 unit each)', () => {
  // Recorded: s writes at 2 (latency 2), q asks at 2 and is served [2, 3); p asks at 0, served [0, 1): 3 cycles.
  const graph = twoRequesters(2, 1);
  const rec = runGraph(graph, { record: true }).recording!;

  it("s's latency 1: q asks at 1, still after p: exact, 2 cycles, q starved 1", () => {
    const x = retime(rec, { latencyCycles: { s: 1 } });
    expect(x.cycles).toBe(2);
    expect(figures(x)).toEqual([
      [1, 0, 0, 0, 1],
      [1, 0, 0, 0, 1],
      [1, 1, 0, 0, 0],
      [1, 0, 0, 0, 1],
    ]);
    expect(retimeTokens(rec, { latencyCycles: { s: 1 } })).toEqual({ cycles: 2, fifoBase: Int32Array.from([0, 1, 2]), written: Float64Array.from([1, 0]), read: Float64Array.from([1, 0]), stalledFullByFifo: Float64Array.from([0, 0]) });
  });

  it("s's latency 0: q and p would ask in the same cycle 0, a tie the recording did not show: re-run, 2 cycles", () => {
    const x = retime(rec, { latencyCycles: { s: 0 } });
    expect(x).toEqual({ exact: false, fallback: 'rerun', reason: "resource 'mem': 'q' and 'p' would request in the same cycle 0 (arbitration order not in the recording)", cycles: 2 });
    expect(retimeTokens(rec, { latencyCycles: { s: 0 } })).toBe("resource 'mem': 'q' and 'p' would request in the same cycle 0 (arbitration order not in the recording)");
  });

  it("r's latency 5: p would ask at 5, after q at 2 (recorded: p first): re-run, p served [5, 6): 6 cycles", () => {
    const x = retime(rec, { latencyCycles: { r: 5 }, clockMhz: 300 });
    expect(x).toEqual({ exact: false, fallback: 'rerun', reason: "resource 'mem': the change reorders its grants ('q' would request at cycle 2, before 'p' at 5)", cycles: 6, timeUs: 6 / 300 });
    expect(runGraph(applyChanges(graph, { latencyCycles: { r: 5 } })).cycles).toBe(6);
  });

  it('a limit on the cycles: above it the probe gives Infinity (no change: the base run, 3 cycles)', () => {
    const r = new Retimer(rec);
    const cycles = (x: ReturnType<Retimer['retime']>) => (typeof x === 'string' ? x : x.cycles);
    expect(cycles(r.retime({}, { stopAboveCycles: 3 }))).toBe(3);
    expect(cycles(r.retime({}, { stopAboveCycles: 2 }))).toBe(Infinity);
    // s's latency 1: 2 cycles, kept at the limit 2, Infinity above the limit 1.
    expect(cycles(r.retime({ latencyCycles: { s: 1 } }, { stopAboveCycles: 2 }))).toBe(2);
    expect(cycles(r.retime({ latencyCycles: { s: 1 } }, { stopAboveCycles: 1 }))).toBe(Infinity);
  });
});

describe('retime: a start waiting for a recorded turn that cannot come', () => {
  /**
   * p (3 firings, 1 unit of 'mem' each) writes X; q (fed by s, latency 3) asks 'mem' per firing
   * and writes Y (depth 1); r reads X and Y. Recorded with X at depth 3: p is granted 'mem' at
   * 0, 1, 2, then q at 3, 4, 5. At X depth 1, p's firing 1 freezes until r reads X0, which needs
   * Y0 from q's first firing, whose grant comes after p's firing 2 in the recorded order, and p's
   * firing 2 cannot start while p is frozen: re-timing in the recorded order is stuck, though the
   * engine would simply grant q first.
   */
  function turn(depthX: number): Graph {
    const g = new GraphBuilder('turn');
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    const port = { widthBytes: 4 };
    const mem = [{ resource: 'mem', units: 1 }];
    const X = g.stream('X', { depth: depthX, widthBytes: 4 });
    const Y = g.stream('Y', { depth: 1, widthBytes: 4 });
    const sq = g.stream('sq', { depth: 3, widthBytes: 4 });
    g.invoke({ name: 'p', firings: 3, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: mem } }, { out: { out: X } });
    g.invoke(sourceActor({ name: 's', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 3 } }), { out: { out: sq } });
    g.invoke({ name: 'q', inputs: { in: port }, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: mem } }, { in: { in: sq }, out: { out: Y } });
    g.invoke({ name: 'r', inputs: { x: port, y: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { x: X, y: Y } });
    return g.build();
  }

  it('falls back to a re-run and says which actor waits for its turn', () => {
    const rec = runGraph(turn(3), { record: true }).recording!;
    const x = retime(rec, { fifoDepths: { X: 1 } });
    expect(x).toMatchObject({ exact: false, reason: "re-timing stalled at actor 'q', waiting for its recorded turn at a resource (the change reorders the resource's grants)" });
    expect(x.cycles).toBe(runGraph(turn(1)).cycles);
    // Not a deadlock: the engine completes it.
    const why = new Retimer(rec).retime({ fifoDepths: { X: 1 } });
    expect(typeof why === 'string' && why.startsWith('re-timing deadlocked')).toBe(false);
  });
});

describe('retime: two requests in one firing', () => {
  // p (2 firings, II 1, latency 0) asks 2 units of the 1-unit/cycle 'mem' twice per firing, then
  // writes 'a' (depth 1) for the sink. Firing 0: [0, 2) and [2, 4): the second grant starts late
  // but p holds 'mem' itself: resource-bound (busy 4 = II 1 + 3), not contention; it writes at 4.
  // Firing 1 at 4: [4, 6), [6, 8), writes at 8; the sink reads at 4 and 8: 9 cycles.
  function twice(): Graph {
    const g = new GraphBuilder('twice');
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const mem = { resource: 'mem', units: 2 };
    g.invoke({ name: 'p', firings: 2, outputs: { out: { widthBytes: 4 } }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [mem, mem] } }, { out: { out: a } });
    g.invoke({ name: 'sink', inputs: { in: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: a } });
    return g.build();
  }
  const rec = runGraph(twice(), { record: true }).recording!;

  it('recorded: 9 cycles, p busy 8 of which 6 resource-bound, no contention', () => {
    const x = retime(rec);
    if (!x.exact) throw new Error(x.reason);
    expect([x.cycles, x.busyCycles[0], x.resourceBoundCycles[0], x.stalledContentionCycles[0]]).toEqual([9, 8, 6, 0]);
  });

  it('2 units/cycle: each request one cycle ([0, 1), [1, 2); [2, 3), [3, 4)): busy 4, 2 resource-bound; writes at 2 and 4: 5 cycles', () => {
    const x = retime(rec, { resourceUnitsPerCycle: { mem: 2 } });
    if (!x.exact) throw new Error(x.reason);
    expect([x.cycles, [...x.busyCycles], [...x.resourceBoundCycles], [...x.stalledContentionCycles]]).toEqual([5, [4, 2], [2, 0], [0, 0]]);
  });

  it('retimeTokens takes depths by FIFO id too (depthById): the 3-token pair of retime-hand-cases at depth 3 writes at 0, 1, 2 instead of 0, 2, 6', () => {
    const g = new GraphBuilder('pair');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4 }), { out: { out: a } });
    g.invoke({ name: 'sink', inputs: { in: { widthBytes: 4 } }, cost: { iiCycles: 4, latencyCycles: 0 } }, { in: { in: a } });
    const pairRec = runGraph(g.build(), { record: true }).recording!;
    const t = retimeTokens(pairRec, { depthById: Int32Array.from([3]) });
    expect(t).toEqual(retimeTokens(pairRec, { fifoDepths: { a: 3 } }));
    if (typeof t === 'string') throw new Error(t);
    expect([t.cycles, [...t.written], [...t.read]]).toEqual([12, [0, 1, 2], [0, 4, 8]]);
  });
});
