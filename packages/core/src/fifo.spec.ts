import { describe, expect, it } from 'vitest';
import { DeadlockError, GraphBuilder, runGraph, sinkActor, sourceActor, suggestFifoDepths, type ActorSpec } from './index.js';

/**
 * HLS/TAPA FIFO semantics, hand-derived. The rules (README "FIFOs"):
 *  - a firing starting at s writes its tokens at W = s + latency (the first cycle the consumer
 *    can read them); tokens inside a producer's pipeline occupy no slot;
 *  - token j of a depth-D FIFO is written no earlier than 2 cycles after token j - D was read
 *    (registered full/empty flags: the read in t shows a free slot in t + 1, whose write is
 *    readable at t + 2);
 *  - a write that finds no slot freezes the producer's whole pipeline (HLS stall-pipeline):
 *    every in-flight write and the next start move by the length of the stall.
 */

/** A producer of II 1 and latency `latency` feeding a sink through one FIFO. */
function producerToSink(n: number, depth: number, latency: number, sinkIi: number) {
  const g = new GraphBuilder('p2s');
  const f = g.stream('f', { depth, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'p', count: n, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: latency } }), { out: { out: f } });
  g.invoke(sinkActor({ name: 'c', widthBytes: 4, cost: { iiCycles: sinkIi, latencyCycles: 0 } }), { in: { in: f } });
  return g.build();
}

describe('HLS FIFOs: a pipelined producer', () => {
  const N = 1000;
  for (const depth of [2, 4]) {
    it(`II 1 / latency 10 through depth ${depth}: 1,000 tokens in N + 10 = 1,010 cycles, no stall`, () => {
      // W_i = i + 10 and the sink reads at W_i; token i needs token i - D read by W_i - 2 =
      // i + 8, and it was read at i - D + 10 <= i + 8 for D >= 2. The last read at N + 9 ends at N + 10.
      const r = runGraph(producerToSink(N, depth, 10, 1));
      expect(r.cycles).toBe(N + 10);
      expect(r.summary.actors[0]!.stalledFullCycles).toBe(0);
      expect(r.summary.fifos[0]!.maxOccupancy).toBe(1);
    });
  }

  it('II 1 / latency 10 through depth 1: one token every 2 cycles, 2N + 9 cycles', () => {
    // W_0 = 10; token i >= 1 needs token i - 1 read (at W_{i-1}) + 2, one cycle after it was
    // planned: each write freezes the pipeline 1 cycle, so W_i = 10 + 2i and the producer is
    // frozen N - 1 cycles in all. The last read at 10 + 2(N - 1) ends at 2N + 9.
    const r = runGraph(producerToSink(N, 1, 10, 1));
    expect(r.cycles).toBe(2 * N + 9);
    expect(r.summary.actors[0]!.stalledFullCycles).toBe(N - 1);
    expect(r.summary.actors[0]!.busyCycles).toBe(N);
  });
});

describe('HLS FIFOs: II 1 feeding II 2', () => {
  const N = 100;
  for (const depth of [1, 2, 4]) {
    it(`depth ${depth}: the II-2 consumer sets the pace (2N + 1 cycles); the producer is frozen N - 2D + 1 cycles`, () => {
      // Producer II 1 / latency 1: planned W_i = i + 1. Consumer II 2 reads at
      // c_i = max(W_i, c_{i-1} + 2) = 2i + 1 (it is never starved: W_i <= c_{i-1} + 2 needs
      // D >= 1). Token i must wait for c_{i-D} + 2 = 2(i - D) + 3, which exceeds i + 1 from
      // i = 2D - 1 on; from there every write is one cycle later than the previous one plus 1,
      // so the total freeze is the last write's delay: W_{N-1} - N = (2N + 1 - 2D) - N.
      const r = runGraph(producerToSink(N, depth, 1, 2));
      expect(r.cycles).toBe(2 * N + 1);
      expect(r.summary.actors[0]!.stalledFullCycles).toBe(N - 2 * depth + 1);
      expect(r.summary.fifos[0]!.fullStallCycles).toBe(N - 2 * depth + 1);
    });
  }
});

/**
 * src -> fork -> a ----------------> join
 *             -> b -> lineBuf -> b2 -^
 * lineBuf is a K-token line buffer (a stencil's row buffer): firing i reads b_i and writes
 * b2_{i-K}. The join needs a_m and b2_m together, so `a` must hold the K + 1 tokens the fork
 * writes before the line buffer emits b2_0: the classic HLS deadlock-by-depth.
 */
function lineBufferForkJoin(n: number, k: number, depthA: number) {
  const g = new GraphBuilder('fork-join');
  const s = g.stream('s', { depth: 2, widthBytes: 4 });
  const a = g.stream('a', { depth: depthA, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  const b2 = g.stream('b2', { depth: 2, widthBytes: 4 });
  const port = { widthBytes: 4 };
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4 }), { out: { out: s } });
  g.invoke({ name: 'fork', inputs: { in: port }, outputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 1 } }, { in: { in: s }, out: { a, b } });
  const lineBuf: ActorSpec = {
    name: 'lineBuf',
    inputs: { in: port },
    outputs: { out: port },
    firings: n + k,
    reads: (i) => (i < n ? ['in'] : []),
    writes: (i) => (i >= k ? ['out'] : []),
    cost: { iiCycles: 1, latencyCycles: 0 },
  };
  g.invoke(lineBuf, { in: { in: b }, out: { out: b2 } });
  g.invoke({ name: 'join', inputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { a, b: b2 } });
  return g.build();
}

describe('HLS FIFOs: fork/join with unequal path latencies', () => {
  const N = 32;
  const K = 8;
  // Unstalled timeline: src writes token j at j (latency 0), fork reads it at j and writes a_j,
  // b_j at j + 1; lineBuf reads b_i at i + 1 and writes b2_{i-K} then, so b2_m lands at
  // m + K + 1, when the join reads a_m and b2_m. The last join firing (m = N - 1) ends at N + K + 1.
  // At the write of a_j (cycle j + 1) the tokens of `a` not read by j - 1 are a_{j-K-1}..a_{j-1}:
  // K + 1 of them, plus a_j itself: depth K + 2 never stalls.

  it('depth K + 2 on the short path: no stall, N + K + 1 cycles; suggestFifoDepths finds K + 2', () => {
    const r = runGraph(lineBufferForkJoin(N, K, K + 2));
    expect(r.cycles).toBe(N + K + 1);
    expect(r.summary.fifos.map((f) => f.fullStallCycles)).toEqual([0, 0, 0, 0]);
    // Every other stream is read the cycle it is written: 1 held + 1 freed the cycle before = 2.
    expect(suggestFifoDepths(lineBufferForkJoin(N, K, 2)).map((d) => [d.fifo, d.suggestedDepth])).toEqual([
      ['s', 2],
      ['a', K + 2],
      ['b', 2],
      ['b2', 2],
    ]);
  });

  it('depth K + 1: it runs, the fork stalling until the join drains `a`', () => {
    // b2_0 needs b_K, written with a_K at K + 1: a_0..a_K fit in K + 1 slots. a_{K+1} (due at
    // K + 2) finds a_0 read at K + 1, too recently: the fork freezes until K + 3.
    const r = runGraph(lineBufferForkJoin(N, K, K + 1));
    expect(r.summary.actors.map((x) => x.firings)).toEqual([N, N, N + K, N]);
    expect(r.summary.actors.find((x) => x.actor === 'fork')!.stalledFullCycles).toBeGreaterThan(0);
    expect(r.cycles).toBeGreaterThan(N + K + 1);
  });

  it('depth K: DeadlockError naming every actor and the FIFO it waits on', () => {
    // `a` fills with a_0..a_{K-1} (written at 1..K); a_K is due at K + 1 and finds no slot: the
    // fork freezes at K + 1, so b_K is never written and lineBuf (K tokens in, firing K needs
    // b_K) waits on `b` from K + 1. The join waits on b2 from 1 (a_0 arrived then). The fork read
    // src's token K at K, so src writes tokens K + 1 and K + 2 into `s`; token K + 3 (due at
    // K + 3) needs token K + 1 read: src freezes at K + 3, the last event.
    let err: unknown;
    try {
      runGraph(lineBufferForkJoin(N, K, K));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeadlockError);
    const d = err as DeadlockError;
    expect(d.cycle).toBe(K + 3);
    expect(d.blocked).toEqual([
      { actor: 'src', waitsOn: 'full', fifo: 's', sinceCycle: K + 3 },
      { actor: 'fork', waitsOn: 'full', fifo: 'a', sinceCycle: K + 1 },
      { actor: 'lineBuf', waitsOn: 'empty', fifo: 'b', sinceCycle: K + 1 },
      { actor: 'join', waitsOn: 'empty', fifo: 'b2', sinceCycle: 1 },
    ]);
    expect(d.message).toMatch(/fork waits on full FIFO 'a'/);
  });
});
