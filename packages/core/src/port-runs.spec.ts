import { describe, expect, it } from 'vitest';
import { GraphBuilder, portRuns, RunError, runGraph, sinkActor, sourceActor, type ActorSpec, type PortRef } from './index.js';

describe('portRuns: a firing rule as runs of firings', () => {
  it('is a plain rate function: repeating runs, zero-count runs, a last run that goes on', () => {
    const A = [0];
    const B = [1];
    const rep = portRuns([[1, A], [0, [7]], [3, B]], { repeat: true });
    expect([0, 1, 2, 3, 4, 5, 8, 9].map((i) => rep(i))).toEqual([A, B, B, B, A, B, A, B]);
    // Not repeating: past the runs the last list goes on; an Infinity run holds the rest.
    const once = portRuns([[2, A], [1, B]]);
    expect([0, 1, 2, 3, 100].map((i) => once(i))).toEqual([A, A, B, B, B]);
    const inf = portRuns([[1, B], [Infinity, A]]);
    expect([0, 1, 2 ** 40].map((i) => inf(i))).toEqual([B, A, A]);
  });

  it("the README's example: an index register over blocks of 3 tiles, an accumulator's reads", () => {
    const reads = portRuns([[1, [0]], [2, [1]]], { repeat: true });
    const writes = portRuns([[2, [0, 1]], [1, [0]]], { repeat: true });
    expect([reads(3), writes(5)]).toEqual([[0], [0]]);
    expect([0, 1, 2, 3, 4, 5].map((i) => reads(i))).toEqual([[0], [1], [1], [0], [1], [1]]);
    expect([0, 1, 2, 3, 4, 5].map((i) => writes(i))).toEqual([[0, 1], [0, 1], [0], [0, 1], [0, 1], [0]]);
    const accReads = portRuns([[3, [0]], [Infinity, [0, 1]]]);
    expect([0, 2, 3, 11].map((i) => accReads(i))).toEqual([[0], [0], [0, 1], [0, 1]]);
  });

  it('rejects counts that are not whole numbers >= 0 (Infinity only when not repeating) and empty or all-zero repeating runs', () => {
    expect(() => portRuns([])).toThrow('portRuns: no runs');
    expect(() => portRuns([[1.5, [0]]])).toThrow('portRuns: run 0 has count 1.5; counts are integers >= 0 (or Infinity)');
    expect(() => portRuns([[1, [0]], [-1, [0]]])).toThrow('portRuns: run 1 has count -1');
    expect(() => portRuns([[Infinity, [0]]], { repeat: true })).toThrow('portRuns: run 0 has count Infinity; counts are integers >= 0');
    expect(() => portRuns([[0, [0]]], { repeat: true })).toThrow('portRuns: repeating runs of 0 firings in all');
  });

  /**
   * An index register as the LUT-PSum stage has one: firing i reads `in` on the first tile of a
   * block (i % 3 === 0) and the held token (`holdIn`) otherwise, writes `out` always and
   * `holdOut` except on a block's last tile. The same actor with its rates as functions and as
   * runs must run identically (the engine looks the runs up instead of calling them).
   */
  function register(reads: ActorSpec['reads'], writes: ActorSpec['writes']): ReturnType<typeof runGraph> {
    const g = new GraphBuilder('reg');
    const inp = g.stream('in', { depth: 2, widthBytes: 4 });
    const hold = g.stream('hold', { depth: 1, widthBytes: 4 });
    const out = g.stream('out', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 4, widthBytes: 4 }), { out: { out: inp } });
    const reg: ActorSpec = {
      name: 'reg',
      inputs: { in: { widthBytes: 4 }, holdIn: { widthBytes: 4 } },
      outputs: { out: { widthBytes: 4 }, holdOut: { widthBytes: 4 } },
      ...(reads ? { reads } : {}),
      ...(writes ? { writes } : {}),
      cost: { iiCycles: 1, latencyCycles: 0 },
      emit: (f, o) => {
        o[0] = f.in[0] ?? f.in[1];
        o[1] = o[0];
      },
    };
    g.invoke(reg, { in: { in: inp, holdIn: hold }, out: { out, holdOut: hold } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4, cost: { iiCycles: 2, latencyCycles: 0 } }), { in: { in: out } });
    return runGraph(g.build(), { trace: 'full' });
  }

  it('runs an index register exactly as the same rule written as functions (cycles, tokens, summary, trace)', () => {
    const READ_IN = [0];
    const READ_HOLD = ['holdIn'];
    const BOTH: PortRef[] = ['out', 'holdOut'];
    const OUT = [0];
    const fns = register(
      (i) => (i % 3 === 0 ? READ_IN : READ_HOLD),
      (i) => (i % 3 < 2 ? BOTH : OUT),
    );
    const runs = register(portRuns([[1, READ_IN], [2, READ_HOLD]], { repeat: true }), portRuns([[2, BOTH], [1, OUT]], { repeat: true }));
    // By hand: 4 source tokens, 3 register firings each (12 tokens out). The sink (II 2) reads
    // one every 2 cycles from cycle 0: its 12th read at 22, so the run ends at 24.
    expect(runs.sinks['sink']!.map((t) => t.meta.index)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(runs.cycles).toBe(24);
    expect(runs.cycles).toBe(fns.cycles);
    expect(runs.summary).toEqual(fns.summary);
    expect(runs.events).toEqual(fns.events);
    expect(runs.schedulerEvents).toBe(fns.schedulerEvents);
  });

  it('a run naming a port the actor does not have is an error naming the actor and the port', () => {
    const errorOf = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const bad = [errorOf(() => register(portRuns([[1, ['nope']]]), undefined)), errorOf(() => register(undefined, portRuns([[1, [2]]])))];
    expect(bad.map((e) => e instanceof RunError && [e.message, e.actor])).toEqual([
      [`actor 'reg': reads (portRuns) names unknown input port 'nope'`, 'reg'],
      [`actor 'reg': writes (portRuns) names unknown output port 2`, 'reg'],
    ]);
  });
});
