import { buildPassGraph, V80_PLATFORM } from '@lut-llm/accelerator';
import { runGraph } from '@lut-llm/core';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestWallCpuMs } from '../harness.js';
import { replayFloor, type FloorReplay } from '../floor.js';

/**
 * Issue 16, item 7: how far the engine is from the floor of any event engine in JS on the real
 * decode step. The step is run by runGraph (as the decode-graph bench does) and recorded; the
 * recording is replayed by `replayFloor` (floor.ts): one heap event per firing, its FIFO tests
 * and ring updates, its resource calendar, in typed arrays, with the start cycles given. The
 * ratio says what the engine's own work (stage callbacks, token objects, stall accounting,
 * pipelines, arbitration, deciding when to fire) costs on top of that floor, per firing.
 */
const bench: Bench = {
  name: 'engine-floor: decode step in runGraph vs a minimal event loop over its recorded firings, ns per firing',
  run(): BenchRow[] {
    const model = QWEN3_CONFIGS['Qwen3-1.7B'];
    const { graph } = buildPassGraph({ model, platform: V80_PLATFORM, tokens: 1, history: 128, phase: 'decode' });
    const rec = runGraph(graph, { collectSinks: false, record: true }).recording!;
    const rates = Float64Array.from(graph.resources, (r) => r.unitsPerCycle);
    // The engine first: the replay with stages calls the stages' callbacks with another Firing
    // object shape, which would make their later calls from the engine polymorphic.
    const engineT = timeBestWallCpuMs(() => {
      runGraph(graph, { collectSinks: false });
    }, 5);
    let floor: FloorReplay | undefined;
    const floorT = timeBestWallCpuMs(() => {
      floor = replayFloor(rec, rates);
    }, 5);
    const stagesT = timeBestWallCpuMs(() => {
      replayFloor(rec, rates, true);
    }, 5);
    if (floor!.readsBeforeWrite !== 0) throw new Error(`replayFloor read ${floor!.readsBeforeWrite} tokens before their write: the replay is wrong`);
    const perFiring = (ms: number): number => (ms * 1e6) / rec.firings;
    return [
      { label: 'firings replayed (one event each)', value: floor!.events, unit: 'events' },
      { label: 'floor: wall / CPU per firing', value: perFiring(floorT.wallMs), unit: `ns (CPU ${perFiring(floorT.cpuMs).toFixed(1)} ns)` },
      { label: 'floor + stage callbacks and metadata: wall / CPU per firing', value: perFiring(stagesT.wallMs), unit: `ns (CPU ${perFiring(stagesT.cpuMs).toFixed(1)} ns)` },
      { label: 'engine (runGraph): wall / CPU per firing', value: perFiring(engineT.wallMs), unit: `ns (CPU ${perFiring(engineT.cpuMs).toFixed(1)} ns)` },
      { label: 'engine / floor (CPU)', value: engineT.cpuMs / floorT.cpuMs, unit: 'x' },
      { label: "engine's own work per firing (engine - floor with stages, CPU)", value: perFiring(engineT.cpuMs - stagesT.cpuMs), unit: 'ns' },
      { label: 'per firing at the 120 ms target', value: 120e6 / rec.firings, unit: 'ns' },
    ];
  },
};
export default bench;
