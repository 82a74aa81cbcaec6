import { describe, expect, it } from 'vitest';
import { applyChanges, recordingBytes, retime, runGraph, type Graph, type RetimeChanges } from '@lut-llm/core';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { V80_PLATFORM } from '../platform/index.js';
import { buildPassGraph } from './pass-graph.js';

/**
 * Issue 20: the full Qwen3-1.7B decode step (28 layers + LM head, history 128) recorded once and
 * re-timed under six changes; each must give the cycles of a full re-run of the changed graph.
 * All seven are exact (the four resources several actors share keep their grant order under
 * these changes); a change that reordered them would make retime re-run and say why.
 */
describe('retime on the full decode graph', () => {
  const graph: Graph = buildPassGraph({ model: QWEN3_CONFIGS['Qwen3-1.7B'], platform: V80_PLATFORM, tokens: 1, history: 128, phase: 'decode' }).graph;
  const base = runGraph(graph, { collectSinks: false, record: true });
  const rec = base.recording!;
  const ending = (names: string[], suffix: string) => names.filter((n) => n.endsWith(suffix));
  const fifoNames = graph.fifos.map((f) => f.name);
  const byName = (suffix: string, depth: number) => Object.fromEntries(ending(fifoNames, suffix).map((n) => [n, depth]));
  const cases: [string, RetimeChanges, boolean][] = [
    ['no change', {}, true],
    ['every weight-tiles FIFO at depth 8', { fifoDepths: byName('.weight-tiles', 8) }, true],
    ['every activations FIFO at depth 1', { fifoDepths: byName('.activations', 1) }, true],
    ['attention latency 40 cycles', { latencyCycles: { attention: 40 } }, true],
    [`II 3 for '${graph.actors[12]!.spec.name}'`, { iiCycles: { [graph.actors[12]!.spec.name]: 3 } }, true],
    [`'${graph.resources[0]!.name}' at half its capacity`, { resourceUnitsPerCycle: { [graph.resources[0]!.name]: Math.max(1, graph.resources[0]!.unitsPerCycle >> 1) } }, true],
    ['clock 300 MHz', { clockMhz: 300 }, true],
  ];

  it('records about 57 bytes per firing: 457 k firings, 26.3 MB per decode token (under 30 MB)', () => {
    expect(rec.firings).toBe(base.firings);
    expect(rec.nonBlocking).toBe(false);
    expect(recordingBytes(rec)).toBeLessThan(30e6);
  });

  for (const [label, change, mustBeExact] of cases) {
    it(`${label}: re-timed cycles = a full re-run's`, () => {
      const got = retime(rec, change);
      const want = runGraph(applyChanges(graph, change), { collectSinks: false });
      expect(got.cycles).toBe(want.cycles);
      if (mustBeExact) expect(got.exact).toBe(true);
      if (got.exact) expect([...got.stalledFullCycles]).toEqual(want.summary.actors.map((a) => a.stalledFullCycles));
      else console.log(`retime '${label}': fell back to a re-run (${got.reason})`);
    }, 120_000);
  }
});
