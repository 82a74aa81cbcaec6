import { describe, expect, it } from 'vitest';
import { GraphBuilder, recordingBytes, runGraph, sinkActor, sourceActor, type ActorSpec } from './index.js';

/**
 * What `runGraph(graph, { record: true })` records (issue 23: survivors of mutation testing in
 * recording.ts), derived by hand. Bytes: 40 per firing (actor 4, start, II and latency 8 each,
 * opStart, nReads and reqStart 4 each) plus 8 (opStart's and reqStart's closing entries), 4 per
 * FIFO access, and 16 per request (resource 4, units 8, its place in the grant order 4).
 */
describe('the recording of a run (hand-derived)', () => {
  it('a chain with a shared memory: firings in start order, accesses, requests and grant order', () => {
    // R serves 4 units per cycle. src writes a0, a1 at 0, 1 (II 1, latency 0). mid (II 1,
    // latency 1) reads a token and asks R for 6 units; q (no ports) asks R for 1 once.
    // Cycle 0: src f0 (id 0), mid f0 (id 1, reads a0 at once), q f0 (id 2); the round serves
    // mid (graph order) [0, 2), then q in cycle 1. mid's next start: max(0 + 1, 2) = 2; b0 is
    // written at 2 + 1 = 3. Cycle 1: src f1 (id 3). Cycle 2: mid f1 (id 4): R [2, 4), b1 at 5.
    // snk reads b0 at 3 (id 5) and b1 at 5 (id 6): 6 cycles.
    const g = new GraphBuilder('rec');
    g.resource({ name: 'R', unitsPerCycle: 4 });
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4 }), { out: { out: a } });
    g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 1, requests: [{ resource: 'R', units: 6 }] } }, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4 }), { in: { in: b } });
    g.invoke({ name: 'q', firings: 1, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'R', units: 1 }] } });
    const r = runGraph(g.build(), { record: true });
    expect(r.cycles).toBe(6);
    const rec = r.recording!;
    expect(rec.graph.name).toBe('rec');
    expect([rec.firings, rec.cycles, rec.nonBlocking]).toEqual([7, 6, false]);
    expect([...rec.actor]).toEqual([0, 1, 3, 0, 1, 2, 2]);
    expect([...rec.startCycle]).toEqual([0, 0, 0, 1, 2, 3, 5]);
    expect([...rec.iiCycles]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect([...rec.latencyCycles]).toEqual([0, 1, 0, 0, 1, 0, 0]);
    // FIFO a = 0, b = 1. src writes a; mid reads a, writes b; q nothing; snk reads b.
    expect([...rec.ops]).toEqual([0, 0, 1, 0, 0, 1, 1, 1]);
    expect([...rec.opStart]).toEqual([0, 1, 3, 3, 4, 6, 7, 8]);
    expect([...rec.nReads]).toEqual([0, 1, 0, 0, 1, 1, 1]);
    // Requests: mid f0 (0), q f0 (1), mid f1 (2), all on R (0).
    expect([...rec.reqStart]).toEqual([0, 0, 1, 2, 2, 3, 3, 3]);
    expect([...rec.reqResource]).toEqual([0, 0, 0]);
    expect([...rec.reqUnits]).toEqual([6, 1, 6]);
    expect([...rec.grantOrder]).toEqual([0, 1, 2]);
    // mid and snk (no firing count) retire when their input closes empty: a (0) and b (1); src
    // and q reach their firing counts (-1).
    expect([...rec.retiredOn]).toEqual([-1, 0, 1, -1]);
    // Plus 4 bytes per actor (retiredOn).
    expect(recordingBytes(rec)).toBe(40 * 7 + 8 + 4 * 8 + 16 * 3 + 4 * 4);
    // Recording changes nothing in the run.
    expect(runGraph(g.build()).summary).toEqual(r.summary);
    expect(runGraph(g.build()).recording).toBeUndefined();
  });

  it('a firing with two requests: both recorded, granted in the order of its requests', () => {
    // q0 asks R for 1 and then 2 units, q1 for 1: one round at cycle 0, q0's requests first
    // (graph order), then q1's. Request indices: q0's 0 and 1, q1's 2.
    const g = new GraphBuilder('two');
    g.resource({ name: 'R', unitsPerCycle: 4 });
    g.invoke({ name: 'q0', firings: 1, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'R', units: 1 }, { resource: 'R', units: 2 }] } });
    g.invoke({ name: 'q1', firings: 1, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'R', units: 1 }] } });
    const rec = runGraph(g.build(), { record: true }).recording!;
    expect([...rec.reqStart]).toEqual([0, 2, 3]);
    expect([...rec.reqUnits]).toEqual([1, 2, 1]);
    expect([...rec.grantOrder]).toEqual([0, 1, 2]);
  });

  it('a long run: the arrays grow past their first 1,024 (and 4,096) entries and keep every firing', () => {
    // 2,100 tokens: src f_k and snk f_k both start at k (4,200 firings, 4,200 FIFO accesses).
    const n = 2100;
    const g = new GraphBuilder('long');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4 }), { in: { in: a } });
    const rec = runGraph(g.build(), { record: true }).recording!;
    expect([rec.firings, rec.cycles]).toEqual([2 * n, n]);
    expect([...rec.actor]).toEqual(Array.from({ length: 2 * n }, (_, i) => i % 2));
    expect([...rec.startCycle]).toEqual(Array.from({ length: 2 * n }, (_, i) => Math.floor(i / 2)));
    expect([...rec.nReads]).toEqual(Array.from({ length: 2 * n }, (_, i) => i % 2));
    expect([...rec.opStart]).toEqual(Array.from({ length: 2 * n + 1 }, (_, i) => i));
    expect([...rec.ops]).toEqual(new Array(2 * n).fill(0));
    expect([...rec.reqStart]).toEqual(new Array(2 * n + 1).fill(0));
    expect([rec.reqResource.length, rec.reqUnits.length, rec.grantOrder.length]).toEqual([0, 0, 0]);
    expect([...rec.retiredOn]).toEqual([-1, 0]);
    expect(recordingBytes(rec)).toBe(40 * 2 * n + 8 + 4 * 2 * n + 4 * 2);
  });

  it('a run with a non-blocking test is marked as such', () => {
    // poll reads a only when a token is visible (HLS read_nb): its outcome depends on the cycle.
    const g = new GraphBuilder('nb');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 2, widthBytes: 4 }), { out: { out: a } });
    const poll: ActorSpec = { name: 'poll', inputs: { in: { widthBytes: 4 } }, reads: (_i, ports) => (ports.empty(0) ? [] : [0]), cost: { iiCycles: 1, latencyCycles: 0 } };
    g.invoke(poll, { in: { in: a } });
    const rec = runGraph(g.build(), { record: true }).recording!;
    expect(rec.nonBlocking).toBe(true);
    expect(rec.firings).toBe(4);
  });
});
