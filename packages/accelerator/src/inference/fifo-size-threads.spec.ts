import { describe, expect, it } from 'vitest';
import { planSizing, runGraph, searchIndependent, sizeFifos } from '@lut-llm/core';
import { tinyQwen3Config } from '@lut-llm/model';
import { DEFAULT_PLATFORM_PRESET, PLATFORM_PRESETS } from '../platform/index.js';
import { buildPassGraph } from './pass-graph.js';
import { classOrder, sizeFifosThreaded } from './fifo-size-threads.js';
import { fifoSizeTask, searchTask } from './fifo-size-task.js';

/**
 * Issue 20: FIFO sizing with its probes spread over threads by classes of FIFOs alike in
 * structure. A class's search depends only on its own answers, so every field of the sizing must
 * be the single thread's (`sizeFifos`), whatever the number of threads. A 4-layer tiny Qwen3
 * decode step on the default preset (352 FIFOs; one probe undecidable, so the undecided example
 * is merged across threads too).
 */
describe('sizeFifosThreaded', () => {
  const graph = buildPassGraph({ model: tinyQwen3Config({ layers: 4 }), platform: PLATFORM_PRESETS[DEFAULT_PLATFORM_PRESET], tokens: 1, history: 16, phase: 'decode' }).graph;
  const rec = runGraph(graph, { collectSinks: false, record: true }).recording!;
  const single = sizeFifos(rec);

  it('orders every class of FIFOs once, largest estimated search first (threads take them in that order)', () => {
    const plan = planSizing(rec);
    const order = classOrder(plan);
    expect(order.map((c) => c[0]!).sort((a, b) => a - b)).toEqual(plan.classes.map((c) => c[0]!).sort((a, b) => a - b));
    // First a class with FIFOs to probe (more than one slot needed); last ones with none (cost 0).
    expect(order[0]!.some((f) => plan.need[f]! > 1)).toBe(true);
    expect(order[order.length - 1]!.every((f) => plan.need[f]! <= 1)).toBe(true);
    expect(classOrder(plan)).toEqual(order);
  });

  it('a worker\'s search (the graph rebuilt from its structure, the re-timer from the recording) equals this thread\'s', () => {
    const plan = planSizing(rec);
    const task = fifoSizeTask(plan, plan.classes, new Int32Array(new SharedArrayBuffer(4)));
    // One search per class, taken in order until none is left; merged, this thread's search of all.
    const there = searchTask(task);
    expect(there).toHaveLength(plan.classes.length);
    expect(Atomics.load(task.next, 0)).toBe(plan.classes.length + 1);
    const here = searchIndependent(plan.free, plan.unbounded, plan.need, plan.bound, plan.classes);
    const merged = new Int32Array(here.independent.length);
    for (const s of there) s.independent.forEach((d, f) => d > 0 && (merged[f] = d));
    expect([merged, there.reduce((n, s) => n + s.retimings, 0), there.reduce((n, s) => n + s.firingsRetimed, 0)]).toEqual([here.independent, here.retimings, here.firingsRetimed]);
    expect(here.undecided).toBe(single.undecidedProbes);
  });

  for (const threads of [1, 2, 3]) {
    it(`${threads} thread(s): every field equals the single thread's sizing`, async () => {
      const seen: number[] = [];
      const { searchCpuMs, classesPerThread, ...sizing } = await sizeFifosThreaded(rec, { threads, onProgress: (n, of) => seen.push(n, of) });
      expect(sizing).toEqual(single);
      expect(searchCpuMs).toHaveLength(threads);
      // Every class searched once, by whichever thread took it first.
      const classes = planSizing(rec).classes.length;
      expect(classesPerThread.reduce((a, b) => a + b, 0)).toBe(classes);
      // Progress after each class this thread searched: classes taken so far (rising), of all.
      const taken = seen.filter((_, i) => i % 2 === 0);
      expect(taken.length).toBe(classesPerThread[0]);
      expect(seen.filter((_, i) => i % 2 === 1).every((of) => of === classes)).toBe(true);
      expect(taken.every((n, i) => n >= (taken[i - 1] ?? 1) && n <= classes)).toBe(true);
      if (threads === 1) expect(taken).toEqual(Array.from({ length: classes }, (_, i) => i + 1));
    });
  }

  it('the single-thread sizing it is compared with probes and has an undecidable probe (the merge has something to merge)', () => {
    expect([single.retimings > 50, single.undecidedProbes, single.undecidedExample !== undefined]).toEqual([true, 1, true]);
  });

  it('an error on this thread stops the sizing with that error; the workers are terminated, their replies handled', async () => {
    const stop = () => {
      throw new Error('stopped by the progress callback');
    };
    await expect(sizeFifosThreaded(rec, { threads: 2, onProgress: stop })).rejects.toThrow('stopped by the progress callback');
  });

  it('refuses a thread count that is not a whole number >= 1, naming it', async () => {
    await expect(sizeFifosThreaded(rec, { threads: 0 })).rejects.toThrow('sizeFifosThreaded: threads must be an integer >= 1, got 0');
    await expect(sizeFifosThreaded(rec, { threads: 2.5 })).rejects.toThrow('got 2.5');
  });
});
