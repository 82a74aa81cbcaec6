import fc from 'fast-check';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, run$, runGraph, sinkActor, sourceActor, type ActorStateEvent, type Graph, type RunResult, type TraceEvent } from './index.js';

/**
 * Where an actor's idle cycles sit in the trace. A retired actor (its firing count reached, or
 * its input ran dry) is idle from its retirement to the end of the run, except while its
 * draining pipeline freezes on a full FIFO: the idle time is split around those freezes. (It
 * used to be one block of `idleCycles` at the end of the run, which overlapped a later freeze.)
 */
function states(events: readonly TraceEvent[], actor: string) {
  return events
    .filter((e): e is ActorStateEvent => e.kind === 'actor' && e.actor === actor)
    .map((e) => [e.state, e.startCycle, e.endCycle])
    .sort((x, y) => (x[1] as number) - (y[1] as number));
}

/**
 * Every actor's trace intervals tile [0, cycles): sorted, each starts where the previous ended,
 * none empty; the idle ones add up to the summary's idle cycles.
 */
function expectTiling(r: RunResult, events: readonly TraceEvent[] = r.events): void {
  for (const x of r.summary.actors) {
    const iv = states(events, x.actor);
    let at = 0;
    for (const [state, s, e] of iv) {
      expect([x.actor, state, s], `${x.actor}: ${JSON.stringify(iv)}`).toEqual([x.actor, state, at]);
      expect(e as number).toBeGreaterThan(s as number);
      at = e as number;
    }
    expect([x.actor, at]).toEqual([x.actor, r.cycles]);
    expectIdleSum(r, events);
  }
}

/** Each actor's idle intervals overlap none of its other intervals and add up to its idle cycles. */
function expectIdleApart(r: RunResult): void {
  for (const x of r.summary.actors) {
    const iv = states(r.events, x.actor);
    for (const [st, s, e] of iv) {
      if (st !== 'idle') continue;
      for (const [st2, s2, e2] of iv) if (st2 !== 'idle' || s2 !== s) expect([x.actor, st2, s2, e2, (s2 as number) < (e as number) && (e2 as number) > (s as number)], JSON.stringify(iv)).toEqual([x.actor, st2, s2, e2, false]);
    }
  }
  expectIdleSum(r, r.events);
}

function expectIdleSum(r: RunResult, events: readonly TraceEvent[]): void {
  for (const x of r.summary.actors) {
    const idle = states(events, x.actor)
      .filter(([st]) => st === 'idle')
      .reduce((t, [, s, e]) => t + (e as number) - (s as number), 0);
    expect([x.actor, idle]).toEqual([x.actor, x.idleCycles]);
  }
}

/** src (3 firings, II 1, latency 5) -> a (depth 1) -> sink (II 4). */
function drainGraph(): Graph {
  const g = new GraphBuilder('drain');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 5 } }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: 4, latencyCycles: 0 } }), { in: { in: a } });
  return g.build();
}

describe('idle intervals in the trace (hand-derived)', () => {
  it("a producer whose pipeline drains into a full FIFO after its last firing: idle split around each freeze", () => {
    // src starts at 0, 1, 2 (busy [0, 3)) and retires at 3; its writes are due at 5, 6, 7.
    // Token 0 is written at 5 and read at once (sink waits on a over [0, 5)), so the slot is
    // writable again from 7: token 1 (due 6) freezes src over [6, 7), which moves token 2 to
    // 8. The sink (II 4) reads token 1 at 9 (slot free from 11): token 2 freezes src over
    // [8, 11). The sink reads it at 13 and ends the run at 17.
    // src: busy 3, stalled-full 1 + 3 = 4, idle 17 - 7 = 10 = [3, 6) + [7, 8) + [11, 17).
    // The old trace had one idle block [7, 17), over both freezes' cycles 8-11.
    const r = runGraph(drainGraph(), { trace: 'full' });
    expect(r.cycles).toBe(17);
    expect(states(r.events, 'src')).toEqual([
      ['busy', 0, 1],
      ['busy', 1, 2],
      ['busy', 2, 3],
      ['idle', 3, 6],
      ['stalled-full', 6, 7],
      ['idle', 7, 8],
      ['stalled-full', 8, 11],
      ['idle', 11, 17],
    ]);
    expect(r.summary.actors[0]).toMatchObject({ busyCycles: 3, stalledFullCycles: 4, idleCycles: 10 });
    expect(states(r.events, 'sink')).toEqual([
      ['stalled-empty', 0, 5],
      ['busy', 5, 9],
      ['busy', 9, 13],
      ['busy', 13, 17],
    ]);
    expectTiling(r);
  });

  it('a stage whose input ran dry with writes still in flight: the dry wait and the rest are idle, split by the freeze', () => {
    // stalls-accounting.spec's 'dry' case: src writes a0 at 0, a1 at 1 and closes a at 4 (its
    // firing 1 has II 3). mid (II 1, latency 5) starts at 0 and 1, waits on a from 2 and
    // retires at 4 when a closes: [2, 4) was a wait for a token that never came, idle. snk
    // (II 10) reads b0 at 5 (slot free from 7): b1, due 6, freezes mid over [6, 7). snk reads
    // b1 at 15 and ends the run at 25. mid: busy 2, full 1, idle 22 = [2, 6) + [7, 25).
    const g = new GraphBuilder('dry');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4, cost: (f) => ({ iiCycles: f.index === 0 ? 1 : 3, latencyCycles: 0 }) }), { out: { out: a } });
    g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 5 } }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: { iiCycles: 10, latencyCycles: 0 } }), { in: { in: b } });
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.cycles).toBe(25);
    expect(states(r.events, 'mid')).toEqual([
      ['busy', 0, 1],
      ['busy', 1, 2],
      ['idle', 2, 6],
      ['stalled-full', 6, 7],
      ['idle', 7, 25],
    ]);
    // src retires at 4, when its II ends: idle [4, 25).
    expect(states(r.events, 'src')).toEqual([
      ['busy', 0, 1],
      ['busy', 1, 4],
      ['idle', 4, 25],
    ]);
    expectTiling(r);
  });

  it('run$ with trace batches streams the same intervals as a full trace', async () => {
    const full = runGraph(drainGraph(), { trace: 'full' });
    const out = await lastValueFrom(run$(drainGraph(), { traceBatches: true }).pipe(toArray()));
    const streamed = out.flatMap((x) => (x.kind === 'trace' ? x.events : []));
    expect(states(streamed, 'src')).toEqual(states(full.events, 'src'));
    expectTiling(full, streamed);
  });
});

const stageArb = fc.record({ ii: fc.integer({ min: 1, max: 4 }), latency: fc.integer({ min: 0, max: 6 }), units: fc.integer({ min: 0, max: 9 }) });

/** s0 (n firings) -> f0 -> s1 -> ... : each later stage retires when its input runs dry; units > 0 requests the shared port R (4 per cycle). */
function chain(stages: readonly { ii: number; latency: number; units: number }[], depths: readonly number[], n: number): Graph {
  const g = new GraphBuilder('chain');
  g.resource({ name: 'R', unitsPerCycle: 4 });
  const f = stages.slice(1).map((_, k) => g.stream(`f${k}`, { depth: depths[k]!, widthBytes: 4 }));
  stages.forEach((s, k) => {
    const last = k === stages.length - 1;
    g.invoke(
      {
        name: `s${k}`,
        ...(k > 0 ? { inputs: { in: { widthBytes: 4 } } } : { firings: n }),
        ...(!last ? { outputs: { out: { widthBytes: 4 } } } : {}),
        ...(s.units > 0 ? { resources: ['R'] } : {}),
        cost: { iiCycles: s.ii, latencyCycles: s.latency, ...(s.units > 0 ? { requests: [{ resource: 'R', units: s.units }] } : {}) },
      },
      { ...(k > 0 ? { in: { in: f[k - 1]! } } : {}), ...(!last ? { out: { out: f[k]! } } : {}) },
    );
  });
  return g.build();
}

describe('a freeze inside a contention wait', () => {
  /**
   * s0 {II 1, latency 1, 1 unit of R} -> f0 (depth 1) -> s1 {II 1, latency 0} -> f1 (depth 1)
   * -> s2 {II 1, latency 0, 8 units of R}; R serves 4 units a cycle; 3 firings.
   * What this spec derives is the trace's layout, from the engine's accounting of s0:
   * - s2's first firing holds R over [2, 4) (8 units at 4 a cycle), so s0's third firing, ready
   *   at 2, waits 2 cycles for R (contention 2), and s0's pipeline freezes on the full f0 over
   *   [3, 4) (full stall 1), inside that wait.
   * - The summary counts the wait and the freeze one after the other (busy 3 + contention 2 +
   *   full 1 + idle 3 = 9 cycles), so the wait resumes after the freeze: [2, 3) and [4, 5), and
   *   the third firing's busy cycle moves to [5, 6). Before the fix the trace showed the wait as
   *   [2, 4), overlapping the freeze, and nothing at [4, 5).
   */
  it("splits the wait around the freeze, so s0's intervals tile the run", () => {
    const r = runGraph(chain([{ ii: 1, latency: 1, units: 1 }, { ii: 1, latency: 0, units: 0 }, { ii: 1, latency: 0, units: 8 }], [1, 1], 3), { trace: 'full' });
    const s0 = r.summary.actors.find((x) => x.actor === 's0')!;
    expect([s0.busyCycles, s0.stalledContentionCycles, s0.stalledFullCycles, s0.idleCycles, r.cycles]).toEqual([3, 2, 1, 3, 9]);
    expect(states(r.events, 's0')).toEqual([
      ['busy', 0, 1],
      ['busy', 1, 2],
      ['stalled-contention', 2, 3],
      ['stalled-full', 3, 4],
      ['stalled-contention', 4, 5],
      ['busy', 5, 6],
      ['idle', 6, 9],
    ]);
    expectTiling(r);
  });
});

describe('idle intervals (fast-check)', () => {
  const args = [fc.array(stageArb, { minLength: 2, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 12 })] as const;

  it("random chains without shared resources: every actor's busy, stalled and idle intervals tile the run", () => {
    fc.assert(
      fc.property(...args, (stages, depths, n) => expectTiling(runGraph(chain(stages.map((s) => ({ ...s, units: 0 })), depths, n), { trace: 'full' }))),
      { numRuns: 200, seed: 9 },
    );
  });

  it('random chains on a shared port: idle intervals overlap no other interval of the actor and add up to its idle cycles', () => {
    fc.assert(
      fc.property(...args, (stages, depths, n) => expectIdleApart(runGraph(chain(stages, depths, n), { trace: 'full' }))),
      { numRuns: 200, seed: 9 },
    );
  });

  it("random chains on a shared port: every actor's intervals tile the run (a freeze inside a contention wait splits the wait)", () => {
    fc.assert(
      fc.property(...args, (stages, depths, n) => expectTiling(runGraph(chain(stages, depths, n), { trace: 'full' }))),
      { numRuns: 200, seed: 9 },
    );
  });
});
