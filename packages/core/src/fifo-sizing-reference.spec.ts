import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, applyChanges, runGraph, sizeFifos, type ActorSpec, type Graph, type RunResult } from './index.js';

/**
 * sizeFifos against an independent reference: the same search, as its doc comment states it, with
 * every probe a full run of the engine instead of a re-timing (issue 23: mutation testing of the
 * re-timing files). Graphs without shared resources, so every probe is decidable: the figures
 * must match exactly, including the probe and deadlock counts.
 *
 * Definitions the reference follows (fifo-sizing.ts):
 * - unbounded: every FIFO deeper than its token count (64 here: no draw writes more tokens);
 *   bound = floor(unbounded cycles * (1 + tolerance)).
 * - stall-free depth of f: the least depth at which no write of the unbounded run waits, i.e. the
 *   least d whose run (f at d, the others unbounded) freezes no write on f (a write that waits for
 *   its slot freezes its producer at least one cycle, charged to f, the only bounded FIFO).
 * - search per FIFO: gallop d = 1, 2, 4, ... below the stall-free depth; a depth that deadlocks
 *   sends the next probe to one slot below the stall-free depth (when that is above 2 d); then
 *   bisect between the last depth over the bound and the first within.
 * - joint runs: every FIFO at its depth; while over the bound, double (capped at the stall-free
 *   depth) the FIFOs that still froze their producer; if none did, every FIFO below its
 *   stall-free depth goes to it. A joint run that deadlocks (FIFOs in series sized one at a time)
 *   is over the bound with every producer frozen: every FIFO below its stall-free depth doubles.
 */
const DEEP = 64;

interface Stage {
  ii: number;
  latency: number;
}
const stageArb = fc.record({ ii: fc.integer({ min: 1, max: 4 }), latency: fc.integer({ min: 0, max: 6 }) });
const port = { widthBytes: 4 };
const cost = (s: Stage) => ({ iiCycles: s.ii, latencyCycles: s.latency });

/**
 * src -> (branch a: `left` stages) and (branch b: `right` stages) -> join -> sink; src (n + lead
 * firings) writes branch a on its first n firings and branch b on its last n (n tokens each): the
 * a-branch must hold `lead` tokens before join can start (a structural need; shallower deadlocks).
 * With `right` empty and `lead` 0 the b-branch is one FIFO.
 */
function graphOf(src: Stage, left: Stage[], right: Stage[], join: Stage, depths: number[], n: number, lead: number): Graph {
  const g = new GraphBuilder('sizing');
  let fi = 0;
  const stream = () => g.stream(`f${fi}`, { depth: depths[fi++ % depths.length]!, widthBytes: 4 });
  const a0 = stream();
  const b0 = stream();
  const writes = (i: number) => [...(i < n ? ['a'] : []), ...(i >= lead ? ['b'] : [])];
  g.invoke({ name: 'src', firings: n + lead, outputs: { a: port, b: port }, writes, cost: cost(src) }, { out: { a: a0, b: b0 } });
  const branch = (stages: Stage[], first: ReturnType<typeof stream>, tag: string) => {
    let prev = first;
    stages.forEach((s, k) => {
      const next = stream();
      g.invoke({ name: `${tag}${k}`, inputs: { in: port }, outputs: { out: port }, cost: cost(s) } satisfies ActorSpec, { in: { in: prev }, out: { out: next } });
      prev = next;
    });
    return prev;
  };
  const la = branch(left, a0, 'a');
  const lb = branch(right, b0, 'b');
  const j = stream();
  g.invoke({ name: 'join', inputs: { a: port, b: port }, outputs: { out: port }, cost: cost(join) }, { in: { a: la, b: lb }, out: { out: j } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: j } });
  return g.build();
}

/** A full run at these depths, or undefined if the engine reports a deadlock. */
function fullRun(graph: Graph, depths: readonly number[]): RunResult | undefined {
  const fifoDepths = Object.fromEntries(graph.fifos.map((f, i) => [f.name, depths[i]!]));
  try {
    return runGraph(applyChanges(graph, { fifoDepths }), { collectSinks: false });
  } catch (e) {
    if (/deadlock/i.test(String(e))) return undefined;
    throw e;
  }
}

/** The sizing by full runs (see the file comment). */
function referenceSizing(graph: Graph, tolerance: number) {
  const nF = graph.fifos.length;
  const deep = new Array<number>(nF).fill(DEEP);
  const unbounded = fullRun(graph, deep)!;
  const bound = Math.floor(unbounded.cycles * (1 + tolerance));
  const at = (f: number, d: number) => fullRun(graph, deep.map((x, i) => (i === f ? d : x)));
  const need = graph.fifos.map((_, f) => {
    for (let d = 1; ; d++) if (at(f, d)?.summary.fifos[f]!.fullStallCycles === 0) return d;
  });
  let probes = 0;
  let deadlocked = 0;
  let lastDeadlocked = false;
  const fits = (f: number, d: number) => {
    probes++;
    const r = at(f, d);
    lastDeadlocked = r === undefined;
    if (r === undefined) deadlocked++;
    return r !== undefined && r.cycles <= bound;
  };
  const independent = need.map((needF, f) => {
    let over = 0;
    let within = needF;
    for (let d = 1; d < within; d = Math.min(within, 2 * d)) {
      if (fits(f, d)) within = d;
      else {
        over = d;
        if (lastDeadlocked && within - 1 > 2 * d) {
          if (fits(f, within - 1)) within--;
          else {
            over = within - 1;
            break;
          }
        }
      }
    }
    while (over + 1 < within) {
      const mid = (over + within) >> 1;
      if (fits(f, mid)) within = mid;
      else over = mid;
    }
    return within;
  });
  const chosen = independent.slice();
  const rounds: number[] = [];
  let jointDeadlocked = 0;
  // A joint run that deadlocks is over the bound with every producer frozen for good.
  const jointRun = () => {
    const r = fullRun(graph, chosen);
    if (r === undefined) jointDeadlocked++;
    rounds.push(r?.cycles ?? Infinity);
    return r;
  };
  let joint = jointRun();
  while (joint === undefined || joint.cycles > bound) {
    let raised = 0;
    chosen.forEach((d, f) => {
      if (d < need[f]! && (joint === undefined || joint.summary.fifos[f]!.fullStallCycles > 0)) {
        chosen[f] = Math.min(need[f]!, 2 * d);
        raised++;
      }
    });
    if (raised === 0) chosen.forEach((d, f) => (chosen[f] = need[f]!));
    joint = jointRun();
  }
  return { unbounded: unbounded.cycles, bound, need, independent, chosen, rounds, probes, deadlocked, joint, jointDeadlocked };
}

describe('sizeFifos against sizing by full runs (fixed seed)', () => {
  it('every depth, bound, joint round and probe count equals the search run with the engine', () => {
    let deadlocks = 0;
    let raisedRounds = 0;
    let deeper = 0;
    let jointDeadlocks = 0;
    fc.assert(
      fc.property(
        stageArb,
        fc.array(stageArb, { minLength: 0, maxLength: 2 }),
        fc.array(stageArb, { minLength: 0, maxLength: 2 }),
        stageArb,
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom(0, 0, 1, 3, 6),
        fc.constantFrom(0, 0.01, 0.1, 0.5),
        (src, left, right, join, depths, n, lead, tolerance) => {
          // The recorded run must complete: the a-branch gets `lead` extra slots.
          const graph = graphOf(src, left, right, join, depths.map((d, i) => (i === 0 ? d + lead : d)), n, lead);
          const recorded = runGraph(graph, { record: true, collectSinks: false });
          const s = sizeFifos(recorded.recording!, { tolerance });
          const want = referenceSizing(graph, tolerance);
          expect([s.unboundedCycles, s.boundCycles, s.recordedCycles]).toEqual([want.unbounded, want.bound, recorded.cycles]);
          expect(s.fifos.map((f) => f.stallFreeDepth)).toEqual(want.need);
          expect(s.fifos.map((f) => f.independentDepth)).toEqual(want.independent);
          expect(s.fifos.map((f) => f.chosenDepth)).toEqual(want.chosen);
          expect([s.chosenCycles, s.independentCycles, s.jointRounds]).toEqual([want.joint.cycles, want.rounds[0], want.rounds]);
          expect(s.fifos.map((f) => f.stalledFullCyclesAfter)).toEqual(want.joint.summary.fifos.map((f) => f.fullStallCycles));
          expect(s.fifos.map((f) => [f.fifo, f.widthBytes, f.depth, f.stalledFullCyclesBefore])).toEqual(recorded.summary.fifos.map((f) => [f.fifo, 4, f.depth, f.fullStallCycles]));
          expect([s.retimings, s.deadlockedProbes, s.undecidedProbes, s.jointRunsEmulated, s.jointRunsDeadlocked, s.unboundedRecorded]).toEqual([want.probes + want.rounds.length, want.deadlocked, 0, 0, want.jointDeadlocked, false]);
          expect(s.undecidedExample).toBeUndefined();
          deadlocks += want.deadlocked;
          if (want.rounds.length > 1) raisedRounds++;
          jointDeadlocks += want.jointDeadlocked;
          if (want.chosen.some((d, f) => d > want.independent[f]!)) deeper++;
        },
      ),
      { seed: 23, numRuns: 60 },
    );
    // The draws reach the paths the search has: deadlocked probes and joint runs that raise depths.
    expect(deadlocks).toBeGreaterThan(0);
    expect(raisedRounds).toBeGreaterThan(0);
    expect(deeper).toBeGreaterThan(0);
    expect(jointDeadlocks).toBeGreaterThan(0);
  });
});
