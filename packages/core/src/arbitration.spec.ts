import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, interleavedRequests, resourceGroup, runGraph, sinkActor, type ActorSpec, type ActorStateEvent, type GrantEvent } from './index.js';

describe('arbitration: every request of a cycle is arbitrated in that cycle', () => {
  it('a 0-cycle producer feeding a consumer of the same resource: the consumer is granted in the same cycle, no false deadlock', () => {
    // P probes the port (0 units: its access ends the cycle it starts) with latency 0, so its
    // token is written at 0, during cycle 0's arbitration round; C fires at 0 and requests the
    // port then. Its request must be arbitrated in cycle 0 (a second round), not lost.
    const g = new GraphBuilder('same-cycle');
    g.resource({ name: 'port', unitsPerCycle: 1 });
    const f = g.stream('f', { depth: 2, widthBytes: 4 });
    const o = g.stream('o', { depth: 2, widthBytes: 4 });
    const port = { widthBytes: 4 };
    g.invoke({ name: 'P', outputs: { out: port }, firings: 1, resources: ['port'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'port', units: 0 }] } }, { out: { out: f } });
    g.invoke({ name: 'C', inputs: { in: port }, outputs: { out: port }, resources: ['port'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'port', units: 1 }] } }, { in: { in: f }, out: { out: o } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: o } });
    const r = runGraph(g.build(), { trace: 'full' });
    const c = r.events.find((e): e is GrantEvent => e.kind === 'grant' && e.actor === 'C')!;
    expect(c).toMatchObject({ requestCycle: 0, startCycle: 0, endCycle: 1 });
    // C's token is written at 1 (end of its access + latency 0); the sink ends at 2.
    expect(r.cycles).toBe(2);
  });

  it('a resource only one actor declares is granted at request time, as its round would: same cycles and summary, one event fewer per request', () => {
    // 'load' reads 64 B per firing from a 32 B/cycle channel only it declares: firing k starts at
    // 2k (its access takes cycles 2k and 2k + 1, the next firing waits for it), its tile is
    // written at 2k + 2; the sink reads each as it lands. Last firing k = 9: written at 20, the
    // sink completes at 21. A recorded run arbitrates in rounds (one event per request); a plain
    // run grants when the request is made (no round event); both give the same run.
    const build = () => {
      const g = new GraphBuilder('sole');
      g.resource({ name: 'hbm', unitsPerCycle: 32, unit: 'bytes' });
      const f = g.stream('f', { depth: 2, widthBytes: 4 });
      g.invoke({ name: 'load', outputs: { out: { widthBytes: 4 } }, firings: 10, resources: ['hbm'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'hbm', units: 64 }] } }, { out: { out: f } });
      g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: f } });
      return g.build();
    };
    const now = runGraph(build());
    const rounds = runGraph(build(), { record: true });
    expect(now.cycles).toBe(21);
    expect(rounds.cycles).toBe(21);
    expect(now.summary).toEqual(rounds.summary);
    expect(rounds.schedulerEvents - now.schedulerEvents).toBe(10);
  });

  it('two readers of a 64 B/cycle channel asking 40 B each in one cycle: 64 B in the first cycle, the rest in the second', () => {
    const g = new GraphBuilder('two-40');
    g.resource({ name: 'ch', unitsPerCycle: 64, unit: 'bytes' });
    for (const n of ['A', 'B']) g.invoke({ name: n, firings: 1, resources: ['ch'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'ch', units: 40 }] } });
    const r = runGraph(g.build(), { trace: 'full' });
    const grants = r.events.filter((e): e is GrantEvent => e.kind === 'grant');
    // A (graph order) takes 40 of cycle 0; B gets the 24 left in cycle 0 and 16 of cycle 1.
    expect(grants.map((x) => [x.actor, x.startCycle, x.endCycle])).toEqual([
      ['A', 0, 1],
      ['B', 0, 2],
    ]);
    expect(r.summary.resources[0]!.busyCycles).toBe(2);
    expect(r.cycles).toBe(2);
  });
});

describe('arbitration properties (fast-check, fixed seed)', () => {
  const requester = fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 6 });
  it('per-cycle capacity, busy cycles >= ceil(total / B), every wait recorded as contention with the holder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(requester, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }), (B, sizes, offsets) => {
        const g = new GraphBuilder('prop');
        g.resource({ name: 'R', unitsPerCycle: B, unit: 'bytes' });
        sizes.forEach((units, k) => {
          // Requester k starts after offsets[k] idle firings (requests of 0 bytes) so that
          // requests arrive in different cycles as well as together.
          const all = [...Array.from({ length: offsets[k]! }, () => 0), ...units];
          const spec: ActorSpec = { name: `q${k}`, firings: all.length, resources: ['R'], cost: (f) => ({ iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'R', units: all[f.index]! }] }) };
          g.invoke(spec);
        });
        const r = runGraph(g.build(), { trace: 'full' });
        const grants = r.events.filter((e): e is GrantEvent => e.kind === 'grant' && e.units > 0);
        const total = sizes.flat().reduce((s, u) => s + u, 0);
        expect(grants.reduce((s, x) => s + x.units, 0)).toBe(total);
        // No window of cycles serves more than B per cycle: every grant served within [a, b)
        // fits in B * (b - a) (this catches two grants sharing a cycle beyond its capacity).
        const starts = [...new Set(grants.map((x) => x.startCycle))];
        const ends = [...new Set(grants.map((x) => x.endCycle))];
        for (const a of starts) {
          for (const b of ends) {
            if (b <= a) continue;
            const inside = grants.filter((x) => x.startCycle >= a && x.endCycle <= b).reduce((s, x) => s + x.units, 0);
            expect(inside).toBeLessThanOrEqual(B * (b - a));
          }
        }
        expect(r.summary.resources[0]!.busyCycles).toBeGreaterThanOrEqual(Math.ceil(total / B));
        // Every cycle waited is contention, named with the holder, and the resource counts them.
        const stalls = r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.state === 'stalled-contention');
        let waited = 0;
        for (const x of grants) {
          if (x.startCycle === x.requestCycle) continue;
          waited += x.startCycle - x.requestCycle;
          const s = stalls.find((e) => e.actor === x.actor && e.startCycle === x.requestCycle);
          expect(s).toMatchObject({ endCycle: x.startCycle, resource: 'R' });
          expect(s!.heldBy).toBeDefined();
          expect(s!.heldBy).not.toBe(x.actor);
        }
        expect(r.summary.resources[0]!.contentionCycles).toBe(waited);
      }),
      { numRuns: 200, seed: 1616 },
    );
  });
});

describe('resource groups: N channels with address interleaving', () => {
  const hbm = { name: 'hbm', channels: 4, unitsPerCycle: 32, interleaveBytes: 256 };

  it('splits an access over the channels its address range covers', () => {
    // [100, 100 + 1000): 156 B on ch0 (to 256), 256 on ch1, 256 on ch2, 256 on ch3, 76 on ch0.
    expect(interleavedRequests(hbm, 100, 1000)).toEqual([
      { resource: 'hbm[0]', units: 156 + 76 },
      { resource: 'hbm[1]', units: 256 },
      { resource: 'hbm[2]', units: 256 },
      { resource: 'hbm[3]', units: 256 },
    ]);
    // Whole rounds: 10 rounds of 1 KiB put 2560 B on every channel.
    expect(interleavedRequests(hbm, 0, 10 * 1024).map((q) => q.units)).toEqual([2560, 2560, 2560, 2560]);
    expect(() => interleavedRequests(hbm, -1, 4)).toThrow(/address must be an integer >= 0, got -1/);
  });

  function twoReaders(addrA: number, addrB: number) {
    const g = new GraphBuilder('interleave');
    for (const r of resourceGroup(hbm)) g.resource(r);
    const names = resourceGroup(hbm).map((r) => r.name);
    for (const [n, addr] of [['A', addrA], ['B', addrB]] as const) {
      g.invoke({ name: n, firings: 1, resources: names, cost: { iiCycles: 1, latencyCycles: 0, requests: interleavedRequests(hbm, addr, 256) } });
    }
    return runGraph(g.build());
  }

  it('two 256 B reads on different channels run in parallel; on the same channel they collide', () => {
    // 256 B on one 32 B/cycle channel: 8 cycles. Different channels: both end at 8, no wait.
    const apart = twoReaders(0, 256);
    expect(apart.cycles).toBe(8);
    expect(apart.summary.resources.reduce((s, x) => s + x.contentionCycles, 0)).toBe(0);
    // Same channel (addresses 0 and 1024 both map to ch0): B waits for A's 8 cycles.
    const same = twoReaders(0, 1024);
    expect(same.cycles).toBe(16);
    expect(same.summary.resources.find((x) => x.resource === 'hbm[0]')!.contentionCycles).toBe(8);
  });
});
