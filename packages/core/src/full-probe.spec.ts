import { describe, expect, it } from 'vitest';
import { GraphBuilder, retime, runGraph, sinkActor, type ActorSpec } from './index.js';

/**
 * A write rate that tests `ports.full()` (engine-run.ts probe): the test sees the FIFO's slot
 * rules (a self-loop slot is writable the cycle it was read), and a recorded run that tested a
 * port without blocking is not re-timed exactly.
 */

/** acc carries its state in a self-loop (depth 1, one initial token) and writes `out` each firing. */
function stateLoop(writes: ActorSpec['writes'], firings: number) {
  const g = new GraphBuilder('loop');
  const s = g.stream('state', { depth: 1, widthBytes: 4, initialTokens: 1 });
  const o = g.stream('o', { depth: 2, widthBytes: 4 });
  g.invoke(
    { name: 'acc', inputs: { s: { widthBytes: 4 } }, outputs: { s: { widthBytes: 4 }, out: { widthBytes: 4 } }, firings, writes, cost: { iiCycles: 1, latencyCycles: 0 } },
    { in: { s }, out: { s, out: o } },
  );
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
  return g.build();
}

describe('ports.full() in a write rate', () => {
  it('a self-loop slot read by this firing is free for its write: full() is false', () => {
    // Firing i reads the state at cycle i, freeing the loop's only slot at i; a self-loop slot
    // is reusable the cycle it is freed (a register), so full('s') is false at i and every
    // firing writes s and out: 3 firings at 0, 1, 2, the sink reads out at 0, 1, 2: 3 cycles.
    const seen: boolean[] = [];
    const r = runGraph(
      stateLoop((i, _in, ports) => {
        const full = ports.full('s');
        seen.push(full);
        return i < 2 ? ['s', 'out'] : ['out'];
      }, 3),
    );
    expect(seen).toEqual([false, false, false]);
    expect(r.cycles).toBe(3);
    expect(r.summary.fifos.map((f) => [f.fifo, f.tokens])).toEqual([
      ['state', 3],
      ['o', 3],
    ]);
  });

  it('a plain FIFO is full until 2 cycles after the read that frees its slot', () => {
    // src fires at 0, 1, 2, 3 (II 1) into o (depth 1), writing only when full('out') is false;
    // the sink reads each token the cycle it lands. Firing 0 writes at 0 (empty FIFO), read at
    // 0: the slot is writable from 0 + 2 = 2. Firing 1 at 1 finds it full and writes nothing;
    // firing 2 writes at 2 (read at 2), firing 3 at 3 finds it full. Tokens: 0 and 2.
    const g = new GraphBuilder('plain');
    const o = g.stream('o', { depth: 1, widthBytes: 4 });
    const seen: boolean[] = [];
    g.invoke(
      {
        name: 'src',
        outputs: { out: { widthBytes: 4 } },
        firings: 4,
        writes: (_i, _in, ports) => {
          seen.push(ports.full('out'));
          return seen[seen.length - 1] ? [] : ['out'];
        },
        cost: { iiCycles: 1, latencyCycles: 0 },
      },
      { out: { out: o } },
    );
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
    const r = runGraph(g.build());
    expect(seen).toEqual([false, true, false, true]);
    expect(r.sinks['sink']!.map((t) => [t.meta.index, t.readyCycle])).toEqual([
      [0, 0],
      [2, 2],
    ]);
  });

  it('a recorded run that tested full() is re-timed by a full re-run, and says why', () => {
    const graph = stateLoop((i, _in, ports) => (ports.full('out') || i === 2 ? ['out'] : ['s', 'out']), 3);
    const r = runGraph(graph, { record: true });
    expect(r.recording!.nonBlocking).toBe(true);
    const x = retime(r.recording!);
    expect(x.exact).toBe(false);
    if (!x.exact) expect(x.reason).toBe('the run tests ports without blocking (ports.empty()/full()): their outcome depends on the firing order');
    expect(x.cycles).toBe(r.cycles);
  });
});
