import { describe, expect, it } from 'vitest';
import { WindowedTraceAccumulator, toWindowedPerfettoTrace } from './trace-window.js';
import type { TraceEvent } from './trace-events.js';

describe('WindowedTraceAccumulator', () => {
  const events: TraceEvent[] = [
    { kind: 'actor', actor: 'a', state: 'stalled-empty', startCycle: 0, endCycle: 25 },
    { kind: 'actor', actor: 'a', state: 'busy', startCycle: 25, endCycle: 32, firing: 0 },
    { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 32, endCycle: 35, fifo: 'f' },
    { kind: 'fifo', fifo: 'f', cycle: 31, occupancy: 2 },
    { kind: 'grant', resource: 'hbm', actor: 'a', units: 100, requestCycle: 25, startCycle: 25, endCycle: 35 },
  ];

  it('gives toWindowedPerfettoTrace\'s output, fed one event at a time', () => {
    const acc = new WindowedTraceAccumulator(10);
    for (const e of events) acc.add(e);
    const t = acc.finish({ title: 'x' });
    expect(t).toEqual(toWindowedPerfettoTrace(events, { windowCycles: 10, title: 'x' }));
    // windows 20-29 (5 waiting, 5 busy) and 30-39 (2 busy, 3 full); the waiting-only windows 0-19 are gaps
    const slices = t.traceEvents.filter((e) => e.ph === 'X');
    expect(slices.map((s) => [s.ts, s.name, s.args!['busy'], s.args!['stalled-empty'], s.args!['stalled-full']])).toEqual([
      [20, 'busy', 5, 5, 0], // a tie goes to the first state (busy)
      [30, 'stalled-full', 2, 0, 3],
    ]);
  });

  it('holds nothing for a wait that spans a billion cycles (a whole-model pass keeps thousands of actors waiting)', () => {
    const acc = new WindowedTraceAccumulator(10);
    acc.add({ kind: 'actor', actor: 'idle-most-of-the-pass', state: 'stalled-empty', startCycle: 3, endCycle: 1e9 + 7 });
    acc.add({ kind: 'actor', actor: 'idle-most-of-the-pass', state: 'busy', startCycle: 1e9 + 7, endCycle: 1e9 + 9, firing: 0 });
    const slices = acc.finish().traceEvents.filter((e) => e.ph === 'X');
    expect(slices.map((s) => [s.ts, s.args!['busy'], s.args!['stalled-empty']])).toEqual([[1e9, 2, 7]]);
  });
});
