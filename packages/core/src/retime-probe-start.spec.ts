import { describe, expect, it } from 'vitest';
import { GraphBuilder, Retimer, retime, runGraph, sinkActor, type Graph, type RetimeChanges } from './index.js';

/**
 * Where a probe starts (issue 23: mutation testing of the re-timing files): a latency or II
 * change counts from the first firing whose value actually changes (a cost function may give
 * each firing its own); a value equal to the recorded one, a resource capacity left as it was or
 * changed on a resource nobody requests change nothing and re-resolve nothing. Derived by hand.
 *
 * p (4 firings, II 1) asks 1 unit of the 2-unit/cycle 'mem' per firing (granted [t, t + 1), so
 * its latency counts from t + 1) with latency 3 on firings 0, 1 and 5 on 2, 3, and writes 'a'
 * (depth 4) for the sink (II 1). 'idle' is a resource nobody requests. Recorded: starts 0..3,
 * writes at 4, 5, 8, 9, read then: 10 cycles.
 */
function graph(): Graph {
  const g = new GraphBuilder('probe-start');
  g.resource({ name: 'mem', unitsPerCycle: 2 });
  g.resource({ name: 'idle', unitsPerCycle: 1 });
  const a = g.stream('a', { depth: 4, widthBytes: 4 });
  g.invoke({ name: 'p', firings: 4, outputs: { out: { widthBytes: 4 } }, resources: ['mem'], cost: (f) => ({ iiCycles: 1, latencyCycles: f.index < 2 ? 3 : 5, requests: [{ resource: 'mem', units: 1 }] }) }, { out: { out: a } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: a } });
  return g.build();
}
const rec = runGraph(graph(), { record: true }).recording!;

function retimed(ch: RetimeChanges): [number, number] {
  const x = retime(rec, ch);
  if (!x.exact) throw new Error(x.reason);
  return [x.cycles, x.firingsRetimed];
}

describe('retime: where a probe starts', () => {
  it('latency 3 for every firing first changes firing 2 (started at 2): p\'s firings 2, 3 and the sink\'s 4 re-resolved; writes at 4, 5, 6, 7: 8 cycles', () => {
    expect(rec.cycles).toBe(10);
    expect(retimed({ latencyCycles: { p: 3 } })).toEqual([8, 6]);
  });

  it('latency 5 for every firing changes firing 0: all 8 firings; writes at 6, 7, 8, 9: 10 cycles', () => {
    expect(retimed({ latencyCycles: { p: 5 } })).toEqual([10, 8]);
  });

  it('values equal to the recorded ones, and a resource nobody requests, change nothing', () => {
    const same: RetimeChanges[] = [{ iiCycles: { p: 1 } }, { resourceUnitsPerCycle: { mem: 2 } }, { resourceUnitsPerCycle: { idle: 3 } }, { fifoDepths: { a: 4 } }, { iiCycles: { sink: 1 }, latencyCycles: { sink: 0 } }];
    for (const ch of same) {
      expect(retimed(ch)).toEqual([10, 0]);
    }
  });

  it('a Retimer names an unknown FIFO, actor or resource', () => {
    const r = new Retimer(rec);
    expect(() => r.retime({ fifoDepths: { nope: 1 } })).toThrow(new RangeError("retime: unknown FIFO 'nope'"));
    expect(() => r.retime({ latencyCycles: { nope: 1 } })).toThrow(new RangeError("retime: unknown actor 'nope'"));
    expect(() => r.retime({ iiCycles: { nope: 1 } })).toThrow(new RangeError("retime: unknown actor 'nope'"));
    expect(() => r.retime({ resourceUnitsPerCycle: { nope: 1 } })).toThrow(new RangeError("retime: unknown resource 'nope'"));
    expect(() => new Retimer(rec, { fifoDepths: { nope: 1 } })).toThrow(new RangeError("retime: unknown FIFO 'nope'"));
  });
});
