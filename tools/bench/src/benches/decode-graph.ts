import { buildPassGraph, V80_PLATFORM } from '@lut-llm/accelerator';
import { runGraph } from '@lut-llm/core';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs, timeBestWallCpuMs } from '../harness.js';
import { pipeline } from './core.js';

/**
 * Issue 16, item 7: the engine on the real graph. One timing-mode decode step of the full
 * Qwen3-1.7B (28 layers + LM head, context 128) built once and run by runGraph, as the stages
 * build it (the code path every real stage takes), against the 8-stage pipeline in the same
 * run. Reported: wall time per decode token (target <= 0.12 s), scheduler events per second of
 * both, and their ratio (target >= 0.5). Graph construction is timed apart.
 */
const bench: Bench = {
  name: 'decode-graph: full Qwen3-1.7B decode step (timing) vs the 8-stage pipeline, events/s',
  run(): BenchRow[] {
    const model = QWEN3_CONFIGS['Qwen3-1.7B'];
    const opts = { model, platform: V80_PLATFORM, tokens: 1, history: 128, phase: 'decode' as const };
    let built = buildPassGraph(opts);
    const buildMs = timeBestMs(() => {
      built = buildPassGraph(opts);
    }, 2);
    let events = 0;
    let cycles = 0;
    let firings = 0;
    const { wallMs: runMs, cpuMs: runCpuMs } = timeBestWallCpuMs(() => {
      const r = runGraph(built.graph, { collectSinks: false });
      events = r.schedulerEvents;
      cycles = r.cycles;
      firings = r.firings;
    }, 5);
    const pipe = pipeline(200_000);
    let pipeEvents = 0;
    const { wallMs: pipeMs, cpuMs: pipeCpuMs } = timeBestWallCpuMs(() => {
      pipeEvents = runGraph(pipe, { collectSinks: false }).schedulerEvents;
    }, 5);
    const graphRate = events / (runMs / 1000);
    const pipeRate = pipeEvents / (pipeMs / 1000);
    return [
      { label: 'decode step: actors / FIFOs / resources', value: built.graph.actors.length, unit: `actors, ${built.graph.fifos.length} FIFOs, ${built.graph.resources.length} resources` },
      { label: 'decode step: emulated cycles', value: cycles, unit: 'cycles' },
      { label: 'decode step: firings / scheduler events', value: firings, unit: `firings, ${events.toLocaleString('en-US')} events` },
      { label: 'decode step: graph build (apart)', value: buildMs, unit: 'ms' },
      { label: 'decode step: runGraph wall time per token (target <= 120)', value: runMs, unit: 'ms' },
      { label: 'decode step: runGraph CPU time per token', value: runCpuMs, unit: 'ms' },
      { label: 'decode step: build + run per token', value: buildMs + runMs, unit: 'ms' },
      { label: 'decode step: scheduler events per second', value: graphRate, unit: 'events/s' },
      { label: '8-stage pipeline (200,000 tokens): events per second', value: pipeRate, unit: 'events/s' },
      { label: 'decode graph / pipeline events per second (target >= 0.5)', value: graphRate / pipeRate, unit: 'x' },
      { label: 'same ratio from CPU time', value: events / runCpuMs / (pipeEvents / pipeCpuMs), unit: 'x' },
    ];
  },
};
export default bench;
