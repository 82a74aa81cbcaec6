import { describe, expect, it } from 'vitest';
import { GraphBuilder, interleavedRequests, resourceGroup, runGraph } from './index.js';

/**
 * Resource groups and zero-unit requests (issue 23: survivors of mutation testing in
 * resource.ts), derived by hand. Address x of an interleaved group is on channel
 * floor(x / interleaveBytes) mod channels.
 */
const hbm = { name: 'hbm', channels: 4, unitsPerCycle: 32, interleaveBytes: 256 };

describe('interleaved groups (hand-derived)', () => {
  it('an access over a partial stripe, two whole rounds, three whole stripes and a partial one', () => {
    // [100, 3100): stripe 0 holds 100..255 (156 B, ch0); stripes 1..11 are whole (256 B each:
    // ch1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3); stripe 12 holds 3072..3099 (28 B, ch0).
    // ch0: 156 + 2 * 256 + 28 = 696; ch1, ch2, ch3: 3 * 256 = 768.
    expect(interleavedRequests(hbm, 100, 3000)).toEqual([
      { resource: 'hbm[0]', units: 696 },
      { resource: 'hbm[1]', units: 768 },
      { resource: 'hbm[2]', units: 768 },
      { resource: 'hbm[3]', units: 768 },
    ]);
  });

  it('an access inside one stripe touches one channel; channels with no bytes are left out', () => {
    expect(interleavedRequests(hbm, 300, 10)).toEqual([{ resource: 'hbm[1]', units: 10 }]);
    // [1000, 1300): 1000..1023 in stripe 3 (ch3), stripe 4 whole (1024..1279, ch0), 1280..1299 in
    // stripe 5 (ch1); ch2 gets nothing.
    expect(interleavedRequests(hbm, 1000, 300)).toEqual([
      { resource: 'hbm[0]', units: 256 },
      { resource: 'hbm[1]', units: 20 },
      { resource: 'hbm[3]', units: 24 },
    ]);
    expect(interleavedRequests(hbm, 5000, 0)).toEqual([]);
    // Exactly one round from a stripe boundary: 256 B on each channel.
    expect(interleavedRequests(hbm, 512, 1024).map((q) => q.units)).toEqual([256, 256, 256, 256]);
  });

  it('resourceGroup: N channels named name[k], bytes by default, the policy passed on', () => {
    expect(resourceGroup(hbm)).toEqual([0, 1, 2, 3].map((k) => ({ name: `hbm[${k}]`, unitsPerCycle: 32, unit: 'bytes' })));
    const prio = { kind: 'priority' as const, order: { a: 0 } };
    expect(resourceGroup({ name: 'ddr', channels: 1, unitsPerCycle: 8, interleaveBytes: 64, unit: 'beats', arbitration: prio })).toEqual([{ name: 'ddr[0]', unitsPerCycle: 8, unit: 'beats', arbitration: prio }]);
    expect(() => resourceGroup({ ...hbm, channels: 2.5 })).toThrow("resource group 'hbm': channels must be an integer >= 1, got 2.5");
  });
});

describe('zero-unit requests (hand-derived)', () => {
  it('a request of 0 units waits for nothing, even while another requester holds the resource', () => {
    // R: 4 units/cycle. q0 asks 8 at cycle 0: [0, 2). q1 asks 0 in the same round: served at 0,
    // no wait, no units, no grant counted. q2 asks 1: behind q0, [2, 3).
    const g = new GraphBuilder('zero');
    g.resource({ name: 'R', unitsPerCycle: 4, unit: 'beats' });
    [8, 0, 1].forEach((units, k) => g.invoke({ name: `q${k}`, firings: 1, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'R', units }] } }));
    const r = runGraph(g.build(), { trace: 'full' });
    expect(r.events.flatMap((e) => (e.kind === 'grant' ? [[e.actor, e.units, e.startCycle, e.endCycle]] : []))).toEqual([
      ['q0', 8, 0, 2],
      ['q1', 0, 0, 0],
      ['q2', 1, 2, 3],
    ]);
    expect(r.summary.actors.map((x) => [x.actor, x.busyCycles, x.stalledContentionCycles])).toEqual([
      ['q0', 2, 0],
      ['q1', 1, 0],
      ['q2', 1, 2],
    ]);
    expect(r.summary.resources).toEqual([{ resource: 'R', unit: 'beats', unitsPerCycle: 4, unitsServed: 9, grants: 2, busyCycles: 3, utilisation: 9 / 12, contentionCycles: 2 }]);
    expect(r.cycles).toBe(3);
  });
});
