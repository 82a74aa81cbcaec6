import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, costOf, portIndex, portNames, runGraph, sinkActor, sourceActor, type ActorSpec } from './index.js';

/** Errors raised while running name the actor, the firing and the culprit, in full. */
function pair(mid: Partial<ActorSpec>) {
  const g = new GraphBuilder('errs');
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 4, widthBytes: 4 }), { out: { out: a } });
  g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 }, ...mid }, { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
  return g.build();
}

function thrown(f: () => unknown): RunError {
  try {
    f();
  } catch (e) {
    return e as RunError;
  }
  throw new Error('expected a throw');
}

describe('run-time errors name their culprit', () => {
  it('a cost function giving II 0 or a negative or fractional latency, at the firing it happens', () => {
    const e = thrown(() => runGraph(pair({ cost: (f) => ({ iiCycles: f.index === 2 ? 0 : 1, latencyCycles: 0 }) })));
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe("actor 'mid': cost of firing 2 must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=0 latency=0");
    expect([e.actor, e.firingIndex]).toEqual(['mid', 2]);
    expect(thrown(() => runGraph(pair({ cost: (f) => ({ iiCycles: 1, latencyCycles: f.index === 1 ? -1 : 0 }) }))).message).toBe(
      "actor 'mid': cost of firing 1 must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=1 latency=-1",
    );
    expect(thrown(() => runGraph(pair({ cost: (f) => ({ iiCycles: f.index === 3 ? 1.5 : 1, latencyCycles: 0 }) }))).message).toBe(
      "actor 'mid': cost of firing 3 must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=1.5 latency=0",
    );
    expect(thrown(() => runGraph(pair({ cost: (f) => ({ iiCycles: 1, latencyCycles: f.index === 0 ? 0.5 : 0 }) }))).message).toBe(
      "actor 'mid': cost of firing 0 must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=1 latency=0.5",
    );
  });

  it('an emit that throws, with its message and cause', () => {
    const boom = new Error('no table for tile 1');
    const e = thrown(() =>
      runGraph(
        pair({
          emit: (f, out) => {
            if (f.index === 1) throw boom;
            out[0] = { index: f.index };
          },
        }),
      ),
    );
    expect(e.message).toBe("actor 'mid': behaviour failed on firing 1: no table for tile 1");
    expect([e.actor, e.firingIndex, e.cause]).toEqual(['mid', 1, boom]);
    const s = thrown(() =>
      runGraph(
        pair({
          emit: () => {
            throw 'plain string';
          },
        }),
      ),
    );
    expect(s.message).toBe("actor 'mid': behaviour failed on firing 0: plain string");
  });

  it('a reads() test of an unknown port, by name or by index', () => {
    const byName = thrown(() => runGraph(pair({ reads: (_i, ports) => (ports.empty('nope') ? [] : [0]) })));
    expect(byName.message).toBe("actor 'mid': reads() tests unknown input port 'nope'");
    expect(thrown(() => runGraph(pair({ reads: (_i, ports) => (ports.empty(1) ? [] : [0]) }))).message).toBe("actor 'mid': reads() tests unknown input port '1'");
    expect(thrown(() => runGraph(pair({ reads: (_i, ports) => (ports.empty(-1) ? [] : [0]) }))).message).toBe("actor 'mid': reads() tests unknown input port '-1'");
    expect(thrown(() => runGraph(pair({ reads: (_i, ports) => (ports.empty(0.5) ? [] : [0]) }))).message).toBe("actor 'mid': reads() tests unknown input port '0.5'");
    expect(thrown(() => runGraph(pair({ writes: (_i, _in, ports) => (ports.full('x') ? [] : [0]) }))).message).toBe("actor 'mid': writes() tests unknown output port 'x'");
    // Index 0 and name 'in' are the same port: both run, with the same cycles.
    expect(runGraph(pair({ reads: (_i, ports) => (ports.empty(0) ? [] : [0]) })).cycles).toBe(runGraph(pair({ reads: (_i, ports) => (ports.empty('in') ? [] : ['in']) })).cycles);
  });

  it('port helpers: unknown names list the ports (or none); costOf reads static and per-firing costs', () => {
    expect(() => portIndex(undefined, 'a')).toThrow("no port 'a' (ports: none)");
    expect(() => portIndex({ x: { widthBytes: 1 }, y: { widthBytes: 1 } }, 'a')).toThrow("no port 'a' (ports: 'x', 'y')");
    expect(() => portNames({ x: { widthBytes: 1 } }, ['z'])).toThrow("no port 'z' (ports: 'x')");
    expect(() => portNames({ x: { widthBytes: 1 } }, [1])).toThrow("no port 1 (ports: 'x')");
    expect(() => portNames(undefined, [0])).toThrow('no port 0 (ports: none)');
    expect(portNames({ x: { widthBytes: 1 }, y: { widthBytes: 1 } }, [1, 'x'])).toEqual(['y', 'x']);
    const firing = { index: 3 } as Parameters<typeof costOf>[1];
    expect(costOf({ name: 's', cost: { iiCycles: 2, latencyCycles: 5 } }, firing)).toEqual({ iiCycles: 2, latencyCycles: 5 });
    expect(costOf({ name: 'f', cost: (f) => ({ iiCycles: f.index, latencyCycles: 1 }) }, firing)).toEqual({ iiCycles: 3, latencyCycles: 1 });
  });
});
