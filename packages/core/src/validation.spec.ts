import { filter, map, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, mapFirings, runGraph, Simulation, sinkActor, sourceActor, suggestFifoDepths, interleavedRequests, RunError, type ActorSpec, type Graph, type TokenMeta } from './index.js';

/**
 * Bad input gets a clear error naming the culprit (developers' guide), through the public API:
 * each case names the FIFO, resource, actor, port or firing at fault and the value it got.
 * Found missing by mutation testing (issue 23): no spec gave these inputs.
 */
const port = { widthBytes: 4 };

/** src -> a -> `actor` -> b -> sink, N tokens. */
function around(actor: ActorSpec, n = 3, extra: (g: GraphBuilder) => void = () => {}): Graph {
  const g = new GraphBuilder('v');
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  extra(g);
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4 }), { out: { out: a } });
  g.invoke(actor, { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
  return g.build();
}

const stage = (over: Partial<ActorSpec>): ActorSpec => ({ name: 'mid', inputs: { in: port }, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 0 }, ...over });

describe('bad graphs and specs are refused by name', () => {
  it('a FIFO of width 0 or a fractional depth', () => {
    expect(() => runGraph(around(stage({}), 3, (g) => g.stream('w0', { depth: 2, widthBytes: 0 })))).toThrow(/FIFO 'w0': widthBytes must be > 0, got 0/);
    expect(() => runGraph(around(stage({}), 3, (g) => g.stream('d', { depth: 1.5, widthBytes: 4 })))).toThrow(/FIFO 'd': depth must be an integer >= 1, got 1.5/);
  });

  it('a resource serving a fractional or zero number of units per cycle', () => {
    for (const unitsPerCycle of [0, 2.5]) {
      const message = `resource 'bus': unitsPerCycle must be an integer >= 1, got ${unitsPerCycle}`;
      // At build (GraphBuilder), and at run for a Graph put together without the builder.
      expect(() => around(stage({ resources: ['bus'] }), 3, (b) => b.resource({ name: 'bus', unitsPerCycle }))).toThrow(message);
      const ok = around(stage({ resources: ['bus'] }), 3, (b) => b.resource({ name: 'bus', unitsPerCycle: 1 }));
      expect(() => runGraph({ ...ok, resources: [{ name: 'bus', unitsPerCycle }] })).toThrow(message);
    }
  });

  it('a request for a fractional or negative number of units names the resource and the unit', () => {
    for (const units of [-1, 0.5]) {
      const g = around(stage({ resources: ['bus'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'bus', units }] } }), 3, (b) =>
        b.resource({ name: 'bus', unitsPerCycle: 4, unit: 'byte' }),
      );
      expect(() => runGraph(g)).toThrow(new RegExp(`resource 'bus': a request must be a whole number >= 0 of bytes, got ${units}`));
    }
  });

  it('a request for a resource the graph does not declare names the actor and the firing', () => {
    const g = around(stage({ cost: (f) => ({ iiCycles: 1, latencyCycles: 0, requests: f.index === 1 ? [{ resource: 'nowhere', units: 1 }] : [] }) }));
    const e = captured(() => runGraph(g));
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe("actor 'mid': firing 1 requests undeclared resource 'nowhere'");
  });

  it('a request for a graph resource the actor does not list in its resources names the actor and the firing', () => {
    // The contract (actor.ts): a request names a resource listed in the actor's resources. Early
    // grants rely on it (a sole lister's request is granted when made, so an unlisted requester
    // in the same cycle would be served after it whatever the policy): refused, not arbitrated.
    const g = around(
      stage({ cost: (f) => ({ iiCycles: 1, latencyCycles: 0, requests: f.index === 1 ? [{ resource: 'bus', units: 1 }] : [] }) }),
      3,
      (b) => b.resource({ name: 'bus', unitsPerCycle: 4, unit: 'byte' }),
    );
    const e = captured(() => runGraph(g));
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe("actor 'mid': firing 1 requests resource 'bus', which it does not list in its resources");
  });

  it('reads or writes naming a port the actor does not have', () => {
    expect(() => runGraph(around(stage({ reads: () => ['inn'] })))).toThrow("actor 'mid': reads(0) names unknown input port 'inn'");
    expect(() => runGraph(around(stage({ writes: (i) => (i === 2 ? ['outt'] : ['out']) })))).toThrow("actor 'mid': writes(2) names unknown output port 'outt'");
  });

  it('an interleaved group with no channels, a zero stripe, or a negative access size', () => {
    expect(() => interleavedRequests({ name: 'hbm', channels: 0, interleaveBytes: 256, unitsPerCycle: 32 }, 0, 4)).toThrow("resource group 'hbm': channels must be an integer >= 1, got 0");
    expect(() => interleavedRequests({ name: 'hbm', channels: 4, interleaveBytes: 0, unitsPerCycle: 32 }, 0, 4)).toThrow("resource group 'hbm': interleaveBytes must be an integer >= 1, got 0");
    expect(() => interleavedRequests({ name: 'hbm', channels: 4, interleaveBytes: 256, unitsPerCycle: 32 }, 0, -4)).toThrow("resource group 'hbm': bytes must be an integer >= 0, got -4");
    expect(() => interleavedRequests({ name: 'hbm', channels: 4, interleaveBytes: 256, unitsPerCycle: 32 }, 0.5, 4)).toThrow("resource group 'hbm': address must be an integer >= 0, got 0.5");
  });

  it('suggestFifoDepths refuses a cap below 1', () => {
    expect(() => suggestFifoDepths(around(stage({})), { unboundedDepth: 0 })).toThrow('unboundedDepth must be an integer >= 1, got 0');
  });

  it('a Simulation runs once', () => {
    const sim = new Simulation(around(stage({})));
    expect(sim.run().cycles).toBeGreaterThanOrEqual(3);
    expect(() => sim.run()).toThrow('a Simulation runs once; create another for a new run');
  });
});

describe('behaviours that break the one-token-per-firing contract are refused by name', () => {
  it('a behaviour that throws: the actor, the firing and the cause', () => {
    const g = around(
      stage({
        behaviour: mapFirings((f) => {
          if (f.index === 2) throw new Error('no table for block 2');
          return { out: f.inputs['in']! };
        }),
      }),
    );
    const e = captured(() => runGraph(g));
    expect(e.message).toBe("actor 'mid': behaviour failed on firing 2: no table for block 2");
    expect((e.cause as Error).message).toBe('no table for block 2');
  });

  it('a behaviour that gives no token for a port the firing writes', () => {
    const g = around(stage({ behaviour: mapFirings((f): Record<string, TokenMeta> => (f.index === 1 ? {} : { out: f.inputs['in']! })) }));
    expect(() => runGraph(g)).toThrow("actor 'mid': behaviour gave no token for output port 'out' on firing 1");
  });

  it('an operator behaviour that emits no token, or two, for one firing', () => {
    const none = around(stage({ behaviour: (f$) => f$.pipe(filter((f) => f.index !== 1), map((f) => ({ out: f.inputs['in']! }))) }));
    expect(() => runGraph(none)).toThrow("actor 'mid': behaviour emitted 0 times for firing 1; it must emit exactly once per firing");
    const twice = around(stage({ behaviour: (f$) => f$.pipe(mergeMap((f) => (f.index === 2 ? [{ out: f.inputs['in']! }, { out: f.inputs['in']! }] : [{ out: f.inputs['in']! }]))) }));
    expect(() => runGraph(twice)).toThrow("actor 'mid': behaviour emitted 2 times for firing 2; it must emit exactly once per firing");
  });
});

function captured(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
