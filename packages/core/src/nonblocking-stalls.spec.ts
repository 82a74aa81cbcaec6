import { describe, expect, it } from 'vitest';
import { GraphBuilder, mapFirings, runGraph, sinkActor, sourceActor, type ActorSpec, type ActorStateEvent } from './index.js';

/**
 * Polling actors' waits (issue 23: survivors of mutation testing in the engine's non-blocking
 * reads): the round-robin merge of nonblocking.spec.ts with the trace on. A test at cycle t sees
 * the tokens written by firings that started before t. A firing that tests its inputs and reads
 * none waits (stalled-empty), charged to the first input it found empty.
 */
function merge(latencyCycles: number) {
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

const waits = (events: readonly unknown[]) =>
  (events as ActorStateEvent[]).filter((e) => e.kind === 'actor' && e.actor === 'merge' && e.state === 'stalled-empty').map((e) => [e.startCycle, e.endCycle, e.fifo]);

describe('polling waits (hand-derived)', () => {
  it('each wait is charged to the first input the firing found empty', () => {
    // Latency 1: A writes at 1, 4, 7, B at 1, 2, 3. Firing 0 (prefers a) tests a, then b, at 0:
    // both empty, it waits [0, 1) on a. Firings 1..4 take B0, B1, B2, A1 at 2..5 (see
    // nonblocking.spec.ts). Firing 5 (prefers b) at 6: b is empty (B is done), then a (A2 due
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
