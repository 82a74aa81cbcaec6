import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, isDeadlock, retime, retimeTokens, runGraph, type Graph } from './index.js';

/**
 * The re-timing's deadlock look (issue 23: mutation testing of the re-timing files): at the end of
 * a round, actors waiting for tokens or slots that only others in the same set could give are a
 * deadlock, as the engine reports it; an actor waiting for a cycle (a long latency) is not.
 *
 * src (4 firings, II 1, latency L) writes 'a' on firings 0, 1 and 'b' on 2, 3; join reads one
 * token of each per firing. With 'a' at depth 1, src's firing 1 waits for a0's slot, which join
 * frees only after reading b0, which src writes after firing 1: a deadlock (retime.spec). With
 * `bystander`, an independent pair (slow: 3 firings of latency 20 -> slowsink) is still running.
 */
function split(depthA: number, latency: number, bystander: boolean): Graph {
  const g = new GraphBuilder('split');
  const a = g.stream('a', { depth: depthA, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  const port = { widthBytes: 4 };
  if (bystander) {
    const c = g.stream('c', { depth: 1, widthBytes: 4 });
    g.invoke({ name: 'slow', firings: 3, outputs: { out: port }, cost: { iiCycles: 1, latencyCycles: 20 } }, { out: { out: c } });
    g.invoke({ name: 'slowsink', inputs: { in: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: c } });
  }
  g.invoke({ name: 'src', firings: 4, outputs: { a: port, b: port }, writes: (i) => [i < 2 ? 'a' : 'b'], cost: { iiCycles: 1, latencyCycles: latency } }, { out: { a, b } });
  g.invoke({ name: 'join', inputs: { a: port, b: port }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { a, b } });
  return g.build();
}

const MESSAGE = "re-timing deadlocked: actor 'src' and others wait for tokens or slots only each other can give";

describe('retime: the deadlock look', () => {
  it("names the first actor of the blocked set (src waits for a slot of 'a', join for a token of 'b'), with or without a pair still running beside them", () => {
    for (const bystander of [false, true]) {
      const rec = runGraph(split(2, 1, bystander), { record: true }).recording!;
      // Recorded at depth 2: writes at 1, 2, 3, 4; join reads (a0, b0) at 3, (a1, b1) at 4: 5
      // cycles. The bystander: slow's writes are due at 20, 21, 22; c's slot (depth 1) is free 2
      // cycles after each read: tokens written and read at 20, 22 (frozen [21, 22)) and 24
      // (due 23 after the shift, frozen [23, 24)): 25 cycles.
      expect(rec.cycles).toBe(bystander ? 25 : 5);
      expect(retimeTokens(rec, { fifoDepths: { a: 1 } })).toBe(MESSAGE);
      const why = new Retimer(rec).retime({ fifoDepths: { a: 1 } });
      expect([why, typeof why === 'string' && isDeadlock(why)]).toEqual([MESSAGE, true]);
      expect(() => runGraph(split(1, 1, bystander))).toThrow(/deadlock/);
    }
  });

  it("a long wait is not a deadlock: src's latency 30 at depth 2 from a depth-3 recording (join waits for b0 until 32): exact, (a0, b0) read at 32, (a1, b1) at 33: 34 cycles", () => {
    const rec = runGraph(split(3, 1, true), { record: true }).recording!;
    const x = retime(rec, { fifoDepths: { a: 2 }, latencyCycles: { src: 30 } });
    expect([x.exact, x.cycles]).toEqual([true, 34]);
    // Depth 1 with the same latency is still a deadlock.
    expect(retimeTokens(rec, { fifoDepths: { a: 1 }, latencyCycles: { src: 30 } })).toBe(MESSAGE);
  });

  it('a reason that is not a deadlock is not taken for one', () => {
    expect(isDeadlock("resource 'mem': the change reorders its grants")).toBe(false);
    expect(isDeadlock(MESSAGE)).toBe(true);
  });
});
