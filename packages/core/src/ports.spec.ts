import { describe, expect, it } from 'vitest';
import { GraphBuilder, mapFirings, portIndex, portNames, runGraph, sinkActor, sourceActor, type ActorSpec, type RunResult } from './index.js';

// The README's "Ports by index" example, run as written, and the same actor by name.
function joinGraph(join: ActorSpec) {
  const g = new GraphBuilder('join');
  const a = g.stream('a', { depth: 4, widthBytes: 64 });
  const b = g.stream('b', { depth: 4, widthBytes: 64 });
  const o = g.stream('o', { depth: 4, widthBytes: 64 });
  g.invoke(sourceActor({ name: 'srcA', count: 4, widthBytes: 64 }), { out: { out: a } });
  g.invoke(sourceActor({ name: 'srcB', count: 2, widthBytes: 64 }), { out: { out: b } });
  g.invoke(join, { in: { a, b }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 64 }), { in: { in: o } });
  return g.build();
}

function byIndex(): ActorSpec {
  const inputs = { a: { widthBytes: 64 }, b: { widthBytes: 64 } };
  const A = portIndex(inputs, 'a');
  const B = portIndex(inputs, 'b');
  const READ_BOTH = [A, B];
  const READ_A = [A];
  const cost = { iiCycles: 1, latencyCycles: 2 };
  return {
    name: 'join',
    inputs,
    outputs: { out: { widthBytes: 64 } },
    reads: (i) => (i % 2 === 0 ? READ_BOTH : READ_A),
    cost: (f) => {
      cost.iiCycles = f.in[B] ? 2 : 1;
      return cost;
    },
    emit: (f, out) => {
      out[0] = f.in[A];
    },
  };
}

function byName(): ActorSpec {
  return {
    name: 'join',
    inputs: { a: { widthBytes: 64 }, b: { widthBytes: 64 } },
    outputs: { out: { widthBytes: 64 } },
    reads: (i) => (i % 2 === 0 ? ['a', 'b'] : ['a']),
    cost: (f) => ({ iiCycles: f.inputs['b'] ? 2 : 1, latencyCycles: 2 }),
    behaviour: mapFirings((f) => ({ out: f.inputs['a']! })),
  };
}

const view = (r: RunResult) => ({ cycles: r.cycles, ready: r.sinks['sink']!.map((t) => t.readyCycle), index: r.sinks['sink']!.map((t) => t.meta.index) });

describe('ports by index (README example)', () => {
  it('join: firings start at 0, 2, 3, 5 (II 2 when b is read), write 2 cycles later: 2, 4, 5, 7; the sink completes at 8', () => {
    expect(view(runGraph(joinGraph(byIndex())))).toEqual({ cycles: 8, ready: [2, 4, 5, 7], index: [0, 1, 2, 3] });
  });

  it('the same actor by name runs identically (names stay valid)', () => {
    expect(view(runGraph(joinGraph(byName())))).toEqual(view(runGraph(joinGraph(byIndex()))));
  });

  it('firing.in and firing.inputs agree; ports a firing does not read are undefined', () => {
    const seen: string[] = [];
    const spec: ActorSpec = {
      ...byIndex(),
      cost: (f) => {
        seen.push(`${f.index}:${f.in.map((m) => (m ? m.index : '-')).join(',')}:${Object.keys(f.inputs).join('+')}`);
        return { iiCycles: 1, latencyCycles: 0 };
      },
    };
    runGraph(joinGraph(spec));
    expect(seen).toEqual(['0:0,0:a+b', '1:1,-:a', '2:2,1:a+b', '3:3,-:a']);
  });

  it('a port index out of range, or an emit that leaves a written port empty, is an error naming the actor', () => {
    expect(() => runGraph(joinGraph({ ...byIndex(), reads: () => [2] }))).toThrow(/actor 'join': reads\(0\) names input port 2, not an index in \[0, 2\)/);
    expect(() => runGraph(joinGraph({ ...byIndex(), emit: () => {} }))).toThrow(/actor 'join': behaviour gave no token for output port 'out' on firing 0/);
    expect(() => portIndex({ a: { widthBytes: 1 } }, 'b')).toThrow(/no port 'b' \(ports: 'a'\)/);
    expect(() => joinGraph({ ...byIndex(), behaviour: mapFirings((f) => ({ out: f.inputs['a']! })) })).toThrow(/actor 'join' has both 'emit' and 'behaviour'/);
  });

  it('portNames maps index lists back to names for tools that follow a firing rule', () => {
    const inputs = { a: { widthBytes: 1 }, b: { widthBytes: 1 } };
    expect(portNames(inputs, [1, 0])).toEqual(['b', 'a']);
    expect(portNames(inputs, ['a'])).toEqual(['a']);
    expect(() => portNames(inputs, [2])).toThrow(/no port 2/);
  });
});
