import { describe, expect, it } from 'vitest';
import { GraphBuilder, retime, runGraph, sinkActor, sourceActor } from './index.js';

/**
 * A request of 0 units holds no cycle of its resource (resource.ts `grant`; re-timing's
 * calendar, retime-calendar.ts `grantOn`): the firing starts and writes as if it asked nothing.
 */
function zeroUnits(units: number) {
  // src (3 firings, II 1, latency 0) -> a -> q (II 1, latency 2, asks `units` of mem, 4/cycle) -> b -> sink.
  const g = new GraphBuilder('zero');
  g.resource({ name: 'mem', unitsPerCycle: 4, unit: 'bytes' });
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4 }), { out: { out: a } });
  g.invoke(
    { name: 'q', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, resources: ['mem'], cost: { iiCycles: 1, latencyCycles: 2, requests: [{ resource: 'mem', units }] } },
    { in: { in: a }, out: { out: b } },
  );
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
  return g.build();
}

describe('0-unit requests', () => {
  it('take no cycle, in the engine and when re-timed (and when re-timed at another rate)', () => {
    // src writes a at 0, 1, 2; q fires at 0, 1, 2 (its grant ends where it starts), writes b at
    // 2, 3, 4; the sink reads at 2, 3, 4 and ends at 5. 4 units (one cycle of mem) instead
    // would end each grant one cycle later: writes at 3, 4, 5 and 6 cycles.
    const r = runGraph(zeroUnits(0), { record: true });
    expect(r.cycles).toBe(5);
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([2, 3, 4]);
    expect(r.summary.resources[0]).toMatchObject({ grants: 0, unitsServed: 0, busyCycles: 0 });
    expect(runGraph(zeroUnits(4)).cycles).toBe(6);
    const x = retime(r.recording!);
    expect(x.exact).toBe(true);
    expect(x.cycles).toBe(5);
    const y = retime(r.recording!, { resourceUnitsPerCycle: { mem: 1 } });
    expect(y.cycles).toBe(5);
  });
});
