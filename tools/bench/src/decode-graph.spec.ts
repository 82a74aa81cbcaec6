import { createHash } from 'node:crypto';
import { buildPassGraph, V80_PLATFORM, type PassOptions } from '@lut-llm/accelerator';
import { run$, runGraph, type Graph, type RunResult } from '@lut-llm/core';
import { QWEN3_CONFIGS, tinyQwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';

/**
 * The decode-graph bench's graph is the engine's speed target (issue 16, item 7), and speed work
 * there must not move a cycle. These runs are pinned to the engine as it was before that work
 * (main at 580b0e8): the summary's SHA-256 (first 16 hex digits of JSON.stringify(summary)),
 * cycles, firings and scheduler events (firing attempts, writes and arbitration rounds: the
 * same events, however the engine queues them). A change to the graph or to a stage's cost
 * model moves them legitimately; a change to the engine alone must not.
 *
 * The same run is also made along the engine's other paths, which must agree with it: in run$
 * slices (a cycle's arbitration round pending when a slice ends), recorded (every request
 * arbitrated in rounds, no grant at request time) and, for the tiny model, fully traced.
 */
const digest = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

function sliced(graph: Graph, sliceCycles: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    run$(graph, { collectSinks: false, sliceCycles }).subscribe({ next: (e) => e.kind === 'result' && resolve(e.result), error: reject });
  });
}

function graphOf(o: Omit<PassOptions, 'platform'>): Graph {
  return buildPassGraph({ platform: V80_PLATFORM, ...o }).graph;
}

describe('decode-graph bench graph: engine speed work moves no cycle', () => {
  it('Qwen3-1.7B timing decode step at history 128: summary, cycles and counts as before, on every path', async () => {
    const graph = graphOf({ model: QWEN3_CONFIGS['Qwen3-1.7B'], tokens: 1, history: 128, phase: 'decode' });
    const r = runGraph(graph, { collectSinks: false });
    expect([r.cycles, r.firings, r.schedulerEvents]).toEqual([2_213_508, 457_472, 836_523]);
    expect(digest(r.summary)).toBe('3b1f4a6652c35f65');
    expect((await sliced(graph, 50_000)).summary).toEqual(r.summary);
    const recorded = runGraph(graph, { collectSinks: false, record: true });
    expect(recorded.summary).toEqual(r.summary);
    expect(recorded.recording!.firings).toBe(457_472);
  });

  it('the tiny model, decode at history 64 and prefill of 8 tokens: summary as before; traced, recorded and sliced runs agree', async () => {
    const cases = [
      { o: { model: tinyQwen3Config(), tokens: 1, history: 64, phase: 'decode' as const }, pinned: [6_861, 762, 1_734, '290fdd54b3dc5a65'] },
      { o: { model: tinyQwen3Config(), tokens: 8, history: 0, phase: 'prefill' as const }, pinned: [10_712, 758, 1_669, '6a592c6fd21bc4bd'] },
    ];
    for (const { o, pinned } of cases) {
      const graph = graphOf(o);
      const r = runGraph(graph);
      expect([r.cycles, r.firings, r.schedulerEvents, digest(r.summary)]).toEqual(pinned);
      expect(runGraph(graph, { trace: 'full' }).summary).toEqual(r.summary);
      expect(runGraph(graph, { record: true }).summary).toEqual(r.summary);
      expect((await sliced(graph, 97)).summary).toEqual(r.summary);
    }
  });
});
