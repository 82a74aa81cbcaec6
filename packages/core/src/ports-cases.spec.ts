import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, mapFirings, runGraph, sinkActor, sourceActor, type ActorSpec, type PortRef, type TokenMeta } from './index.js';
import { thrown } from '../test-support/thrown.js';

/**
 * How the engine resolves an actor's ports and the metadata it writes (ports.ts), through runs of
 * small graphs: the default metadata, which actors count as sinks, which firings a behaviour
 * sees, the by-name record a rate reads, port lists mixing names and indices, and cycles past
 * 2^30. Every expected value follows from the rule named beside it.
 */

const ONE: { iiCycles: number; latencyCycles: number } = { iiCycles: 1, latencyCycles: 0 };


/** Sources a (count na, metadata index 100 + i) and b (count nb, 200 + i) into `mid` (inputs a, b; output out), then a sink. */
function twoIn(mid: Partial<ActorSpec>, na: number, nb: number) {
  const g = new GraphBuilder('two-in');
  const a = g.stream('a', { depth: 4, widthBytes: 4 });
  const b = g.stream('b', { depth: 4, widthBytes: 4 });
  const o = g.stream('o', { depth: 4, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'srcA', count: na, widthBytes: 4, meta: (i) => ({ index: 100 + i }) }), { out: { out: a } });
  g.invoke(sourceActor({ name: 'srcB', count: nb, widthBytes: 4, meta: (i) => ({ index: 200 + i }) }), { out: { out: b } });
  g.invoke({ name: 'mid', inputs: { a: { widthBytes: 4 }, b: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: ONE, ...mid }, { in: { a, b }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
  return g.build();
}

const indices = (metas: readonly { meta: TokenMeta }[]) => metas.map((t) => t.meta.index);

describe('default metadata (no emit, no behaviour)', () => {
  it('a source writes {index, last} with last on its final firing', () => {
    // outputsOf: no input read, so each written port gets { index: i, last: i === firings - 1 }.
    const g = new GraphBuilder('src');
    const f = g.stream('f', { depth: 2, widthBytes: 4 });
    g.invoke({ name: 'src', outputs: { out: { widthBytes: 4 } }, firings: 3, cost: ONE }, { out: { out: f } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: f } });
    const r = runGraph(g.build());
    expect(r.sinks['sink']!.map((t) => t.meta)).toEqual([
      { index: 0, last: false },
      { index: 1, last: false },
      { index: 2, last: true },
    ]);
  });

  it('a relay forwards the metadata of the first port it read, not its own firing index', () => {
    // Firing i of `mid` reads b only when i is even... here: it reads ['b'] on even firings and
    // ['a', 'b'] on odd ones; the first port read is b on even firings, a on odd ones. srcA makes
    // 2 tokens (read by firings 1, 3), srcB 4. Forwarded: 200, 100, 202, 101.
    const r = runGraph(twoIn({ reads: (i) => (i % 2 === 0 ? ['b'] : ['a', 'b']), firings: 4 }, 2, 4));
    expect(indices(r.sinks['sink']!)).toEqual([200, 100, 202, 101]);
  });
});

describe('sinks and behaviours', () => {
  it('only actors with inputs and no outputs are sinks: result.sinks has no relay, source or port-less actor', () => {
    const g = new GraphBuilder('kinds');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4 }), { out: { out: a } });
    g.invoke({ name: 'relay', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: ONE }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
    // No ports at all: a timer that fires twice (II 3), neither a source of tokens nor a sink.
    g.invoke({ name: 'timer', firings: 2, cost: { iiCycles: 3, latencyCycles: 0 } }, {});
    const r = runGraph(g.build());
    expect(Object.keys(r.sinks)).toEqual(['sink']);
    expect(indices(r.sinks['sink']!)).toEqual([0, 1]);
    // The timer's two firings at 0 and 3, each busy for its II: the run ends at 6.
    expect(r.cycles).toBe(6);
  });

  it('an emit sees every firing, also those its write rate leaves without an output', () => {
    // writes: out on even firings only; emit is called on all four (a behaviour may keep state).
    const seen: number[] = [];
    const g = twoIn(
      {
        reads: () => ['a'],
        firings: 4,
        writes: (i) => (i % 2 === 0 ? ['out'] : []),
        emit: (f, out) => {
          seen.push(f.index);
          if (f.index % 2 === 0) out[0] = { index: f.in[0]!.index };
        },
      },
      4,
      0,
    );
    const r = runGraph(g);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(indices(r.sinks['sink']!)).toEqual([100, 102]);
  });

  it('a write rate that declares its inputs parameter gets the tokens read, by port name', () => {
    // writes(i, inputs): out only when the token read on port a has an even index: 100, 102.
    const r = runGraph(twoIn({ reads: () => ['a'], firings: 4, writes: (_i, inputs) => ((inputs['a']?.index ?? 1) % 2 === 0 ? ['out'] : []) }, 4, 0));
    expect(indices(r.sinks['sink']!)).toEqual([100, 102]);
  });

  it('firing.inputs holds exactly the ports this firing read, whatever the pattern before it', () => {
    // Firings alternate ['a', 'b'] and ['b']: each pattern has its own record; the ['b'] firing
    // must not see a left over from the ['a', 'b'] one.
    const keys: string[] = [];
    const r = runGraph(
      twoIn(
        {
          reads: (i) => (i % 2 === 0 ? ['a', 'b'] : ['b']),
          firings: 4,
          behaviour: mapFirings((f) => {
            keys.push(Object.keys(f.inputs).sort().join('+'));
            return { out: f.inputs['b']! };
          }),
        },
        2,
        4,
      ),
    );
    expect(keys).toEqual(['a+b', 'b', 'a+b', 'b']);
    expect(indices(r.sinks['sink']!)).toEqual([200, 201, 202, 203]);
  });

  it('an actor with 33 inputs: a firing reading p0 after one reading p32 sees only p0 (bit 32 of a mask would alias bit 0)', () => {
    const N = 33;
    const g = new GraphBuilder('wide');
    const names = Array.from({ length: N }, (_, k) => `p${k}`);
    const streams = names.map((p) => g.stream(p, { depth: 2, widthBytes: 4 }));
    g.invoke(
      // One firing writing p0 and p32 only (the other FIFOs stay empty).
      { name: 'src', outputs: Object.fromEntries(names.map((p) => [p, { widthBytes: 4 }])), firings: 1, writes: () => ['p0', 'p32'], cost: ONE },
      { out: Object.fromEntries(names.map((p, k) => [p, streams[k]!])) },
    );
    const keys: string[] = [];
    g.invoke(
      {
        name: 'wide',
        inputs: Object.fromEntries(names.map((p) => [p, { widthBytes: 4 }])),
        firings: 2,
        reads: (i) => (i === 0 ? ['p32'] : ['p0']),
        cost: (f) => {
          keys.push(Object.keys(f.inputs).join('+'));
          return ONE;
        },
      },
      { in: Object.fromEntries(names.map((p, k) => [p, streams[k]!])) },
    );
    runGraph(g.build());
    expect(keys).toEqual(['p32', 'p0']);
  });
});

describe('port lists of reads and writes', () => {
  it('a name list may hold indices: each one is checked against the port count, the culprit named', () => {
    // ['a', 1] names ports 0 and 1: mid forwards a's token (the first read).
    const ok = runGraph(twoIn({ reads: () => ['a', 1] as PortRef[], firings: 2 }, 2, 2));
    expect(indices(ok.sinks['sink']!)).toEqual([100, 101]);
    const two = thrown<RunError>(() => runGraph(twoIn({ reads: () => ['a', 2] as PortRef[], firings: 2 }, 2, 2)));
    expect(two).toBeInstanceOf(RunError);
    expect(two.message).toBe("actor 'mid': reads(0) names unknown input port '2'");
    expect([two.actor, two.firingIndex]).toEqual(['mid', 0]);
    expect(thrown<RunError>(() => runGraph(twoIn({ reads: () => ['a', -1] as PortRef[], firings: 2 }, 2, 2))).message).toBe("actor 'mid': reads(0) names unknown input port '-1'");
    expect(thrown<RunError>(() => runGraph(twoIn({ reads: () => ['b', 0.5] as PortRef[], firings: 2 }, 2, 2))).message).toBe("actor 'mid': reads(0) names unknown input port '0.5'");
    expect(thrown<RunError>(() => runGraph(twoIn({ firings: 2, writes: (i) => (i === 1 ? ['out', 1] : ['out']) as PortRef[] }, 2, 2))).message).toBe("actor 'mid': writes(1) names unknown output port '1'");
  });

  it('an index list with a negative or fractional index is an error naming it', () => {
    const e = thrown<RunError>(() => runGraph(twoIn({ reads: (i) => (i === 1 ? [-1] : [0, 1]), firings: 2 }, 2, 2)));
    expect(e.message).toBe("actor 'mid': reads(1) names input port -1, not an index in [0, 2)");
    expect([e.actor, e.firingIndex]).toEqual(['mid', 1]);
    // A fraction is not an index either (it would be truncated to port 0).
    expect(thrown<RunError>(() => runGraph(twoIn({ reads: () => [0.5], firings: 2 }, 2, 2))).message).toBe("actor 'mid': reads(0) names input port 0.5, not an index in [0, 2)");
  });

  it('a rate that returns one array, changed in place between firings, is read afresh each time', () => {
    // The list object is reused: ['a'], then ['b'], ['a'], ['b']. Forwarded: 100, 200, 101, 201.
    const list: string[] = ['a'];
    const r = runGraph(
      twoIn(
        {
          reads: (i) => {
            list[0] = i % 2 === 0 ? 'a' : 'b';
            return list;
          },
          firings: 4,
        },
        2,
        2,
      ),
    );
    expect(indices(r.sinks['sink']!)).toEqual([100, 200, 101, 201]);
  });
});

describe('cycles past 2^30', () => {
  it('a firing starting at 2^31 or 2^32 sees its cycle exactly (no 32-bit wrap)', () => {
    // II 2^31: firings start at 0, 2^31, 2^32; the last one's II ends the run at 3 * 2^31.
    const seen: number[] = [];
    const g = new GraphBuilder('far');
    const f = g.stream('f', { depth: 2, widthBytes: 4 });
    g.invoke(
      sourceActor({
        name: 'src',
        count: 3,
        widthBytes: 4,
        cost: (x) => {
          seen.push(x.cycle);
          return { iiCycles: 2 ** 31, latencyCycles: 0 };
        },
      }),
      { out: { out: f } },
    );
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: f } });
    const r = runGraph(g.build());
    expect(seen).toEqual([0, 2 ** 31, 2 ** 32]);
    expect(r.cycles).toBe(3 * 2 ** 31);
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([0, 2 ** 31, 2 ** 32]);
  });
});

describe('self-loop FIFOs', () => {
  it('state carried in a self-loop reuses its slot the cycle it is read: stall-free depth 1, not 2', () => {
    const g = new GraphBuilder('loop');
    const s = g.stream('state', { depth: 2, widthBytes: 4, initialTokens: 1 });
    const o = g.stream('o', { depth: 2, widthBytes: 4 });
    g.invoke(
      { name: 'acc', inputs: { s: { widthBytes: 4 } }, outputs: { s: { widthBytes: 4 }, out: { widthBytes: 4 } }, firings: 3, writes: (i) => (i < 2 ? ['s', 'out'] : ['out']), cost: ONE },
      { in: { s }, out: { s, out: o } },
    );
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
    const r = runGraph(g.build());
    // acc fires at 0, 1, 2 (II 1; firing 0 reads the initial token). state: token 0 (initial,
    // written 0) read at 0; token 1 written at 0 + latency 0 = 0, read at 1; token 2 written at 1,
    // read at 2. At each write the previous token was read in the same cycle: a self-loop slot
    // is reusable then (turnaround 0), so no earlier token counts: stall-free depth 1, at most 1
    // held. o (no self-loop) is written at 0, 1, 2 and read at once: token j - 1, read at j - 1,
    // is within the 2-cycle turnaround of write j (busy, not held): stall-free depth 2.
    expect(r.cycles).toBe(3);
    const [state, out] = r.summary.fifos;
    expect([state!.tokens, state!.maxOccupancy, state!.stallFreeDepth]).toEqual([3, 1, 1]);
    expect([out!.tokens, out!.maxOccupancy, out!.stallFreeDepth]).toEqual([3, 1, 2]);
  });
});
