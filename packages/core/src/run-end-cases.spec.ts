import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, runGraph, sourceActor } from './index.js';
import { thrown } from '../test-support/thrown.js';

/** The end-of-run check (engine-run.ts `checkFinished`) when several FIFOs keep tokens. */
describe('unread tokens in several FIFOs', () => {
  it('every FIFO left holding tokens is named, in graph order, separated by "; "', () => {
    // quit reads a and b once (firings: 1); srcA writes 3 tokens, srcB 2: a keeps 2, b keeps 1.
    const g = new GraphBuilder('left');
    const a = g.stream('a', { depth: 4, widthBytes: 4 });
    const b = g.stream('b', { depth: 4, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'srcA', count: 3, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sourceActor({ name: 'srcB', count: 2, widthBytes: 4 }), { out: { out: b } });
    g.invoke({ name: 'quit', inputs: { x: { widthBytes: 4 }, y: { widthBytes: 4 } }, firings: 1, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { x: a, y: b } });
    const e = thrown<RunError>(() => runGraph(g.build()));
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe(
      "run ended with unread tokens: FIFO 'a' holds 2 (its consumer 'quit' finished: reached its firing count (1)); FIFO 'b' holds 1 (its consumer 'quit' finished: reached its firing count (1))",
    );
  });
});
