import { describe, expect, it } from 'vitest';
import { GraphBuilder, interleavedRequests, resourceGroup, runGraph, type ActorSpec, type Graph } from './index.js';

/**
 * FIFO occupancy and resource accounting on cases small enough to derive by hand (issue 23:
 * survivors of mutation testing in fifo.ts / resource.ts). Rules used (core README, HLS FIFOs):
 * a latency-0 write at cycle w is readable at w; within a cycle reads come after writes, so a
 * token read at w is still held when another is written at w; a slot freed at r takes a write
 * from r + 2 (SLOT_TURNAROUND_CYCLES).
 */
const port = { widthBytes: 4 };

/** src writes tokens at the given cycles (latency 0) into `a` (depth 8); `slow` reads one per firing with the given IIs. */
function timedPair(writeGaps: readonly number[], readIis: readonly number[]): Graph {
  const g = new GraphBuilder('pair');
  const a = g.stream('a', { depth: 8, widthBytes: 4 });
  const src: ActorSpec = { name: 'src', outputs: { out: port }, firings: writeGaps.length, cost: (f) => ({ iiCycles: writeGaps[f.index]!, latencyCycles: 0 }) };
  const slow: ActorSpec = { name: 'slow', inputs: { in: port }, firings: readIis.length, cost: (f) => ({ iiCycles: readIis[f.index]!, latencyCycles: 0 }) };
  g.invoke(src, { out: { out: a } });
  g.invoke(slow, { in: { in: a } });
  return g.build();
}

describe('FIFO occupancy figures (hand-derived)', () => {
  it('peak held tokens and the stall-free depth: a token read in the cycle of a write is still held', () => {
    // Writes at 0, 1, 2, 3 and 23 (the 4th firing has II 20); reads (II 3) at 0, 3, 6, 9, then 23.
    // At the write of t2 (w = 2): t1 (read 3 >= 2) held; t0 read at 0 <= w - 2: its slot is free.
    // At t3 (w = 3): t2 (read 6) and t1 (read 3 = w, after the write) held -> 3 held;
    //   t0 (read 0 <= 1) free -> stall-free depth 3.
    // At t4 (w = 23): t3 read at 9 <= 21 -> 1 held, 1 slot: the peak stays 3 / 3.
    const r = runGraph(timedPair([1, 1, 1, 20, 1], [3, 3, 3, 3, 1]));
    const a = r.summary.fifos[0]!;
    expect([a.tokens, a.maxOccupancy, a.stallFreeDepth, a.fullStallCycles]).toEqual([5, 3, 3, 0]);
  });

  it('a slot freed one cycle before a write is not reusable: it counts toward the stall-free depth, not the held tokens', () => {
    // Writes at 0, 1, 2, 3; reads (II 2) at 0, 2, 4, 6. At t3 (w = 3): t2 (read 4) held, t1 read at
    // 2 = w - 1 is freed too recently (2 > w - 2 = 1): busy but not held; t0 (0 <= 1) free.
    // -> held 2, stall-free depth 3.
    const r = runGraph(timedPair([1, 1, 1, 1], [2, 2, 2, 2]));
    const a = r.summary.fifos[0]!;
    expect([a.maxOccupancy, a.stallFreeDepth]).toEqual([2, 3]);
  });
});

describe('resource accounting (hand-derived)', () => {
  /** Actors each making one request of `units` at cycle 0 on a `cap`-per-cycle resource. */
  function oneShot(cap: number, units: readonly number[], unit?: string): Graph {
    const g = new GraphBuilder('shot');
    g.resource(unit === undefined ? { name: 'R', unitsPerCycle: cap } : { name: 'R', unitsPerCycle: cap, unit });
    units.forEach((u, k) => g.invoke({ name: `q${k}`, firings: 1, resources: ['R'], cost: { iiCycles: 1, latencyCycles: 0, requests: [{ resource: 'R', units: u }] } }));
    return g.build();
  }

  it('exactly filling a cycle moves the next request to the next cycle', () => {
    // cap 64: q0 takes 64 = the whole of cycle 0; q1 (16) starts at 1, q2 (48) fills the rest of 1;
    // q3 (1) starts at 2. 129 units in 3 busy cycles, 4 grants.
    const r = runGraph(oneShot(64, [64, 16, 48, 1]), { trace: 'full' });
    const grants = r.events.flatMap((e) => (e.kind === 'grant' ? [[e.actor, e.startCycle, e.endCycle]] : []));
    expect(grants).toEqual([
      ['q0', 0, 1],
      ['q1', 1, 2],
      ['q2', 1, 2],
      ['q3', 2, 3],
    ]);
    const s = r.summary.resources[0]!;
    expect([s.unitsServed, s.grants, s.busyCycles, s.unit]).toEqual([129, 4, 3, 'unit']);
    // Every wait is contention: q1 and q2 wait 1 cycle, q3 2.
    expect(s.contentionCycles).toBe(1 + 1 + 2);
  });

  it('a request spanning several cycles: first the rest of the current cycle, then whole cycles', () => {
    // cap 10: q0 takes 4 of cycle 0; q1 (25) gets the 6 left, then 10 in 1, 9 in 2 -> [0, 3);
    // q2 (1) shares cycle 2 (1 unit left) -> [2, 3); q3 (3) starts at 3.
    const r = runGraph(oneShot(10, [4, 25, 1, 3], 'bytes'), { trace: 'full' });
    const grants = r.events.flatMap((e) => (e.kind === 'grant' ? [[e.actor, e.startCycle, e.endCycle]] : []));
    expect(grants).toEqual([
      ['q0', 0, 1],
      ['q1', 0, 3],
      ['q2', 2, 3],
      ['q3', 3, 4],
    ]);
    expect([r.summary.resources[0]!.busyCycles, r.summary.resources[0]!.unit]).toEqual([4, 'bytes']);
  });
});

describe('interleaved groups: edge cases', () => {
  const hbm = { name: 'hbm', channels: 4, unitsPerCycle: 32, interleaveBytes: 256 };

  it('a small access touches one channel only; an empty access none', () => {
    expect(interleavedRequests(hbm, 0, 4)).toEqual([{ resource: 'hbm[0]', units: 4 }]);
    expect(interleavedRequests(hbm, 256 * 5 + 10, 8)).toEqual([{ resource: 'hbm[1]', units: 8 }]);
    expect(interleavedRequests(hbm, 0, 0)).toEqual([]);
  });

  it('whole rounds and partial ends: 3 x 1024 + 300 bytes from address 100', () => {
    // The partial first stripe, whole rounds of 4 x 256 taken at once, and the partial end must
    // give what a byte-by-byte walk gives (stripe floor(a / 256) on channel stripe mod 4).
    const got = interleavedRequests(hbm, 100, 3 * 1024 + 300);
    expect(got.reduce((s, q) => s + q.units, 0)).toBe(3 * 1024 + 300);
    // Per channel: bytes of [100, 3472) in stripes of 256 mapped round-robin, by a naive walk.
    const naive = new Map<string, number>();
    for (let a = 100; a < 100 + 3 * 1024 + 300; a++) {
      const ch = `hbm[${Math.floor(a / 256) % 4}]`;
      naive.set(ch, (naive.get(ch) ?? 0) + 1);
    }
    expect(Object.fromEntries(got.map((q) => [q.resource, q.units]))).toEqual(Object.fromEntries(naive));
  });

  it('one channel and a 1-byte stripe are valid groups; a group counts bytes by default', () => {
    expect(interleavedRequests({ ...hbm, channels: 1 }, 1000, 77)).toEqual([{ resource: 'hbm[0]', units: 77 }]);
    expect(interleavedRequests({ ...hbm, interleaveBytes: 1 }, 0, 6).map((q) => q.units)).toEqual([2, 2, 1, 1]);
    expect(resourceGroup(hbm).map((r) => [r.name, r.unit])).toEqual([
      ['hbm[0]', 'bytes'],
      ['hbm[1]', 'bytes'],
      ['hbm[2]', 'bytes'],
      ['hbm[3]', 'bytes'],
    ]);
  });

  it('FIFOs of a Graph made without the builder are checked when the run builds them', () => {
    const g = timedPair([1], [1]);
    expect(() => runGraph({ ...g, fifos: [{ ...g.fifos[0]!, depth: 0 }] })).toThrow("FIFO 'a': depth must be an integer >= 1, got 0");
    expect(() => runGraph({ ...g, fifos: [{ ...g.fifos[0]!, widthBytes: 0 }] })).toThrow("FIFO 'a': widthBytes must be > 0, got 0");
    expect(() => runGraph({ ...g, fifos: [{ ...g.fifos[0]!, initialTokens: 9 }] })).toThrow("FIFO 'a': initialTokens must be an integer in [0, depth 8], got 9");
  });
});
