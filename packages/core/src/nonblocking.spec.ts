import { describe, expect, it } from 'vitest';
import { DeadlockError, GraphBuilder, mapFirings, runGraph, sinkActor, sourceActor, type ActorSpec, type ActorStateEvent } from './index.js';

/** Round-robin merge of A (II 3) and B (II 1), 3 tokens each; A and B have the given latency. */
function merge(latencyCycles = 1) {
  const g = new GraphBuilder('rr-merge');
  const a = g.stream('a', { depth: 4, widthBytes: 4 });
  const b = g.stream('b', { depth: 4, widthBytes: 4 });
  const o = g.stream('o', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'A', count: 3, widthBytes: 4, cost: { iiCycles: 3, latencyCycles }, meta: (i) => ({ index: i, from: 'A' }) }), { out: { out: a } });
  g.invoke(sourceActor({ name: 'B', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles }, meta: (i) => ({ index: i, from: 'B' }) }), { out: { out: b } });
  const rr: ActorSpec = {
    name: 'merge',
    inputs: { a: { widthBytes: 4 }, b: { widthBytes: 4 } },
    outputs: { out: { widthBytes: 4 } },
    firings: 6,
    // Firing i prefers a (i even) or b (i odd) and takes the other if the preferred is empty.
    reads: (i, ports) => {
      const [first, second] = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
      if (!ports.empty(first!)) return [first!];
      if (!ports.empty(second!)) return [second!];
      return [];
    },
    cost: { iiCycles: 1, latencyCycles: 0 },
    behaviour: mapFirings((f) => ({ out: (f.inputs['a'] ?? f.inputs['b'])! })),
  };
  g.invoke(rr, { in: { a, b }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
  return g.build();
}

describe('non-blocking reads: a round-robin merge', () => {
  it('takes tokens as they are visible, in the documented order and cycles', () => {
    // A writes at 1, 4, 7 (II 3, latency 1); B at 1, 2, 3. The merge tests at 0 (both empty:
    // it waits), then fires at 1: prefers a -> A0; 2: prefers b -> B0; 3: prefers a (empty
    // until 4) -> B1; 4: prefers b -> B2; 5: prefers a -> A1; 6: prefers b (B is done), a is
    // empty until 7: it waits and fires at 7 -> A2. Each token goes out the cycle it is taken
    // (latency 0) and the sink reads it then; the last at 7 (sink done at 8). The run ends
    // when A's last firing (start 6, II 3) completes: 9.
    const r = runGraph(merge());
    const got = r.sinks['sink']!.map((t) => `${t.meta['from'] as string}${t.meta.index}@${t.readyCycle}`);
    expect(got).toEqual(['A0@1', 'B0@2', 'B1@3', 'B2@4', 'A1@5', 'A2@7']);
    expect(r.cycles).toBe(9);
    // Waiting on empty inputs is stalled-empty time: [0, 1) and [6, 7).
    expect(r.summary.actors.find((x) => x.actor === 'merge')!.stalledEmptyCycles).toBe(2);
  });
});

describe('non-blocking writes: a producer that drops what a full FIFO cannot take', () => {
  it('writes when a slot is free, drops otherwise: tokens at 0, 2, 5, 8 of 10', () => {
    // P (II 1, latency 0) fires at 0..9 and writes only if the depth-1 FIFO is not full; C
    // (II 3) reads. 0: written, read at 0 -> writable again at 2; 1: full, dropped; 2: written,
    // read at 3 -> writable at 5; 3, 4: full; 5: written, read at 6; 6, 7: full; 8: written, read
    // at 9; 9: full. C reads at 0, 3, 6, 9 and ends at 12. Full means the same whichever of P
    // and C fires first in a cycle: a read in cycle t frees a slot for t + 2.
    for (const order of ['P first', 'C first'] as const) {
      const g = new GraphBuilder('drop');
      const f = g.stream('f', { depth: 1, widthBytes: 4 });
      const p: ActorSpec = { name: 'P', outputs: { out: { widthBytes: 4 } }, firings: 10, writes: (_i, _in, ports) => (ports.full('out') ? [] : ['out']), cost: { iiCycles: 1, latencyCycles: 0 } };
      const c = sinkActor({ name: 'C', widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 0 } });
      if (order === 'P first') g.invoke(p, { out: { out: f } }).invoke(c, { in: { in: f } });
      else g.invoke(c, { in: { in: f } }).invoke(p, { out: { out: f } });
      const r = runGraph(g.build());
      expect(r.sinks['C']!.map((t) => [t.meta.index, t.readyCycle])).toEqual([
        [0, 0],
        [2, 2],
        [5, 5],
        [8, 8],
      ]);
      expect(r.cycles).toBe(12);
      expect(r.summary.actors.find((x) => x.actor === 'P')!.stalledFullCycles).toBe(0);
    }
  });
});

describe('initial tokens: a credit loop', () => {
  /** P sends N tokens to C, each only with a credit; C returns a credit per token (but the last `credits`). */
  function creditLoop(n: number, credits: number) {
    const g = new GraphBuilder('credit-loop');
    const data = g.stream('data', { depth: 4, widthBytes: 4 });
    const credit = g.stream('credit', { depth: 2, widthBytes: 4, initialTokens: credits });
    const port = { widthBytes: 4 };
    g.invoke({ name: 'P', inputs: { credit: port }, outputs: { data: port }, firings: n, cost: { iiCycles: 1, latencyCycles: 1 } }, { in: { credit }, out: { data } });
    g.invoke(
      { name: 'C', inputs: { data: port }, outputs: { credit: port }, firings: n, writes: (i) => (i < n - credits ? ['credit'] : []), cost: { iiCycles: 1, latencyCycles: 3 } },
      { in: { data }, out: { credit } },
    );
    return g.build();
  }

  it('two credits keep two tokens in flight: P fires at 4m and 4m + 1, the run ends at 2N + 1', () => {
    // P firing i takes credit i: credits 0 and 1 are there at 0; credit j >= 2 is C's firing
    // j - 2's, written at its start + 3. P starts 0, 1 (data at 1, 2); C reads at 1, 2 and
    // returns credits at 4, 5; P starts 4, 5; ... so s_P(2m) = 4m, s_P(2m + 1) = 4m + 1. The
    // last data token (i = N - 1, N even) is written at 4(N/2 - 1) + 2 = 2N - 2 and C, reading it
    // then, completes at 2N - 2 + 3 = 2N + 1.
    const N = 10;
    const r = runGraph(creditLoop(N, 2));
    expect(r.cycles).toBe(2 * N + 1);
    expect(r.summary.actors.map((x) => x.firings)).toEqual([N, N]);
    // P waits for a credit 2 cycles of every 4: [2, 4), [6, 8), ...: 2 (N/2 - 1) cycles.
    expect(r.summary.actors[0]!.stalledEmptyCycles).toBe(2 * (N / 2 - 1));
  });

  it('no initial credit: a deadlock in the cycle, naming both actors and FIFOs', () => {
    let err: unknown;
    try {
      runGraph(creditLoop(4, 0));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeadlockError);
    expect((err as DeadlockError).blocked).toEqual([
      { actor: 'P', waitsOn: 'empty', fifo: 'credit', sinceCycle: 0 },
      { actor: 'C', waitsOn: 'empty', fifo: 'data', sinceCycle: 0 },
    ]);
  });

  it('rejects more initial tokens than slots', () => {
    const g = new GraphBuilder('bad');
    const f = g.stream('f', { depth: 2, widthBytes: 4, initialTokens: 3 });
    g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4 }), { out: { out: f } });
    g.invoke(sinkActor({ name: 'k', widthBytes: 4 }), { in: { in: f } });
    expect(() => g.build()).toThrow(/FIFO 'f': initialTokens must be an integer in \[0, depth\], got 3/);
  });
});

/**
 * Polling actors' waits (issue 23: survivors of mutation testing in the engine's non-blocking
 * reads): the round-robin merge above with the trace on. A test at cycle t sees
 * the tokens written by firings that started before t. A firing that tests its inputs and reads
 * none waits (stalled-empty), charged to the first input it found empty.
 */
const waits = (events: readonly unknown[]) =>
  (events as ActorStateEvent[]).filter((e) => e.kind === 'actor' && e.actor === 'merge' && e.state === 'stalled-empty').map((e) => [e.startCycle, e.endCycle, e.fifo]);

describe('polling waits (hand-derived)', () => {
  it('each wait is charged to the first input the firing found empty', () => {
    // Latency 1: A writes at 1, 4, 7, B at 1, 2, 3. Firing 0 (prefers a) tests a, then b, at 0:
    // both empty, it waits [0, 1) on a. Firings 1..4 take B0, B1, B2, A1 at 2..5 (see
    // above). Firing 5 (prefers b) at 6: b is empty (B is done), then a (A2 due
    // at 7): it waits [6, 7) on b, and takes A2 at 7.
    const r = runGraph(merge(1), { trace: 'full' });
    expect(waits(r.events)).toEqual([
      [0, 1, 'a'],
      [6, 7, 'b'],
    ]);
    // The sink waits on o over the same cycles: [0, 1) and [6, 7).
    expect(r.summary.fifos.map((f) => [f.fifo, f.emptyStallCycles])).toEqual([
      ['a', 1],
      ['b', 1],
      ['o', 2],
    ]);
  });

  it('a token written in the cycle of the test is seen the next cycle: the merge fires at 1, not 0', () => {
    // Latency 0: A writes at 0, 3, 6, B at 0, 1, 2. At 0 both FIFOs hold a token written by a
    // firing that started at 0, not visible yet: the merge waits [0, 1) on a. Then firing 1 at 1
    // takes A0 (a preferred); 2: B0; 3: a preferred, but A1 (written at 3) is seen from 4: B1;
    // 4: B2; 5: A1; firing 5 at 6 prefers b (B is done and empty), and A2 (written at 6) is seen
    // from 7: it waits [6, 7) on b and takes A2 at 7.
    const r = runGraph(merge(0), { trace: 'full' });
    const got = r.sinks['sink']!.map((t) => `${t.meta['from'] as string}${t.meta.index}@${t.readyCycle}`);
    expect(got).toEqual(['A0@1', 'B0@2', 'B1@3', 'B2@4', 'A1@5', 'A2@7']);
    expect(waits(r.events)).toEqual([
      [0, 1, 'a'],
      [6, 7, 'b'],
    ]);
  });
});
