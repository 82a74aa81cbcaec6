import { GraphBuilder, sourceActor, type ActorSpec, type Graph } from '../src/index.js';

// Graph families the re-timing specs share (spec helpers outside src/, see retime-compare.ts).

const port = { widthBytes: 4 };

/**
 * q (m firings, II qII) -> g (depth 1) -> p (n firings, II pII, latency pLat; reads g in its
 * first m firings) -> a (depth aDepth) -> sink (n firings, II sinkII, latency 0; reads a, and in
 * its firing bAt also the start token b that s (1 firing, latency sLat) writes) -> o (depth
 * oDepth) -> fin (n firings, II 1, latency 0). With `store`: u (`firings`, II 1, no FIFOs)
 * requests `units` of mem (1 unit per cycle) per firing.
 */
export function startToken(x: { m: number; n: number; qII: number; pII: number; pLat: number; sinkII: number; aDepth: number; oDepth: number; sLat: number; bAt?: number; store?: { firings: number; units: number } }): Graph {
  const bAt = x.bAt ?? 0;
  const g = new GraphBuilder('start-token');
  const gq = g.stream('g', { depth: 1, widthBytes: 4 });
  const a = g.stream('a', { depth: x.aDepth, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  const o = g.stream('o', { depth: x.oDepth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 's', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: x.sLat } }), { out: { out: b } });
  g.invoke(sourceActor({ name: 'q', count: x.m, widthBytes: 4, cost: { iiCycles: x.qII, latencyCycles: 0 } }), { out: { out: gq } });
  g.invoke({ name: 'p', firings: x.n, inputs: { in: port }, outputs: { out: port }, reads: (i) => (i < x.m ? ['in'] : []), cost: { iiCycles: x.pII, latencyCycles: x.pLat } } satisfies ActorSpec, { in: { in: gq }, out: { out: a } });
  g.invoke({ name: 'sink', firings: x.n, inputs: { a: port, b: port }, outputs: { out: port }, reads: (i) => (i === bAt ? ['a', 'b'] : ['a']), cost: { iiCycles: x.sinkII, latencyCycles: 0 } } satisfies ActorSpec, { in: { a, b }, out: { out: o } });
  g.invoke({ name: 'fin', firings: x.n, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: o } });
  if (x.store) {
    g.resource({ name: 'mem', unitsPerCycle: 1 });
    g.invoke({ name: 'u', firings: x.store.firings, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'mem', units: x.store.units }] } } satisfies ActorSpec, {});
  }
  return g.build();
}

/**
 * src (n firings, II srcII, latency srcLat) -> f1 (depth d1) -> mid (n, II midII, latency midLat;
 * midUnits of mem per firing, writing at its grant's end plus its latency) -> f2 (depth 2) -> snk
 * (n, II snkII); z (zN firings, II zII; zRequests requests of 1 unit of mem per firing, default 1)
 * -> zq (depth 2) -> zsnk (II 1). mem serves `cap` units per cycle. Latency 0 unless said.
 */
export function memChain(x: { n: number; srcII: number; srcLat: number; d1: number; midII: number; midLat: number; midUnits: number; snkII: number; zN: number; zII: number; cap: number; zRequests?: number }): Graph {
  const g = new GraphBuilder('mem-chain');
  g.resource({ name: 'mem', unitsPerCycle: x.cap });
  const f1 = g.stream('f1', { depth: x.d1, widthBytes: 4 });
  const f2 = g.stream('f2', { depth: 2, widthBytes: 4 });
  const zq = g.stream('zq', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: x.n, widthBytes: 4, cost: { iiCycles: x.srcII, latencyCycles: x.srcLat } }), { out: { out: f1 } });
  g.invoke({ name: 'mid', firings: x.n, inputs: { in: port }, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: x.midII, latencyCycles: x.midLat, requests: [{ resource: 'mem', units: x.midUnits }] } } satisfies ActorSpec, { in: { in: f1 }, out: { out: f2 } });
  g.invoke({ name: 'snk', firings: x.n, inputs: { in: port }, cost: { iiCycles: x.snkII, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: f2 } });
  g.invoke({ name: 'z', firings: x.zN, outputs: { out: port }, resources: ['mem'], cost: { iiCycles: x.zII, latencyCycles: 0, requests: Array.from({ length: x.zRequests ?? 1 }, () => ({ resource: 'mem', units: 1 })) } } satisfies ActorSpec, { out: { out: zq } });
  g.invoke({ name: 'zsnk', firings: x.zN, inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } } satisfies ActorSpec, { in: { in: zq } });
  return g.build();
}
