import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlockError, GraphBuilder, Retimer, applyChanges, runGraph, sinkActor, sourceActor, type ActorSpec, type Graph, type RetimeChanges, type RunResult } from './index.js';
import { startToken } from '../test-support/retime-graphs.js';

/**
 * The early cut-off and partial re-timing against full re-runs on graph families built to reach
 * them (issue 23: mutation testing of retime-cut.ts and retime-partial.ts; fixed seeds, fast):
 * a start token that delays one consumer while a producer beside it runs ahead and freezes (the
 * cut-off then compares a frozen write, idle actors and a resource calendar), and a chain whose
 * middle actor shares a memory with an independent requester (a partial re-timing replays it).
 * retime.spec's properties draw general chains and fork-joins; these draw the shapes where a
 * probe stops early or re-times a subset, so a wrong cut-off or crossing check shows as a wrong
 * cycle count or attribution. Every re-timing that is exact must equal the engine's run of the
 * changed graph, field by field.
 */

const port = { widthBytes: 4 };

/** Whether the engine deadlocks on `graph` (the re-timing must then say so or re-run; not compared). */
function engineDeadlocks(graph: Graph): boolean {
  try {
    runGraph(graph, { collectSinks: false });
  } catch (e) {
    if (e instanceof DeadlockError) return true;
    throw e;
  }
  return false;
}

const rowsOf = (r: RunResult) => r.summary.actors.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.stalledContentionCycles, s.resourceBoundCycles]);

/**
 * Re-times `graph`'s recording under `ch` (from the recorded run and from a base one FIFO deeper)
 * and compares with the engine; the outcome ('saved': exact, and a probe re-timed fewer firings
 * than the run has, so it resumed late, stopped early or re-timed a subset).
 */
function check(graph: Graph, ch: RetimeChanges, deeper: string): 'exact' | 'saved' | 'fallback' | 'deadlock' {
  const rec = runGraph(graph, { record: true, collectSinks: false }).recording!;
  const changed = applyChanges(graph, ch);
  if (engineDeadlocks(changed)) return 'deadlock';
  const want = runGraph(changed, { collectSinks: false });
  const fifo = graph.fifos.find((f) => f.name === deeper)!;
  const bases = [new Retimer(rec), new Retimer(rec, { fifoDepths: { [deeper]: fifo.depth + 1 } })];
  const probes = [bases[0]!.retime(ch), bases[1]!.retime({ ...ch, fifoDepths: { [deeper]: fifo.depth, ...ch.fifoDepths } })];
  let exact = 0;
  let saved = false;
  for (const got of probes) {
    if (typeof got === 'string') continue;
    exact++;
    expect(got.cycles).toBe(want.cycles);
    expect([...got.busyCycles].map((b, a) => [b, got.stalledEmptyCycles[a], got.stalledFullCycles[a], got.stalledContentionCycles[a], got.resourceBoundCycles[a]])).toEqual(rowsOf(want));
    expect([...got.stalledFullByFifo]).toEqual(want.summary.fifos.map((f) => f.fullStallCycles));
    expect(got.firingsRetimed).toBeLessThanOrEqual(rec.firings);
    if (got.firingsRetimed < rec.firings) saved = true;
  }
  return exact < 2 ? 'fallback' : saved ? 'saved' : 'exact';
}

/** src -> f1 -> mid (mem) -> f2 -> snk; z (mem, `zReqs` requests per firing) -> zq -> zsnk. */
function sharedChain(x: { n: number; srcII: number; midII: number; midLat: number; snkII: number; d1: number; d2: number; zN: number; zII: number; zReqs: number; cap: number }): Graph {
  const g = new GraphBuilder('shared-chain');
  g.resource({ name: 'mem', unitsPerCycle: x.cap });
  const f1 = g.stream('f1', { depth: x.d1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: x.d2, widthBytes: 4 });
  const zq = g.stream('zq', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: x.n, widthBytes: 4, cost: { iiCycles: x.srcII, latencyCycles: 0 } }), { out: { out: f1 } });
  g.invoke({ name: 'mid', firings: x.n, inputs: { in: port }, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: x.midII, latencyCycles: x.midLat, requests: [{ resource: 'mem', units: 1 }] } } satisfies ActorSpec, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'snk', firings: x.n, inputs: { in: port }, cost: { iiCycles: x.snkII, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: f2 } });
  const z = sourceActor({ name: 'z', count: x.zN, widthBytes: 4, cost: { iiCycles: x.zII, latencyCycles: 0, requests: Array.from({ length: x.zReqs }, () => ({ resource: 'mem', units: 1 })) } });
  g.invoke({ ...z, resources: ['mem'] }, { out: { out: zq } });
  g.invoke(sinkActor({ name: 'zsnk', widthBytes: 4 }), { in: { in: zq } });
  return g.build();
}

describe('retime-cut and partial re-timing: graph families against full re-runs (fixed seeds)', () => {
  it('a start token beside a producer running ahead: every exact re-timing equals the engine', () => {
    const seen = { exact: 0, saved: 0, fallback: 0, deadlock: 0 };
    fc.assert(
      fc.property(
        fc.record({ m: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 9 }), qII: fc.integer({ min: 1, max: 5 }), pII: fc.integer({ min: 1, max: 2 }), pLat: fc.integer({ min: 0, max: 5 }), sinkII: fc.integer({ min: 1, max: 5 }), aDepth: fc.integer({ min: 1, max: 3 }), oDepth: fc.integer({ min: 1, max: 3 }), sLat: fc.integer({ min: 0, max: 6 }) }),
        fc.record({ kind: fc.constantFrom('sLat', 'sLat', 'pLat', 'qII', 'sinkII', 'a', 'o', 'g'), v: fc.integer({ min: 0, max: 8 }) }),
        (x, c) => {
          const n = Math.max(x.n, x.m);
          const graph = startToken({ ...x, n });
          const ch: RetimeChanges =
            c.kind === 'sLat' ? { latencyCycles: { s: c.v } } : c.kind === 'pLat' ? { latencyCycles: { p: c.v } } : c.kind === 'qII' ? { iiCycles: { q: 1 + (c.v % 5) } } : c.kind === 'sinkII' ? { iiCycles: { sink: 1 + (c.v % 5) } } : { fifoDepths: { [c.kind]: 1 + (c.v % 4) } };
          seen[check(graph, ch, 'o')]++;
        },
      ),
      { seed: 23, numRuns: 60 },
    );
    // 60 draws: 55 saved work, 5 re-timed every firing (fixed seed); every one exact.
    expect(seen.saved + seen.exact).toBe(60);
    expect(seen.saved).toBeGreaterThanOrEqual(45);
  });

  it('a chain sharing a memory with an independent requester: every exact re-timing equals the engine', () => {
    const seen = { exact: 0, saved: 0, fallback: 0, deadlock: 0 };
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 2, max: 12 }), srcII: fc.integer({ min: 1, max: 3 }), midII: fc.integer({ min: 1, max: 3 }), midLat: fc.integer({ min: 0, max: 3 }), snkII: fc.integer({ min: 1, max: 4 }), d1: fc.integer({ min: 1, max: 4 }), d2: fc.integer({ min: 1, max: 4 }), zN: fc.integer({ min: 1, max: 12 }), zII: fc.integer({ min: 1, max: 4 }), zReqs: fc.integer({ min: 1, max: 2 }), cap: fc.integer({ min: 1, max: 3 }) }),
        fc.record({ kind: fc.constantFrom('midLat', 'midLat', 'midII', 'snkII', 'f1', 'f2', 'cap'), v: fc.integer({ min: 0, max: 6 }) }),
        (x, c) => {
          const graph = sharedChain(x);
          const ch: RetimeChanges =
            c.kind === 'midLat' ? { latencyCycles: { mid: c.v } } : c.kind === 'midII' ? { iiCycles: { mid: 1 + (c.v % 3) } } : c.kind === 'snkII' ? { iiCycles: { snk: 1 + (c.v % 4) } } : c.kind === 'cap' ? { resourceUnitsPerCycle: { mem: 1 + (c.v % 3) } } : { fifoDepths: { [c.kind]: 1 + (c.v % 4) } };
          seen[check(graph, ch, 'f2')]++;
        },
      ),
      { seed: 2026, numRuns: 60 },
    );
    // 60 draws: 44 saved work, 4 re-timed every firing, 12 reordered a grant of mem (re-run).
    expect(seen.saved).toBeGreaterThanOrEqual(35);
    expect(seen.fallback).toBeGreaterThan(0);
  });
});
