import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, type ActorSpec, type TraceEvent } from './index.js';

interface StageParams {
  ii: number;
  latency: number;
}

const stageArb = fc.record({ ii: fc.integer({ min: 1, max: 5 }), latency: fc.integer({ min: 0, max: 6 }) });

/** A chain src -> s1 -> ... -> sink with the given per-stage costs and FIFO depths. */
function chain(stages: StageParams[], depths: number[], n: number) {
  const g = new GraphBuilder('chain');
  const fifos = depths.map((d, k) => g.stream(`f${k}`, { depth: d, widthBytes: 4 }));
  stages.forEach((s, k) => {
    const spec: ActorSpec = {
      name: `s${k}`,
      ...(k > 0 ? { inputs: { in: { widthBytes: 4 } } } : { firings: n }),
      ...(k < stages.length - 1 ? { outputs: { out: { widthBytes: 4 } } } : {}),
      cost: { iiCycles: s.ii, latencyCycles: s.latency },
    };
    g.invoke(spec, { ...(k > 0 ? { in: { in: fifos[k - 1]! } } : {}), ...(k < stages.length - 1 ? { out: { out: fifos[k]! } } : {}) });
  });
  return g.build();
}

/**
 * A cycle-by-cycle simulation of the chain, written independently of the event engine: each
 * stage is an HLS stall-pipeline loop (in-flight firings count down their latency; a write
 * that finds its FIFO without a slot freezes the whole stage for that cycle: nothing counts
 * down, nothing starts), and FIFO j's token i may be written from 2 cycles after token i - D
 * was read. Within a cycle: due writes, then starts in chain order (a latency-0 write lands
 * at once, so the next stage may read it in the same cycle), then every unfrozen stage ages.
 */
function cycleStepped(stages: StageParams[], depths: number[], n: number): number {
  const K = stages.length;
  const inflight = stages.map(() => [] as number[]); // remaining cycles to each pending write
  const sinceStart = stages.map(() => Infinity); // pipeline cycles since the last start
  const started = stages.map(() => 0);
  const written = depths.map(() => [] as number[]); // write cycle of each token
  const read = depths.map(() => [] as number[]); // read cycle of each token
  const iiEnd = stages.map(() => 0); // cycle the last start's II ends (it moves with stalls)
  let makespan = 0;
  const tryWrite = (k: number, c: number): boolean => {
    const j = written[k]!.length;
    const d = depths[k]!;
    if (j >= d && !(read[k]![j - d]! <= c - 2)) return false;
    written[k]!.push(c);
    inflight[k]!.shift();
    makespan = Math.max(makespan, c);
    return true;
  };
  for (let c = 0; ; c++) {
    if (c > 1e6) throw new Error('reference did not finish');
    const frozen = stages.map(() => false);
    for (let k = 0; k < K - 1; k++) {
      while (inflight[k]!.length > 0 && inflight[k]![0] === 0) {
        if (!tryWrite(k, c)) {
          frozen[k] = true;
          break;
        }
      }
    }
    for (let k = 0; k < K; k++) {
      if (frozen[k] || started[k]! >= n || sinceStart[k]! < stages[k]!.ii) continue;
      if (k > 0) {
        const j = read[k - 1]!.length;
        if (!(written[k - 1]![j]! <= c)) continue;
        read[k - 1]!.push(c);
      }
      started[k]!++;
      sinceStart[k] = 0;
      makespan = Math.max(makespan, c + stages[k]!.latency, c + stages[k]!.ii);
      if (k < K - 1) {
        inflight[k]!.push(stages[k]!.latency);
        if (stages[k]!.latency === 0 && !tryWrite(k, c)) frozen[k] = true;
      }
    }
    for (let k = 0; k < K; k++) {
      if (frozen[k]) continue;
      inflight[k] = inflight[k]!.map((r) => r - 1);
      sinceStart[k]!++;
      if (sinceStart[k] === stages[k]!.ii && started[k]! > 0) iiEnd[k] = c + 1;
    }
    if (started.every((s) => s === n) && inflight.every((q) => q.length === 0)) return Math.max(makespan, ...iiEnd);
  }
}

/** src -> fork -> (left, right) -> join -> sink: a diamond, each FIFO with its own depth. */
function diamond(p: StageParams[], depths: number[], n: number) {
  const g = new GraphBuilder('diamond');
  const names = ['src2fork', 'fork2l', 'fork2r', 'l2join', 'r2join', 'join2sink'];
  const f = Object.fromEntries(names.map((nm, i) => [nm, g.stream(nm, { depth: depths[i]!, widthBytes: 4 })]));
  const c = (i: number) => ({ iiCycles: p[i]!.ii, latencyCycles: p[i]!.latency });
  const port = { widthBytes: 4 };
  g.invoke({ name: 'src', outputs: { out: port }, firings: n, cost: c(0) }, { out: { out: f['src2fork']! } });
  g.invoke({ name: 'fork', inputs: { in: port }, outputs: { l: port, r: port }, cost: c(1) }, { in: { in: f['src2fork']! }, out: { l: f['fork2l']!, r: f['fork2r']! } });
  g.invoke({ name: 'left', inputs: { in: port }, outputs: { out: port }, cost: c(2) }, { in: { in: f['fork2l']! }, out: { out: f['l2join']! } });
  g.invoke({ name: 'right', inputs: { in: port }, outputs: { out: port }, cost: c(3) }, { in: { in: f['fork2r']! }, out: { out: f['r2join']! } });
  g.invoke({ name: 'join', inputs: { a: port, b: port }, outputs: { out: port }, cost: c(4) }, { in: { a: f['l2join']!, b: f['r2join']! }, out: { out: f['join2sink']! } });
  g.invoke({ name: 'sink', inputs: { in: port }, cost: c(5) }, { in: { in: f['join2sink']! } });
  return g.build();
}

function checkOccupancy(events: readonly TraceEvent[], depthOf: Map<string, number>) {
  expect(events.some((e) => e.kind === 'fifo')).toBe(true);
  for (const e of events) if (e.kind === 'fifo') expect(e.occupancy).toBeLessThanOrEqual(depthOf.get(e.fifo)!);
}

describe('engine properties (fast-check)', () => {
  it('chains: cycles equal an independent cycle-by-cycle simulation; every token arrives once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(stageArb, { minLength: 2, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        (stages, depthPool, n) => {
          const depths = stages.slice(1).map((_, k) => depthPool[k]!);
          const graph = chain(stages, depths, n);
          const r = runGraph(graph, { trace: 'full' });
          expect(r.cycles).toBe(cycleStepped(stages, depths, n));
          const sink = r.sinks[`s${stages.length - 1}`]!;
          expect(sink.map((t) => t.meta.index)).toEqual(Array.from({ length: n }, (_, i) => i));
          checkOccupancy(r.events, new Map(graph.fifos.map((f) => [f.name, f.depth])));
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('forks and joins: tokens arrive once and in order, occupancy <= depth, runs are identical', () => {
    fc.assert(
      fc.property(
        fc.array(stageArb, { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 30 }),
        (p, depths, n) => {
          const graph = diamond(p, depths, n);
          const r1 = runGraph(graph, { trace: 'full' });
          const r2 = runGraph(graph, { trace: 'full' });
          expect(r1.sinks['sink']!.map((t) => t.meta.index)).toEqual(Array.from({ length: n }, (_, i) => i));
          checkOccupancy(r1.events, new Map(graph.fifos.map((f) => [f.name, f.depth])));
          expect(JSON.stringify(r2.events)).toBe(JSON.stringify(r1.events));
          expect(r2.summary).toEqual(r1.summary);
          for (const a of r1.summary.actors) {
            expect(a.busyCycles + a.stalledEmptyCycles + a.stalledFullCycles + a.stalledContentionCycles + a.idleCycles).toBe(r1.cycles);
          }
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});
