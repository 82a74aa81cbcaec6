import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, run$, runGraph, sinkActor, sourceActor, type RunEvent } from './index.js';

/**
 * run$'s slices, progress records and trace batches on a run with few events (issue 23:
 * survivors of mutation testing in run-observable.ts). src fires 3 times at II `ii` (cycles 0,
 * ii, 2 ii; latency 0) into a depth-2 FIFO; snk (II 1) reads each token as it is written. The
 * run ends at 3 ii (src's last II). Firings per slice: src and snk fire together, 2 at each of
 * 0, ii, 2 ii. Scheduler events: one per firing, plus src's retire attempt at 3 ii and snk's
 * last attempt (empty, closed): 8.
 */
function slow(ii: number) {
  const g = new GraphBuilder('slow');
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: { iiCycles: ii, latencyCycles: 0 } }), { out: { out: a } });
  g.invoke(sinkActor({ name: 'snk', widthBytes: 4 }), { in: { in: a } });
  return g.build();
}

/** One short word per emission: p<cycle>/<firings>/<scheduler events>, t<trace events>, r<cycles>. */
function words(events: readonly RunEvent[]): string[] {
  return events.map((e) => (e.kind === 'progress' ? `p${e.cycle}/${e.firings}/${e.schedulerEvents}` : e.kind === 'trace' ? `t${e.events.length}` : `r${e.result.cycles}`));
}

const all = (ii: number, options: Parameters<typeof run$>[1]) => lastValueFrom(run$(slow(ii), options).pipe(toArray()));

describe('run$: slices, progress and trace batches (hand-derived)', () => {
  it('default slices of 100,000 cycles: progress at the end of each slice, then the last cycle', async () => {
    // II 100,000: firings at 0, 100,000, 200,000; the run ends at 300,000. Slice k ends at
    // k * 100,000 - 1; the slice that ends the run reports the run's last cycle.
    expect(words(await all(100_000, {}))).toEqual(['p99999/2/2', 'p199999/4/4', 'p299999/6/6', 'p300000/6/8', 'r300000']);
  });

  it('trace batches: one record per slice with events, none for an empty slice, the same events as runGraph', async () => {
    // II 1000, slices of 500. Slice [0, 500): the write and read of token 0 (2 FIFO events; the
    // busy intervals are still open). [500, 1000): nothing. [1000, 1500): src's busy [0, 1000)
    // and snk's busy [0, 1) and stalled-empty [1, 1000) close, plus a write and a read: 5. The
    // same for 2000. The end: src's and snk's last busy intervals and snk's idle [2001, 3000): 3.
    const events = await all(1000, { sliceCycles: 500, traceBatches: true });
    expect(words(events)).toEqual(['p499/2/2', 't2', 'p999/2/2', 'p1499/4/4', 't5', 'p1999/4/4', 'p2499/6/6', 't5', 'p2999/6/6', 'p3000/6/8', 't3', 'r3000']);
    const batched = events.flatMap((e) => (e.kind === 'trace' ? [...e.events] : []));
    expect(batched).toEqual(runGraph(slow(1000), { trace: 'full' }).events);
    // The result keeps no events unless trace: 'full' is asked for.
    const last = events[events.length - 1]!;
    expect(last.kind === 'result' && last.result.events).toEqual([]);
  });

  it('without traceBatches no trace record is emitted, also with trace: full', async () => {
    const events = await all(1000, { sliceCycles: 800, trace: 'full' });
    expect(words(events)).toEqual(['p799/2/2', 'p1599/4/4', 'p2399/6/6', 'p3000/6/8', 'r3000']);
    const last = events[events.length - 1]!;
    // The 2 + 5 + 5 + 3 events of the batches above, kept in the result.
    expect(last.kind === 'result' && last.result.events.length).toBe(15);
  });

  it('slices of 1 cycle: a progress record per cycle', async () => {
    // II 1: firings at 0, 1, 2; the run ends at 3.
    expect(words(await all(1, { sliceCycles: 1 }))).toEqual(['p0/2/2', 'p1/4/4', 'p2/6/6', 'p3/6/8', 'r3']);
  });

  it('unsubscribing between slices cancels the slice already scheduled', async () => {
    // The sink's cost function counts the firings the engine runs. The subscriber unsubscribes in
    // a microtask after the first progress record: after that slice has scheduled the next one.
    let fired = 0;
    const g = new GraphBuilder('cancel');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 10_000, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'snk', widthBytes: 4, cost: () => (fired++, { iiCycles: 1, latencyCycles: 0 }) }), { in: { in: a } });
    const seen: RunEvent[] = [];
    await new Promise<void>((resolve) => {
      const sub = run$(g.build(), { sliceCycles: 100 }).subscribe((e) => {
        seen.push(e);
        queueMicrotask(() => {
          sub.unsubscribe();
          resolve();
        });
      });
    });
    // The first slice (cycles 0..99): 100 sink firings. Nothing runs after the unsubscription.
    expect(fired).toBe(100);
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toBe(100);
    expect(words(seen)).toEqual(['p99/200/200']);
  });

  it('bad options and run errors arrive as the error of the Observable, after the slices that ran', async () => {
    await expect(all(1000, { sliceCycles: 0 })).rejects.toThrow(new RangeError('sliceCycles must be an integer >= 1, got 0'));
    await expect(all(1000, { sliceCycles: 2.5 })).rejects.toThrow('sliceCycles must be an integer >= 1, got 2.5');
    // A bad run option fails in the engine's constructor, before any slice.
    await expect(all(1000, { maxCycles: -5 })).rejects.toThrow('maxCycles must be an integer >= 1, got -5');
    // maxCycles 1500: slices end at 599, 1199, 1799; the firing attempt at 2000 passes the limit.
    const seen: RunEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      run$(slow(1000), { maxCycles: 1500, sliceCycles: 600 }).subscribe({ next: (e) => seen.push(e), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe('run exceeded maxCycles (1500) at cycle 2000');
    expect(words(seen)).toEqual(['p599/2/2', 'p1199/4/4', 'p1799/4/4']);
  });
});
