import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DeadlockError, GraphBuilder, run$, runGraph, sinkActor, sourceActor, stageActor, type RunEvent, type TraceEvent } from './index.js';

/** src (II 1) -> mid (II 4, latency 2) -> sink over depth-1 FIFOs: 4N + 1 cycles. */
function pipeline(n: number) {
  const g = new GraphBuilder('pipe');
  const a = g.stream('a', { depth: 1, widthBytes: 8 });
  const b = g.stream('b', { depth: 1, widthBytes: 8 });
  g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 8, cost: { iiCycles: 1, latencyCycles: 1 } }), { out: { out: a } });
  g.invoke(stageActor({ name: 'mid', widthBytes: 8, cost: { iiCycles: 4, latencyCycles: 2 } }), { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 8, cost: { iiCycles: 2, latencyCycles: 1 } }), { in: { in: b } });
  return g.build();
}

describe('run$: a run as an Observable', () => {
  it('advances in slices, reports progress, and ends with the same result as runGraph', async () => {
    const graph = pipeline(500);
    const events = await lastValueFrom(run$(graph, { sliceCycles: 300, trace: 'full', traceBatches: true }).pipe(toArray()));
    const progress = events.filter((e): e is Extract<RunEvent, { kind: 'progress' }> => e.kind === 'progress');
    // 4 * 500 + 1 = 2001 cycles in slices of 300: cycles 299, 599, ..., 1799, then the end.
    expect(progress.map((p) => p.cycle)).toEqual([299, 599, 899, 1199, 1499, 1799, 2001]);
    const last = events[events.length - 1]!;
    expect(last.kind).toBe('result');
    const result = (last as Extract<RunEvent, { kind: 'result' }>).result;
    const direct = runGraph(graph, { trace: 'full' });
    expect(result.cycles).toBe(4 * 500 + 1);
    expect(result.summary).toEqual(direct.summary);
    expect(result.firings).toBe(direct.firings);
    expect(result.schedulerEvents).toBe(direct.schedulerEvents);
    // The batches carry every trace event, in order.
    const batched: TraceEvent[] = events.flatMap((e) => (e.kind === 'trace' ? [...e.events] : []));
    expect(batched).toEqual(direct.events);
  });

  it('unsubscribing cancels the run: the engine stops firing and no result comes', async () => {
    // The sink's cost function counts the firings the engine actually runs.
    let fired = 0;
    const n = 100_000;
    const g = new GraphBuilder('long');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: n, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: () => (fired++, { iiCycles: 1, latencyCycles: 0 }) }), { in: { in: a } });
    const seen: RunEvent[] = [];
    let atCancel = -1;
    await new Promise<void>((resolve) => {
      const sub = run$(g.build(), { sliceCycles: 1000 }).subscribe((e) => {
        seen.push(e);
        if (seen.length === 2) {
          sub.unsubscribe();
          atCancel = fired;
          resolve();
        }
      });
    });
    // Slices yield with setImmediate: give a cancelled run many chances to go on.
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(atCancel);
    // Two slices of 1000 cycles ran (about 2000 firings of the sink), far from the 100,000.
    expect(fired).toBeLessThan(3000);
    expect(seen.every((e) => e.kind === 'progress')).toBe(true);
  });

  it('a deadlock arrives as the error of the Observable', async () => {
    const g = new GraphBuilder('stuck');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 5, widthBytes: 4 }), { out: { out: a } });
    g.invoke({ name: 'quitter', inputs: { in: { widthBytes: 4 } }, firings: 2, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: a } });
    await expect(firstValueFrom(run$(g.build()).pipe(toArray()))).rejects.toBeInstanceOf(DeadlockError);
  });
});
