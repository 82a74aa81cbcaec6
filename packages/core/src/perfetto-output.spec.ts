import { describe, expect, it } from 'vitest';
import { toPerfettoTrace, type TraceEvent } from './index.js';

/** The whole Perfetto export of a hand-written event list, plain and coalesced, derived by hand. */
describe('toPerfettoTrace: a hand-derived output', () => {
  const events: TraceEvent[] = [
    { kind: 'actor', actor: 'a', state: 'busy', startCycle: 0, endCycle: 2, firing: 0 },
    { kind: 'actor', actor: 'a', state: 'busy', startCycle: 2, endCycle: 4, firing: 1 },
    { kind: 'actor', actor: 'a', state: 'stalled-contention', startCycle: 4, endCycle: 6, resource: 'r', heldBy: 'b' },
    { kind: 'grant', resource: 'r', actor: 'a', units: 8, requestCycle: 4, startCycle: 6, endCycle: 8 },
    { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 6, endCycle: 7, fifo: 'f' },
    { kind: 'fifo', fifo: 'f', cycle: 3, occupancy: 1 },
    { kind: 'fifo', fifo: 'f', cycle: 3, occupancy: 2 },
    { kind: 'actor', actor: 'b', state: 'stalled-empty', startCycle: 0, endCycle: 5, fifo: 'g' },
    { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 7, endCycle: 9, fifo: 'f' },
    { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 10, endCycle: 11, fifo: 'f' },
  ];
  // Threads are numbered in order of first appearance across actors and resources: a 1, r 2, b 3.
  const head = [
    { name: 'process_name', ph: 'M', pid: 1, args: { name: 'actors' } },
    { name: 'process_name', ph: 'M', pid: 2, args: { name: 'FIFO occupancy' } },
    { name: 'process_name', ph: 'M', pid: 3, args: { name: 'shared resources' } },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'a' } },
    { name: 'thread_name', ph: 'M', pid: 3, tid: 2, args: { name: 'r' } },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 3, args: { name: 'b' } },
  ];
  const x = (name: string, tid: number, ts: number, dur: number, args: Record<string, unknown>) => ({ name, cat: 'actor', ph: 'X', pid: 1, tid, ts, dur, args: { startCycle: ts, endCycle: ts + dur, ...args } });
  const grant = { name: 'a', cat: 'grant', ph: 'X', pid: 3, tid: 2, ts: 6, dur: 2, args: { units: 8, requestCycle: 4, startCycle: 6, endCycle: 8 } };
  const counter = (occupancy: number) => ({ name: 'f', cat: 'fifo', ph: 'C', pid: 2, ts: 3, args: { occupancy } });

  it('one slice per interval, one counter per event, stably sorted by cycle', () => {
    const t = toPerfettoTrace(events, { clockMhz: 227, title: 'T' });
    expect(t.displayTimeUnit).toBe('ns');
    expect(t.metadata).toEqual({ 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', clockMhz: 227, title: 'T' } });
    expect(t.traceEvents).toEqual([
      ...head,
      x('busy', 1, 0, 2, { firing: 0 }),
      x('stalled-empty', 3, 0, 5, { fifo: 'g' }),
      x('busy', 1, 2, 2, { firing: 1 }),
      counter(1),
      counter(2),
      x('stalled-contention', 1, 4, 2, { resource: 'r', heldBy: 'b' }),
      grant,
      x('stalled-full', 1, 6, 1, { fifo: 'f' }),
      x('stalled-full', 1, 7, 2, { fifo: 'f' }),
      x('stalled-full', 1, 10, 1, { fifo: 'f' }),
    ]);
  });

  it('coalesce: back-to-back intervals of one state and culprit merge (firings counted); a counter keeps its end-of-cycle value', () => {
    // busy 0-2 and 2-4 merge (2 firings); stalled-full 6-7 and 7-9 on 'f' merge (0 firings);
    // 10-11 follows a gap: a slice of its own. The two counters of cycle 3 become one, 2.
    const t = toPerfettoTrace(events, { coalesce: true });
    expect(t.traceEvents).toEqual([
      ...head,
      x('busy', 1, 0, 4, { firings: 2 }),
      x('stalled-empty', 3, 0, 5, { fifo: 'g', firings: 0 }),
      counter(2),
      x('stalled-contention', 1, 4, 2, { resource: 'r', heldBy: 'b', firings: 0 }),
      grant,
      x('stalled-full', 1, 6, 3, { fifo: 'f', firings: 0 }),
      x('stalled-full', 1, 10, 1, { fifo: 'f', firings: 0 }),
    ]);
  });

  it('coalesce keeps apart same-state intervals with different culprits', () => {
    const two: TraceEvent[] = [
      { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 0, endCycle: 1, fifo: 'f' },
      { kind: 'actor', actor: 'a', state: 'stalled-full', startCycle: 1, endCycle: 2, fifo: 'h' },
      { kind: 'actor', actor: 'a', state: 'stalled-contention', startCycle: 2, endCycle: 3, resource: 'r', heldBy: 'b' },
      { kind: 'actor', actor: 'a', state: 'stalled-contention', startCycle: 3, endCycle: 4, resource: 'r', heldBy: 'c' },
      { kind: 'actor', actor: 'a', state: 'stalled-contention', startCycle: 4, endCycle: 5, resource: 's', heldBy: 'c' },
    ];
    const slices = toPerfettoTrace(two, { coalesce: true }).traceEvents.filter((e) => e.ph === 'X');
    expect(slices.map((e) => [e.ts, e.dur])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
    ]);
  });
});
