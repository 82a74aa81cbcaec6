import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, stageActor, toPerfettoTrace, formatSummary } from './index.js';

describe('Perfetto export and summary text', () => {
  const g = new GraphBuilder('p');
  const a = g.stream('a', { depth: 1, widthBytes: 4 });
  const b = g.stream('b', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 4, widthBytes: 4 }), { out: { out: a } });
  g.invoke(stageActor({ name: 'slow', widthBytes: 4, cost: { iiCycles: 3, latencyCycles: 1 } }), { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
  const r = runGraph(g.build(), { trace: 'full' });

  it('one thread track per actor, complete events in cycles-as-us, FIFO counters', () => {
    const t = toPerfettoTrace(r.events, { clockMhz: 227 });
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!['name']);
    expect(names).toEqual(expect.arrayContaining(['src', 'slow', 'sink']));
    const busy = t.traceEvents.filter((e) => e.ph === 'X' && e.name === 'busy' && e.tid === t.traceEvents.find((m) => m.args?.['name'] === 'slow')!.tid);
    expect(busy.map((e) => [e.ts, e.dur])).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
      [9, 3],
    ]);
    const stallFull = t.traceEvents.filter((e) => e.ph === 'X' && e.name === 'stalled-full');
    expect(stallFull.length).toBeGreaterThan(0);
    expect(stallFull[0]!.args!['fifo']).toBe('a');
    expect(t.traceEvents.some((e) => e.ph === 'C' && e.name === 'a' && e.args!['occupancy'] === 1)).toBe(true);
    const ts = t.traceEvents.filter((e) => e.ph !== 'M').map((e) => e.ts!);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    // Plain JSON: a round trip loses nothing (no undefined, NaN, Infinity or typed arrays).
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });

  it('coalesce merges back-to-back slices of a state and keeps every state change', () => {
    const t = toPerfettoTrace(r.events, { coalesce: true });
    const slowTid = t.traceEvents.find((m) => m.args?.['name'] === 'slow')!.tid;
    const slow = t.traceEvents.filter((e) => e.ph === 'X' && e.tid === slowTid);
    // 'slow' fires at 0, 3, 6, 9 with II 3: one busy slice [0, 12) of 4 firings.
    expect(slow.map((e) => [e.name, e.ts, e.dur, e.args!['firings']])).toEqual([['busy', 0, 12, 4]]);
    // Same total time per actor as the uncoalesced trace.
    const total = (tr: ReturnType<typeof toPerfettoTrace>, tid: number | undefined) => tr.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid).reduce((a, e) => a + e.dur!, 0);
    const full = toPerfettoTrace(r.events);
    for (const m of full.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name')) {
      const name = m.args!['name'];
      const tc = t.traceEvents.find((e) => e.ph === 'M' && e.args?.['name'] === name)!.tid;
      expect(total(t, tc)).toBe(total(full, m.tid));
    }
    expect(t.traceEvents.length).toBeLessThan(full.traceEvents.length);
  });

  it('the summary text names the bottleneck first', () => {
    const text = formatSummary(r.summary, { clockMhz: 250 });
    // slow starts at 0, 3, 6, 9 (II 3) and completes its last firing at 12; sink reads the last
    // token at 9 + 1 = 10 and completes at 11. 12 cycles at 250 MHz = 0.048 us.
    expect(text).toMatch(/graph 'p': 12 cycles \(0\.05 us at 250 MHz\)/);
    expect(text).toMatch(/1\. actor slow 100\.0%: busy 12 of 12 cycles; producers stalled full on 'a'/);
  });
});

describe('windowed Perfetto export (long runs)', () => {
  it('one slice per actor and window, named by the dominant state, with the cycles of each state', async () => {
    const { toWindowedPerfettoTrace } = await import('./index.js');
    const g = new GraphBuilder('w');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 10, widthBytes: 4 }), { out: { out: a } });
    g.invoke(sinkActor({ name: 'slowSink', widthBytes: 4, cost: { iiCycles: 4, latencyCycles: 0 } }), { in: { in: a } });
    const res = runGraph(g.build(), { trace: 'full' });
    // slowSink fires at 0, 4, ..., 36: busy every cycle of [0, 40). src: busy at 0 and 1, then
    // busy 1 of every 4 cycles (stalled full the other 3) until its last firing at 33.
    const t = toWindowedPerfettoTrace(res.events, { windowCycles: 10 });
    const tidOf = (n: string) => t.traceEvents.find((e) => e.ph === 'M' && e.args?.['name'] === n)!.tid;
    const sink = t.traceEvents.filter((e) => e.ph === 'X' && e.tid === tidOf('slowSink'));
    expect(sink.map((e) => [e.name, e.ts, e.dur, e.args!['busy']])).toEqual([
      ['busy', 0, 10, 10],
      ['busy', 10, 10, 10],
      ['busy', 20, 10, 10],
      ['busy', 30, 10, 10],
    ]);
    const src = t.traceEvents.filter((e) => e.ph === 'X' && e.tid === tidOf('src'));
    expect(src[1]!.name).toBe('stalled-full');
    const s1 = src[1]!.args!;
    expect((s1['busy'] as number) + (s1['stalled-full'] as number)).toBe(10);
    expect(() => toWindowedPerfettoTrace(res.events, { windowCycles: 0 })).toThrow(/windowCycles must be an integer >= 1/);
  });
});
