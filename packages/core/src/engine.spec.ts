import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, stageActor, type ActorSpec, type TokenMeta, type TraceEvent, Simulation } from './index.js';

/** src(II 1, L 1) -> A(II 4, L 2) -> B(II 2, L 1): the 3-stage pipeline of the issue. */
function pipeline(n: number, depth: number) {
  const g = new GraphBuilder('pipe3');
  const s0 = g.stream('s0', { depth, widthBytes: 8 });
  const s1 = g.stream('s1', { depth, widthBytes: 8 });
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 8, cost: { iiCycles: 1, latencyCycles: 1 } }), { out: { out: s0 } });
  g.invoke(stageActor({ name: 'mid', widthBytes: 8, cost: { iiCycles: 4, latencyCycles: 2 } }), { in: { in: s0 }, out: { out: s1 } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 8, cost: { iiCycles: 2, latencyCycles: 1 } }), { in: { in: s1 } });
  return g.build();
}

describe('engine: hand-derived cycle counts', () => {
  // src starts token i at i (ready i+1); mid starts at max(i+1, prev+4) = 1+4i (ready 3+4i);
  // snk starts at max(3+4i, prev+2) = 3+4i and completes at +max(II 2, L 1) = 5+4i.
  // The last token (i = N-1) completes at 4N+1, whatever the FIFO depths: mid is the bottleneck.
  for (const depth of [1, 2, 64]) {
    it(`3-stage pipeline II 1/4/2 over N tokens ends at 4N+1 (depth ${depth})`, () => {
      for (const n of [1, 2, 7, 50]) {
        const r = runGraph(pipeline(n, depth));
        expect(r.cycles).toBe(4 * n + 1);
        const mid = r.summary.actors.find((a) => a.actor === 'mid')!;
        expect(mid.busyCycles).toBe(4 * n);
        expect(r.summary.bottlenecks[0]!.name).toBe('mid');
      }
    });
  }

  it('depth-1 FIFO: src stalls full 3 cycles per token after the second, 1 on the second, then idles', () => {
    // HLS FIFO rule: token j of a depth-D FIFO is written (readable) no earlier than 2 cycles
    // after token j-D was read. mid reads token i at b_i = 1 + 4i (it is the bottleneck), so
    // src's write of token i (planned at a_i + 1) must wait until b_{i-1} + 2 = 4i - 1:
    // i = 1: a_1 = 1, planned 2, written 3 (1 cycle frozen); i >= 2: a_i = 4i - 5 (the stall
    // moved its start), planned 4i - 4, written 4i - 1 (3 cycles frozen). src's last write
    // is at 4(N-1) - 1 = 4N - 5, after which it idles to 4N + 1: 6 cycles.
    const n = 20;
    const r = runGraph(pipeline(n, 1));
    const src = r.summary.actors.find((a) => a.actor === 'src')!;
    expect(src.busyCycles).toBe(n);
    expect(src.stalledFullCycles).toBe(1 + 3 * (n - 2));
    expect(src.idleCycles).toBe(4 * n + 1 - (4 * n - 5));
    expect(r.summary.fifos.find((f) => f.fifo === 's0')!.fullStallCycles).toBe(1 + 3 * (n - 2));
  });

  /** Bursts of 3 tokens every 15 cycles (II pattern 1, 1, 13) into a consumer of II 4. */
  function bursty(bursts: number, depth: number) {
    const g = new GraphBuilder('bursty');
    const f = g.stream('f', { depth, widthBytes: 4 });
    g.invoke(
      sourceActor({ name: 'burst', count: 3 * bursts, widthBytes: 4, cost: (fr) => ({ iiCycles: fr.index % 3 === 2 ? 13 : 1, latencyCycles: 0 }) }),
      { out: { out: f } },
    );
    g.invoke(sinkActor({ name: 'slow', widthBytes: 4, cost: { iiCycles: 4, latencyCycles: 0 } }), { in: { in: f } });
    return g.build();
  }

  it('bursty producer, slow consumer: depth 2 absorbs the burst, depth 1 stalls as derived', () => {
    const B = 10;
    // Depth 2: p = 15b, 15b+1, 15b+2; c = 15b, 15b+4, 15b+8: the producer never stalls and the
    // consumer waits [15b-3, 15b) between bursts: 3(B-1) cycles.
    const d2 = runGraph(bursty(B, 2)).summary;
    expect(d2.fifos[0]!.fullStallCycles).toBe(0);
    expect(d2.fifos[0]!.emptyStallCycles).toBe(3 * (B - 1));
    // Depth 1 (a token is written no earlier than 2 cycles after the previous one was read):
    // a burst starting at P: token 0 written at P and read at P; token 1 planned at P+1, written
    // at P+2 (1 cycle frozen), which moves token 2's start to P+3; token 2 must wait until token
    // 1 is read (P+4) + 2 = P+6 (3 cycles frozen), and the 13-cycle II moves the next burst to
    // P+3+13+3 = P+19. Reads at P, P+4, P+8; the consumer is free at P+12 and waits 7 cycles.
    const d1 = runGraph(bursty(B, 1)).summary;
    expect(d1.fifos[0]!.fullStallCycles).toBe(4 * B);
    expect(d1.fifos[0]!.emptyStallCycles).toBe(7 * (B - 1));
    const burst = d1.actors.find((a) => a.actor === 'burst')!;
    expect(burst.stalledFullCycles).toBe(4 * B);
  });

  function sharedMemory(n: number, arbitration?: { kind: 'priority'; order: Record<string, number> }) {
    const g = new GraphBuilder('shared-bram');
    g.resource({ name: 'bram', unitsPerCycle: 1, unit: 'port-access', ...(arbitration ? { arbitration } : {}) });
    for (const side of ['A', 'B']) {
      const i = g.stream(`${side}.in`, { depth: 4, widthBytes: 4 });
      const o = g.stream(`${side}.out`, { depth: 4, widthBytes: 4 });
      g.invoke(sourceActor({ name: `src${side}`, count: n, widthBytes: 4 }), { out: { out: i } });
      g.invoke(stageActor({ name: side, widthBytes: 4, resources: ['bram'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'bram', units: 1 }] } }), {
        in: { in: i },
        out: { out: o },
      });
      g.invoke(sinkActor({ name: `sink${side}`, widthBytes: 4 }), { in: { in: o } });
    }
    return g.build();
  }

  it('two actors on a 1-port memory serialise: 2N accesses, N-1 and N contention cycles (round-robin)', () => {
    const n = 25;
    const r = runGraph(sharedMemory(n), { trace: 'full' });
    const s = r.summary;
    expect(s.resources[0]!.unitsServed).toBe(2 * n);
    expect(s.resources[0]!.busyCycles).toBe(2 * n);
    const a = s.actors.find((x) => x.actor === 'A')!;
    const b = s.actors.find((x) => x.actor === 'B')!;
    // Cycle 0: both request; A wins (graph order), B waits 1. From then each request finds the
    // other's access in the port: every later request waits exactly one cycle.
    expect(a.stalledContentionCycles).toBe(n - 1);
    expect(b.stalledContentionCycles).toBe(n);
    // The last access ends at 2N; sink B reads it at 2N and completes at 2N+1.
    expect(r.cycles).toBe(2 * n + 1);
    const stalls = r.events.filter((e): e is Extract<TraceEvent, { kind: 'actor' }> => e.kind === 'actor' && e.state === 'stalled-contention');
    expect(stalls[0]).toMatchObject({ actor: 'B', startCycle: 0, endCycle: 1, resource: 'bram', heldBy: 'A' });
  });

  it('priority arbitration lets the favoured actor through first', () => {
    const n = 10;
    const s = runGraph(sharedMemory(n, { kind: 'priority', order: { B: 0, A: 1 } })).summary;
    expect(s.actors.find((x) => x.actor === 'B')!.stalledContentionCycles).toBe(n - 1);
    expect(s.actors.find((x) => x.actor === 'A')!.stalledContentionCycles).toBe(n);
  });

  it('a channel of B bytes/cycle paces a reader: ceil(bytes/B) cycles per token', () => {
    // 1000 bytes per token on a 64 B/cycle channel: ceil(1000/64) = 16 cycles each. One requester
    // issues its next request after the previous one ends, so the spare 24 bytes of the last beat
    // are not used (a burst occupies whole beats).
    const g = new GraphBuilder('hbm');
    g.resource({ name: 'hbm0', unitsPerCycle: 64, unit: 'bytes' });
    const o = g.stream('o', { depth: 2, widthBytes: 8 });
    g.invoke(
      { name: 'reader', outputs: { out: { widthBytes: 8 } }, firings: 10, resources: ['hbm0'], cost: { iiCycles: 1, latencyCycles: 5, requests: [{ resource: 'hbm0', units: 1000 }] } } satisfies ActorSpec,
      { out: { out: o } },
    );
    g.invoke(sinkActor({ name: 'sink', widthBytes: 8 }), { in: { in: o } });
    const r = runGraph(g.build());
    expect(r.summary.resources[0]!.unitsServed).toBe(10_000);
    // Last access ends at 10 * 16 = 160; ready at 160 + 5 = 165; sink completes at 166.
    expect(r.cycles).toBe(10 * Math.ceil(1000 / 64) + 5 + 1);
    expect(r.summary.resources[0]!.busyCycles).toBe(160);
    expect(r.summary.bottlenecks[0]).toMatchObject({ kind: 'resource', name: 'hbm0' });
  });
});

describe('engine: functional mode and behaviours', () => {
  it('kernels compute payloads in functional mode and are skipped in timing mode', () => {
    const g = new GraphBuilder('double');
    const a = g.stream('a', { depth: 2, widthBytes: 16 });
    const b = g.stream('b', { depth: 2, widthBytes: 16 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 16, payload: (i) => Float32Array.of(i, i + 0.5) }), { out: { out: a } });
    g.invoke(stageActor({ name: 'x2', widthBytes: 16, cost: { iiCycles: 1, latencyCycles: 3 }, kernel: (p) => (p as Float32Array).map((v) => 2 * v) }), {
      in: { in: a },
      out: { out: b },
    });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 16 }), { in: { in: b } });
    const graph = g.build();
    const f = runGraph(graph, { mode: 'functional' });
    expect(f.sinks['sink']!.map((t) => Array.from(t.payload as Float32Array))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(f.sinks['sink']!.map((t) => t.meta.index)).toEqual([0, 1, 2]);
    const t = runGraph(graph, { mode: 'timing' });
    expect(t.sinks['sink']!.every((tok) => tok.payload === undefined)).toBe(true);
    expect(t.cycles).toBe(f.cycles);
  });

  it('an accumulator written as rates + an RxJS behaviour emits one token per K inputs', async () => {
    const { scan, map } = await import('rxjs');
    const K = 4;
    const g = new GraphBuilder('acc');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 12, widthBytes: 4, payload: (i) => i }), { out: { out: a } });
    const acc: ActorSpec = {
      name: 'acc',
      inputs: { in: { widthBytes: 4 } },
      outputs: { out: { widthBytes: 4 } },
      cost: { iiCycles: 1, latencyCycles: 2 },
      writes: (i) => (i % K === K - 1 ? ['out'] : []),
      behaviour: (f$) =>
        f$.pipe(
          scan((n) => n + 1, 0),
          map((n): Readonly<Record<string, TokenMeta>> => (n % K === 0 ? { out: { index: n / K - 1, last: n === 12 } } : {})),
        ),
      kernel: (() => {
        let sum = 0;
        return (inputs, outputs) => {
          sum += inputs['in'] as number;
          if (!outputs['out']) return {};
          const s = sum;
          sum = 0;
          return { out: s };
        };
      })(),
    };
    g.invoke(acc, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
    const r = runGraph(g.build(), { mode: 'functional' });
    expect(r.sinks['sink']!.map((t) => t.payload)).toEqual([0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9 + 10 + 11]);
    expect(r.sinks['sink']!.map((t) => t.meta.index)).toEqual([0, 1, 2]);
  });

  it('a kernel that throws fails the run naming the actor and firing', () => {
    const g = new GraphBuilder('boom');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, payload: (i) => i }), { out: { out: a } });
    g.invoke({ name: 'fragile', inputs: { in: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 }, kernel: (inp) => { if (inp['in'] === 2) throw new Error('bad tile'); return {}; } }, { in: { in: a } });
    expect(() => runGraph(g.build(), { mode: 'functional' })).toThrow(/actor 'fragile': kernel failed on firing 2.*bad tile/);
  });

  it('the trace is an RxJS observable and sums to the run cycles per actor', () => {
    const sim = new Simulation(pipeline(5, 1));
    const seen: TraceEvent[] = [];
    sim.trace$.subscribe((e) => seen.push(e));
    const r = sim.run();
    for (const actor of ['src', 'mid', 'snk']) {
      const total = seen.filter((e) => e.kind === 'actor' && e.actor === actor).reduce((s, e) => s + (e.kind === 'actor' ? e.endCycle - e.startCycle : 0), 0);
      expect(total).toBe(r.cycles);
    }
    for (const a of r.summary.actors) {
      expect(a.busyCycles + a.stalledEmptyCycles + a.stalledFullCycles + a.stalledContentionCycles + a.idleCycles).toBe(r.cycles);
    }
  });
});

describe('engine: self-loops', () => {
  it('state carried on a depth-1 self-loop stream: the firing frees the slot it refills', () => {
    // A running sum: firing 0 reads `in` only and writes `carry`; later firings read both; the
    // last one also writes `out`. In hardware this is a register; as a stream it needs depth 1.
    const n = 5;
    const g = new GraphBuilder('carry');
    const x = g.stream('x', { depth: 2, widthBytes: 4 });
    const carry = g.stream('carry', { depth: 1, widthBytes: 4 });
    const y = g.stream('y', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4, payload: (i) => i + 1 }), { out: { out: x } });
    const acc: ActorSpec = {
      name: 'acc',
      inputs: { in: { widthBytes: 4 }, carry: { widthBytes: 4 } },
      outputs: { carry: { widthBytes: 4 }, out: { widthBytes: 4 } },
      firings: n,
      reads: (i) => (i === 0 ? ['in'] : ['in', 'carry']),
      writes: (i) => (i === n - 1 ? ['out'] : ['carry']),
      cost: { iiCycles: 1, latencyCycles: 1 },
      kernel: (inp, out) => {
        const s = (inp['in'] as number) + ((inp['carry'] as number | undefined) ?? 0);
        return out['out'] ? { out: s } : { carry: s };
      },
    };
    g.invoke(acc, { in: { in: x, carry }, out: { carry, out: y } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: y } });
    const r = runGraph(g.build(), { mode: 'functional' });
    expect(r.sinks['sink']!.map((t) => t.payload)).toEqual([15]);
    // The carry written at start s is readable at s + 1, so acc fires every cycle: 0..4; the
    // result is readable at 5 and the sink completes at 6.
    expect(r.cycles).toBe(6);
  });
});

describe('engine: run options', () => {
  it('rejects a bad maxCycles, trace or mode instead of ignoring it', () => {
    const g = new GraphBuilder('opts');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: a } });
    const graph = g.build();
    expect(() => runGraph(graph, { maxCycles: Number.NaN })).toThrow(/maxCycles must be an integer >= 1, got NaN/);
    expect(() => runGraph(graph, { maxCycles: -5 })).toThrow(/maxCycles must be an integer >= 1, got -5/);
    expect(() => runGraph(graph, { trace: 'ful' as never })).toThrow(/trace must be 'summary' or 'full', got 'ful'/);
    expect(() => runGraph(graph, { mode: 'fast' as never })).toThrow(/mode must be 'timing' or 'functional'/);
    expect(() => runGraph(graph, { maxCycles: 1 })).toThrow(/run exceeded maxCycles \(1\) at cycle 2/);
  });
});
