import { describe, expect, it } from 'vitest';
import { applyChanges, recordingBytes, retime, retimerOf, Retimer, runGraph, type ActorSummary, type ExactRetime, type Graph, type RetimeChanges } from '@lut-llm/core';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { DEFAULT_PLATFORM_PRESET, PLATFORM_PRESETS, V80_PLATFORM } from '../platform/index.js';
import { buildPassGraph } from './pass-graph.js';

/** Per actor: busy, starved (stalled empty), frozen (stalled full), contention, resource-bound and idle cycles. */
function attribution(a: ExactRetime | readonly ActorSummary[]): number[][] {
  if ('exact' in a) return [...a.busyCycles].map((b, i) => [b, a.stalledEmptyCycles[i]!, a.stalledFullCycles[i]!, a.stalledContentionCycles[i]!, a.resourceBoundCycles[i]!, a.idleCycles[i]!]);
  return a.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.stalledContentionCycles, s.resourceBoundCycles, s.idleCycles]);
}

/**
 * Issue 20: the full Qwen3-1.7B decode step (28 layers + LM head, history 128) recorded once and
 * re-timed under eleven changes; each must give the cycles and the per-actor attribution (busy,
 * starved, frozen, contention, idle) of a full re-run of the changed graph. All are exact (the
 * four resources several actors share keep their grant order under these changes); a change
 * that reordered them would make retime re-run and say why. Re-timing is incremental: a change
 * confined to one layer re-times from the checkpoint before that layer and stops where the run
 * rejoins the recorded one shifted by a constant, so it re-resolves a small share of the firings.
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
    ["layer 20's O-projection LUT PSum at latency 500 cycles (one layer)", { latencyCycles: { 'L20.o.lut-psum': 500 } }, true],
    // One FIFO at depth 1: the actors it moves are re-timed alone while the rest follows the recorded run (partial re-timing).
    ['L5.down.activations at depth 1 (one FIFO)', { fifoDepths: { 'L5.down.activations': 1 } }, true],
    ['L12.o.scales at depth 1 (one FIFO)', { fifoDepths: { 'L12.o.scales': 1 } }, true],
    ['L3.gate_up.centroids at depth 1 (one FIFO)', { fifoDepths: { 'L3.gate_up.centroids': 1 } }, true],
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
      if (got.exact) expect(attribution(got)).toEqual(attribution(want.summary.actors));
      else console.log(`retime '${label}': fell back to a re-run (${got.reason})`);
    }, 120_000);
  }

  it('a change confined to layer 20 re-resolves under half a layer of firings (resume at the cut before it, stop where the run rejoins the recorded one)', () => {
    const got = retime(rec, { latencyCycles: { 'L20.o.lut-psum': 500 } });
    expect(got.exact).toBe(true);
    // The recorded latency is far below 500 (it would not move the run otherwise); the run is longer.
    expect(got.cycles).toBeGreaterThan(rec.cycles);
    // Layers 0-19 come from the checkpoints, layers 21-27 from the recorded run shifted by the delay. The
    // KV prefetcher runs ahead and is frozen on its next write in both runs at the rejoin: its later
    // times count from the freeze, so the run rejoins within a round of the change (not where the
    // prefetcher catches up, 14,199 firings later): under half of one layer's share (28 layers + head).
    if (got.exact) expect(got.firingsRetimed).toBeLessThan(rec.firings / 56);
  }, 120_000);

  it("FIFO sizing's probe of L10.o.centroids at depth 1 against the unbounded run: exact, re-resolving under an eighth of the firings", () => {
    // Unbounded (every FIFO one slot deeper than its tokens) the 113 centroid loaders run far ahead
    // on the shared centroid channel. At depth 1 this op's loader waits for its search, and every
    // later loader waits behind it in the channel's grant order: their tokens still arrive before
    // their searches need them, so partial re-timing follows the loaders (all requesters of the
    // channel join M) and this op's compute, while the rest follows the unbounded run. Re-timing
    // every actor from the change to where the loaders catch up re-resolved ~200 k firings.
    const ix = retimerOf(rec).ix;
    const deep = Object.fromEntries(graph.fifos.map((f, i) => [f.name, Math.max(f.depth, ix.fifoBase[i + 1]! - ix.fifoBase[i]! + 1)]));
    const free = new Retimer(runGraph(applyChanges(graph, { fifoDepths: deep }), { collectSinks: false, record: true }).recording!);
    const depths = { ...deep, 'L10.o.centroids': 1 };
    const got = free.retime({ fifoDepths: depths });
    const want = runGraph(applyChanges(graph, { fifoDepths: depths }), { collectSinks: false });
    if (typeof got === 'string') throw new Error(got);
    expect(got.cycles).toBe(want.cycles);
    const fields = (busy: ArrayLike<number>, empty: ArrayLike<number>, full: ArrayLike<number>, cont: ArrayLike<number>, bound: ArrayLike<number>) => [...Array(busy.length).keys()].map((a) => [busy[a], empty[a], full[a], cont[a], bound[a]]);
    const actors = want.summary.actors;
    expect(fields(got.busyCycles, got.stalledEmptyCycles, got.stalledFullCycles, got.stalledContentionCycles, got.resourceBoundCycles)).toEqual(
      fields(actors.map((x) => x.busyCycles), actors.map((x) => x.stalledEmptyCycles), actors.map((x) => x.stalledFullCycles), actors.map((x) => x.stalledContentionCycles), actors.map((x) => x.resourceBoundCycles)),
    );
    expect([...got.stalledFullByFifo]).toEqual(want.summary.fifos.map((f) => f.fullStallCycles));
    expect(got.firingsRetimed).toBeLessThan(rec.firings / 8);
  }, 120_000);
});

/**
 * FIFO sizing on the default preset (what `lut-llm fifo-size` sizes with no flags): a probe
 * against the run with every FIFO unbounded, limited at the 1% bound, stops as soon as a lower
 * bound of its cycles passes the bound (core retime-bound.ts). A weight-tiles FIFO at depth 1
 * starves the HBM weight stream, the run's bottleneck there: over the bound, decided a few
 * thousand firings after the change instead of at the end of the run; one within the bound runs
 * to its exact cycles. Both checked against full runs of the changed graph.
 */
describe('FIFO sizing probes on the default preset: the lower bound stops a probe over the bound', () => {
  const graph = buildPassGraph({ model: QWEN3_CONFIGS['Qwen3-1.7B'], platform: PLATFORM_PRESETS[DEFAULT_PLATFORM_PRESET], tokens: 1, history: 128, phase: 'decode' }).graph;
  const rec = runGraph(graph, { collectSinks: false, record: true }).recording!;
  const ix = retimerOf(rec).ix;
  // Unbounded as sizeFifos makes them: a depth of the FIFO's token count + 1.
  const unbounded = Object.fromEntries(graph.fifos.map((f, i) => [f.name, Math.max(f.depth, ix.fifoBase[i + 1]! - ix.fifoBase[i]! + 1)]));
  const free = applyChanges(graph, { fifoDepths: unbounded });
  const freeRun = runGraph(free, { collectSinks: false, record: true });
  const bound = Math.floor(freeRun.cycles * 1.01);
  const retimer = new Retimer(freeRun.recording!);
  const f = 'L5.gate_up.weight-tiles';

  it(`${f} at depth 1: over the bound (as a full run), stopped after under 20 k firings; unlimited it re-resolves over 100 k`, () => {
    const full = runGraph(applyChanges(free, { fifoDepths: { [f]: 1 } }), { collectSinks: false }).cycles;
    expect(full).toBeGreaterThan(bound);
    const capped = retimer.retime({ fifoDepths: { [f]: 1 } }, { stopAboveCycles: bound });
    if (typeof capped === 'string') throw new Error(capped);
    expect(capped.cycles).toBe(Infinity);
    expect(capped.firingsRetimed).toBeLessThan(20_000);
    const unlimited = retimer.retime({ fifoDepths: { [f]: 1 } });
    expect(typeof unlimited !== 'string' && unlimited.firingsRetimed).toBeGreaterThan(100_000);
    if (typeof unlimited !== 'string') expect(unlimited.cycles).toBe(full);
  }, 180_000);

  it(`${f} at depth 127: within the bound, the limited probe's cycles are the full run's`, () => {
    const full = runGraph(applyChanges(free, { fifoDepths: { [f]: 127 } }), { collectSinks: false }).cycles;
    expect(full).toBeLessThanOrEqual(bound);
    const capped = retimer.retime({ fifoDepths: { [f]: 127 } }, { stopAboveCycles: bound });
    expect(typeof capped !== 'string' && capped.cycles).toBe(full);
  }, 180_000);
});
