import { describe, expect, it } from 'vitest';
import { GraphBuilder, GraphValidationError, DeadlockError, RunError, toDot, type ActorSpec } from './index.js';

/** GraphBuilder.build lists every problem of a graph, each naming its culprit, in a fixed order. */
describe('graph validation: every problem, named', () => {
  it('a graph with one of each problem lists them all, in declaration order', () => {
    const g = new GraphBuilder('bad');
    g.stream('f', { depth: 2, widthBytes: 4 });
    g.stream('f', { depth: 0, widthBytes: 4 }); // declared twice, depth 0
    g.stream('w', { depth: 2, widthBytes: 4 });
    g.stream('inf', { depth: 2, widthBytes: Number.POSITIVE_INFINITY });
    g.stream('t', { depth: 2, widthBytes: 4, initialTokens: -1 });
    g.stream('u', { depth: 2, widthBytes: 4, initialTokens: 3 });
    g.stream('v', { depth: 2, widthBytes: 4, initialTokens: 0.5 });
    g.resource({ name: 'r', unitsPerCycle: 1 });
    g.resource({ name: 'r', unitsPerCycle: 0 });
    const port = { widthBytes: 4 };
    g.invoke({ name: 'a', outputs: { out: port }, firings: 1.5, cost: { iiCycles: 1, latencyCycles: -1 } }, { out: { out: { name: 'w' }, extra: { name: 't' } } });
    g.invoke({ name: 'a', inputs: { in: port, x: port }, firings: -2, resources: ['r', 'hbm'], cost: undefined as never }, { in: { in: { name: 'w' } } });
    g.invoke({ name: 'b', inputs: { in: { widthBytes: 8 } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: { name: 'w' } } });
    g.invoke({ name: 'c', cost: { iiCycles: 1, latencyCycles: 0 } });
    g.invoke({ name: 'd', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: { name: 'nope' } } });
    let err: GraphValidationError | undefined;
    try {
      g.build();
    } catch (e) {
      err = e as GraphValidationError;
    }
    expect(err).toBeInstanceOf(GraphValidationError);
    expect(err!.name).toBe('GraphValidationError');
    const problems = [
      "FIFO 'f' is declared twice",
      "FIFO 'f': depth must be an integer >= 1, got 0",
      "FIFO 'inf': widthBytes must be > 0, got Infinity",
      "FIFO 't': initialTokens must be an integer in [0, depth], got -1",
      "FIFO 'u': initialTokens must be an integer in [0, depth], got 3",
      "FIFO 'v': initialTokens must be an integer in [0, depth], got 0.5",
      "resource 'r' is declared twice",
      "resource 'r': unitsPerCycle must be an integer >= 1, got 0",
      "actor 'a': binds unknown output port 'extra'",
      "actor 'a': firings must be an integer >= 0, got 1.5",
      "actor 'a': latencyCycles must be an integer >= 0, got -1",
      "actor 'a' is invoked twice (actor names must be unique)",
      "actor 'a': input port 'x' is not connected",
      "actor 'a': firings must be an integer >= 0, got -2",
      "actor 'a' uses undeclared resource 'hbm'",
      "actor 'a' has no cost model",
      "FIFO 'w' is bound twice as an input (by a.in and b.in); a stream has one producer and one consumer",
      "actor 'b': port 'in' is 8 bytes wide but FIFO 'w' is 4 bytes wide",
      "actor 'c' has no inputs, so it needs 'firings' (how many tokens it produces)",
      "actor 'd': port 'in' is bound to undeclared FIFO 'nope'",
      // Its one input is bound to no FIFO, so it has no inputs: a source without 'firings'.
      "actor 'd' has no inputs, so it needs 'firings' (how many tokens it produces)",
      // Both FIFOs named 'f' (the name's index points at the second), then the others unbound.
      "FIFO 'f' has no producer (no output port bound to it)",
      "FIFO 'f' has no consumer (no input port bound to it)",
      "FIFO 'f' has no producer (no output port bound to it)",
      "FIFO 'f' has no consumer (no input port bound to it)",
      "FIFO 'inf' has no producer (no output port bound to it)",
      "FIFO 'inf' has no consumer (no input port bound to it)",
      "FIFO 't' has no producer (no output port bound to it)",
      "FIFO 't' has no consumer (no input port bound to it)",
      "FIFO 'u' has no producer (no output port bound to it)",
      "FIFO 'u' has no consumer (no input port bound to it)",
      "FIFO 'v' has no producer (no output port bound to it)",
      "FIFO 'v' has no consumer (no input port bound to it)",
    ];
    expect(err!.problems).toEqual(problems);
    expect(err!.message).toBe(`graph 'bad' is invalid:\n  - ${problems.join('\n  - ')}`);
  });

  it('two producers of one stream; a source with firings 0 is valid; the default graph name', () => {
    const g = new GraphBuilder();
    const s = g.stream('s', { depth: 1, widthBytes: 4 });
    const src = (name: string): ActorSpec => ({ name, outputs: { out: { widthBytes: 4 } }, firings: 0, cost: { iiCycles: 1, latencyCycles: 0 } });
    g.invoke(src('p'), { out: { out: s } });
    g.invoke(src('q'), { out: { out: s } });
    g.invoke({ name: 'k', inputs: { in: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: s } });
    expect(() => g.build()).toThrow("graph 'graph' is invalid:\n  - FIFO 's' is bound twice as an output (by p.out and q.out); a stream has one producer and one consumer");
    const ok = new GraphBuilder();
    const t = ok.stream('t', { depth: 1, widthBytes: 4 });
    ok.invoke(src('p'), { out: { out: t } });
    ok.invoke({ name: 'k', inputs: { in: { widthBytes: 4 } }, cost: (f) => ({ iiCycles: 1 + f.index, latencyCycles: 0 }) }, { in: { in: t } });
    expect(ok.build().name).toBe('graph');
    expect(new GraphValidationError('m').problems).toEqual(['m']);
  });

  it('error classes carry their names and culprits', () => {
    const d = new DeadlockError(7, [
      { actor: 'x', waitsOn: 'empty', fifo: 'a', sinceCycle: 3 },
      { actor: 'y', waitsOn: 'full', fifo: 'a', sinceCycle: 4 },
      { actor: 'z', waitsOn: 'full', fifo: 'b', sinceCycle: 5 },
    ]);
    expect(d.name).toBe('DeadlockError');
    expect(d.message).toBe("deadlock at cycle 7: no actor can fire; blocked FIFOs: a, b\n  x waits on empty FIFO 'a' (since cycle 3)\n  y waits on full FIFO 'a' (since cycle 4)\n  z waits on full FIFO 'b' (since cycle 5)");
    const r = new RunError('m', 'act', 3);
    expect([r.name, r.actor, r.firingIndex]).toEqual(['RunError', 'act', 3]);
  });
});

describe('toDot', () => {
  it('actors, FIFO edges with depth and width, resources with their users', () => {
    const g = new GraphBuilder('dot');
    g.resource({ name: 'hbm', unitsPerCycle: 32, unit: 'bytes' });
    g.resource({ name: 'bank', unitsPerCycle: 2 });
    const s = g.stream('s', { depth: 3, widthBytes: 8 });
    g.invoke({ name: 'p', outputs: { out: { widthBytes: 8 } }, firings: 1, resources: ['hbm'], cost: { iiCycles: 1, latencyCycles: 0 } }, { out: { out: s } });
    g.invoke({ name: 'c', inputs: { in: { widthBytes: 8 } }, resources: ['hbm', 'bank'], cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: s } });
    expect(toDot(g.build())).toBe(
      [
        'digraph "dot" {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="monospace"];',
        '  "p";',
        '  "c";',
        '  "p" -> "c" [label="s\\ndepth 3, 8 B"];',
        '  "hbm" [shape=cylinder, label="hbm\\n32 bytes/cycle"];',
        '  "p" -> "hbm" [style=dashed, dir=both];',
        '  "c" -> "hbm" [style=dashed, dir=both];',
        '  "bank" [shape=cylinder, label="bank\\n2 unit/cycle"];',
        '  "c" -> "bank" [style=dashed, dir=both];',
        '}',
      ].join('\n'),
    );
  });
});
