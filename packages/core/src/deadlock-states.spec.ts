import { describe, expect, it } from 'vitest';
import { DeadlockError, GraphBuilder, RunError, runGraph, sourceActor } from './index.js';
import { thrown } from '../test-support/thrown.js';

/**
 * What a run that cannot finish reports (issue 23: survivors of mutation testing in the engine's
 * completion check), derived by hand. src (II 1, latency L) feeds `a` (depth 1) to a quitter that
 * fires `quit` times and then stops reading.
 */
function quitter(latencyCycles: number, count: number, quit: number) {
  const g = new GraphBuilder('quit');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count, widthBytes: 4, cost: { iiCycles: 1, latencyCycles } }), { out: { out: a } });
  g.invoke({ name: 'quitter', inputs: { in: { widthBytes: 4 } }, firings: quit, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: a } });
  return g.build();
}

describe('runs that cannot finish (hand-derived)', () => {
  it('a write still planned when the run stops: blocked on the full FIFO from the cycle it was due', () => {
    // L = 2: t0 written at 2 and read at 2 (the quitter's only firing). f1 (start 1, due 3)
    // waits for t0's slot, free from 4: frozen [3, 4), written at 4, never read. f2 (start 2,
    // due 4, moved by the freeze to 5) finds a full: the last event is at 4; src is blocked on
    // the full FIFO from 5, when its write was due. The deadlock holds from the cycle the last
    // actor blocked, max(last event 4, src's 5) = 5 (session 8: it said 4, before src blocked).
    const e = thrown(() => runGraph(quitter(2, 3, 1)));
    expect(e).toBeInstanceOf(DeadlockError);
    const d = e as DeadlockError;
    expect(d.cycle).toBe(5);
    expect(d.blocked).toEqual([{ actor: 'src', waitsOn: 'full', fifo: 'a', sinceCycle: 5 }]);
    expect(d.message).toBe("deadlock at cycle 5: no actor can fire; blocked FIFOs: a\n  src waits on full FIFO 'a' (since cycle 5)");
  });

  it('a latency-0 producer frozen on a full FIFO', () => {
    // L = 0: t0 at 0 (read 0), t1 due 1 waits for slot free at 2 (read 2), src's II resumes at
    // 3; t2 due 3 waits until 4 (never read); f3 starts at 5 and its write finds a full.
    const d = thrown(() => runGraph(quitter(0, 5, 2))) as DeadlockError;
    expect(d).toBeInstanceOf(DeadlockError);
    expect([d.cycle, d.blocked]).toEqual([5, [{ actor: 'src', waitsOn: 'full', fifo: 'a', sinceCycle: 5 }]]);
  });

  it('a token written after its consumer stopped: an error naming the FIFO, not a deadlock', () => {
    // L = 2, 2 tokens: t1 is written at 4 (as above) and src is done; the quitter read only t0.
    const e = thrown(() => runGraph(quitter(2, 2, 1)));
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe("run ended with unread tokens: FIFO 'a' holds 1 (its consumer 'quitter' finished: reached its firing count (1))");
  });

  it('a token left because its consumer\'s other input ran dry: the message says so', () => {
    // join (no firing count) reads one token of 'a' and one of 'b' per firing; 'a' gets 1 token,
    // 'b' gets 2: join fires once, then finds 'a' closed and empty and retires; 'b' holds 1.
    const g = new GraphBuilder('dry');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'srcA', count: 1, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: a } });
    g.invoke(sourceActor({ name: 'srcB', count: 2, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 0 } }), { out: { out: b } });
    g.invoke({ name: 'join', inputs: { x: { widthBytes: 4 }, y: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { x: a, y: b } });
    const e = thrown(() => runGraph(g.build()));
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe("run ended with unread tokens: FIFO 'b' holds 1 (its consumer 'join' finished: another input ran dry)");
  });
});
