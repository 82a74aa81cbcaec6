import { describe, expect, it } from 'vitest';
import { WindowedTraceAccumulator, toWindowedPerfettoTrace, type TraceEvent } from './index.js';

/**
 * The windowed Perfetto trace of hand-written events, windows of 10 cycles (issue 23: survivors
 * of mutation testing in trace-window.ts): intervals split across windows, whole windows of
 * waiting skipped, an interval reported late, the slice named by the state with most cycles,
 * FIFO peaks written when they change, grant units spread over their cycles (a 0-cycle grant
 * counts in its cycle).
 */
const events: TraceEvent[] = [
  { kind: 'actor', actor: 'p', state: 'busy', startCycle: 0, endCycle: 25, firing: 0 },
  // 5 cycles in window 2; windows 3 and 4 wholly waiting (gaps); 7 cycles in window 5.
  { kind: 'actor', actor: 'p', state: 'stalled-empty', startCycle: 25, endCycle: 57, fifo: 'f' },
  { kind: 'actor', actor: 'p', state: 'busy', startCycle: 57, endCycle: 60, firing: 1 },
  // Reported after window 5 was opened: kept in window 3.
  { kind: 'actor', actor: 'p', state: 'stalled-contention', startCycle: 33, endCycle: 35, resource: 'r', heldBy: 'q' },
  { kind: 'actor', actor: 'p', state: 'idle', startCycle: 60, endCycle: 70 },
  // q only waits: no slice at all.
  { kind: 'actor', actor: 'q', state: 'stalled-empty', startCycle: 0, endCycle: 30, fifo: 'f' },
  { kind: 'fifo', fifo: 'f', cycle: 1, occupancy: 1 },
  { kind: 'fifo', fifo: 'f', cycle: 3, occupancy: 2 },
  { kind: 'fifo', fifo: 'f', cycle: 12, occupancy: 2 },
  { kind: 'fifo', fifo: 'f', cycle: 25, occupancy: 1 },
  { kind: 'fifo', fifo: 'f', cycle: 27, occupancy: 0 },
  // 30 units over [8, 14): 5 a cycle: 10 in window 0, 20 in window 1.
  { kind: 'grant', resource: 'r', actor: 'p', units: 30, requestCycle: 8, startCycle: 8, endCycle: 14 },
  // A 0-unit grant at 20 and 7 units in cycle 25: window 2 gets 7.
  { kind: 'grant', resource: 'r', actor: 'q', units: 0, requestCycle: 20, startCycle: 20, endCycle: 20 },
  { kind: 'grant', resource: 'r', actor: 'q', units: 7, requestCycle: 25, startCycle: 25, endCycle: 26 },
];

const slice = (ts: number, name: string, busy: number, empty: number, full: number, contention: number) => ({
  name,
  cat: 'actor',
  ph: 'X',
  pid: 1,
  tid: 1,
  ts,
  dur: 10,
  args: { windowStartCycle: ts, busy, 'stalled-empty': empty, 'stalled-full': full, 'stalled-contention': contention },
});
const fifo = (ts: number, peakOccupancy: number) => ({ name: 'f', cat: 'fifo', ph: 'C', pid: 2, ts, args: { peakOccupancy } });
const res = (ts: number, unitsServed: number) => ({ name: 'r', cat: 'resource', ph: 'C', pid: 3, ts, args: { unitsServed } });

describe('windowed trace (hand-derived)', () => {
  it('every window of every track, in time order', () => {
    const t = toWindowedPerfettoTrace(events, { windowCycles: 10, clockMhz: 200, title: 'cases' });
    expect(t.displayTimeUnit).toBe('ns');
    expect(t.metadata).toEqual({ 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', windowCycles: 10, clockMhz: 200, title: 'cases' } });
    expect(t.traceEvents).toEqual([
      { name: 'process_name', ph: 'M', pid: 1, args: { name: 'actors (windows of 10 cycles)' } },
      { name: 'process_name', ph: 'M', pid: 2, args: { name: 'FIFO peak occupancy per window' } },
      { name: 'process_name', ph: 'M', pid: 3, args: { name: 'units served per window' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'p' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: 'q' } },
      slice(0, 'busy', 10, 0, 0, 0),
      fifo(0, 2),
      res(0, 10),
      slice(10, 'busy', 10, 0, 0, 0),
      // f's peak in window 1 is 2 again: not written.
      res(10, 20),
      // Window 2: busy 5, waiting 5: a tie goes to busy.
      slice(20, 'busy', 5, 5, 0, 0),
      fifo(20, 1),
      res(20, 7),
      slice(30, 'stalled-contention', 0, 0, 0, 2),
      slice(50, 'stalled-empty', 3, 7, 0, 0),
    ]);
  });

  it('the accumulator, fed one event at a time, gives the same trace; a bad window is refused', () => {
    const acc = new WindowedTraceAccumulator(10);
    for (const e of events) acc.add(e);
    expect(acc.finish({ clockMhz: 200, title: 'cases' })).toEqual(toWindowedPerfettoTrace(events, { windowCycles: 10, clockMhz: 200, title: 'cases' }));
    expect(() => new WindowedTraceAccumulator(0)).toThrow(new RangeError('windowCycles must be an integer >= 1, got 0'));
    expect(() => toWindowedPerfettoTrace(events, { windowCycles: 2.5 })).toThrow('windowCycles must be an integer >= 1, got 2.5');
  });

  it('windows of 1 cycle: every cycle of work is its own slice', () => {
    const t = toWindowedPerfettoTrace([{ kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 3, endCycle: 5, fifo: 'x' }], { windowCycles: 1 });
    expect(t.traceEvents.filter((e) => e.ph === 'X').map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['stalled-full', 3, 1],
      ['stalled-full', 4, 1],
    ]);
  });
});
