import { describe, expect, it } from 'vitest';
import { WindowedTraceAccumulator, toWindowedPerfettoTrace, type TraceEvent } from './index.js';

/**
 * The whole windowed trace of a hand-written event list (windows of 10 cycles), every event of
 * the output derived by hand: which windows are slices and how each is named, late intervals,
 * FIFO peaks written only when they change, resource units spread over a grant's cycles.
 */
describe('toWindowedPerfettoTrace: a hand-derived output', () => {
  const events: TraceEvent[] = [
    // 'a': window 0 busy 4, contention 6 (cycles 4-9); window 1 contention 2 (10-11).
    { kind: 'actor', actor: 'a', state: 'busy', startCycle: 0, endCycle: 4, firing: 0 },
    { kind: 'actor', actor: 'a', state: 'stalled-contention', startCycle: 4, endCycle: 12, resource: 'r', heldBy: 'b' },
    // Reported late (window 1 is open): added to window 0, full 2.
    { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 6, endCycle: 8, fifo: 'f' },
    { kind: 'actor', actor: 'a', state: 'busy', startCycle: 12, endCycle: 15, firing: 1 },
    { kind: 'actor', actor: 'a', state: 'idle', startCycle: 15, endCycle: 20 },
    // Windows 2 and 3 wholly waiting: gaps. Window 4: waiting 5 (40-44), busy 2 (45-46).
    { kind: 'actor', actor: 'a', state: 'stalled-empty', startCycle: 20, endCycle: 45, fifo: 'f' },
    { kind: 'actor', actor: 'a', state: 'busy', startCycle: 45, endCycle: 47, firing: 2 },
    // 'b' only waits: a thread with no slices.
    { kind: 'actor', actor: 'b', state: 'stalled-empty', startCycle: 0, endCycle: 30, fifo: 'g' },
    // 'f' peaks: window 0 max(1, 2) = 2, window 1 2 (unchanged: not written), window 2 max(1, 0) = 1.
    { kind: 'fifo', fifo: 'f', cycle: 3, occupancy: 1 },
    { kind: 'fifo', fifo: 'f', cycle: 7, occupancy: 2 },
    { kind: 'fifo', fifo: 'f', cycle: 12, occupancy: 2 },
    { kind: 'fifo', fifo: 'f', cycle: 25, occupancy: 1 },
    { kind: 'fifo', fifo: 'f', cycle: 26, occupancy: 0 },
    // 'r': 30 units over cycles 8-13 (5 a cycle): 10 in window 0, 20 in window 1; 5 units over
    // 19-20: 2.5 in window 1 (22.5, printed 23) and 2.5 in window 2 (3); a 0-cycle grant of 4 at
    // 31 counts in its cycle's window.
    { kind: 'grant', resource: 'r', actor: 'a', units: 30, requestCycle: 4, startCycle: 8, endCycle: 14 },
    { kind: 'grant', resource: 'r', actor: 'b', units: 5, requestCycle: 19, startCycle: 19, endCycle: 21 },
    { kind: 'grant', resource: 'r', actor: 'b', units: 4, requestCycle: 31, startCycle: 31, endCycle: 31 },
  ];
  const slice = (tid: number, ts: number, name: string, busy: number, empty: number, full: number, contention: number) => ({
    name,
    cat: 'actor',
    ph: 'X',
    pid: 1,
    tid,
    ts,
    dur: 10,
    args: { windowStartCycle: ts, busy, 'stalled-empty': empty, 'stalled-full': full, 'stalled-contention': contention },
  });
  const fifo = (ts: number, peakOccupancy: number) => ({ name: 'f', cat: 'fifo', ph: 'C', pid: 2, ts, args: { peakOccupancy } });
  const res = (ts: number, unitsServed: number) => ({ name: 'r', cat: 'resource', ph: 'C', pid: 3, ts, args: { unitsServed } });

  it('every event, in time order (slices named by their largest state, ties to the earlier state)', () => {
    const t = toWindowedPerfettoTrace(events, { windowCycles: 10, clockMhz: 250, title: 'T' });
    expect(t.displayTimeUnit).toBe('ns');
    expect(t.metadata).toEqual({ 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', windowCycles: 10, clockMhz: 250, title: 'T' } });
    expect(t.traceEvents).toEqual([
      { name: 'process_name', ph: 'M', pid: 1, args: { name: 'actors (windows of 10 cycles)' } },
      { name: 'process_name', ph: 'M', pid: 2, args: { name: 'FIFO peak occupancy per window' } },
      { name: 'process_name', ph: 'M', pid: 3, args: { name: 'units served per window' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'a' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: 'b' } },
      // Window 0: contention 6 > busy 4 > full 2.
      slice(1, 0, 'stalled-contention', 4, 0, 2, 6),
      fifo(0, 2),
      res(0, 10),
      slice(1, 10, 'busy', 3, 0, 0, 2),
      res(10, 23),
      fifo(20, 1),
      res(20, 3),
      res(30, 4),
      // Window 4 holds work (busy 2), named by its largest state, waiting (5).
      slice(1, 40, 'stalled-empty', 2, 5, 0, 0),
    ]);
  });

  it('the accumulator fed one event at a time gives the same, and checks its window', () => {
    const acc = new WindowedTraceAccumulator(10);
    for (const e of events) acc.add(e);
    expect(acc.finish({ clockMhz: 250, title: 'T' })).toEqual(toWindowedPerfettoTrace(events, { windowCycles: 10, clockMhz: 250, title: 'T' }));
    expect(() => new WindowedTraceAccumulator(2.5)).toThrow('windowCycles must be an integer >= 1, got 2.5');
    expect(() => new WindowedTraceAccumulator(0)).toThrow('windowCycles must be an integer >= 1, got 0');
    expect(new WindowedTraceAccumulator(1).windowCycles).toBe(1);
  });

  it('a window with only contention, or only a full FIFO, is a slice; one of only waiting is not', () => {
    const only = (state: 'stalled-contention' | 'stalled-full' | 'stalled-empty') =>
      toWindowedPerfettoTrace([{ kind: 'actor', actor: 'x', state, startCycle: 2, endCycle: 5 }], { windowCycles: 10 }).traceEvents.filter((e) => e.ph === 'X').map((e) => e.name);
    expect(only('stalled-contention')).toEqual(['stalled-contention']);
    expect(only('stalled-full')).toEqual(['stalled-full']);
    expect(only('stalled-empty')).toEqual([]);
  });
});
