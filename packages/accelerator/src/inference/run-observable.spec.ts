import { describe, expect, it } from 'vitest';
import { tinyQwen3Config } from '@lut-llm/model';
import { PLATFORM_PRESETS } from '../platform/index.js';
import { PassPool } from './pass-pool.js';
import { runInference } from './run.js';
import { runInference$, type InferenceEvent } from './run-observable.js';

const base = { model: tinyQwen3Config(), promptTokens: 8, outputTokens: 4, decodeSamples: 2 } as const;

function collect(opts: Parameters<typeof runInference$>[0]): Promise<InferenceEvent[]> {
  return new Promise((resolve, reject) => {
    const events: InferenceEvent[] = [];
    runInference$(opts).subscribe({ next: (e) => events.push(e), error: reject, complete: () => resolve(events) });
  });
}

const figures = (r: ReturnType<typeof runInference>) => ({ prefill: r.prefill.map((p) => p.cycles), decode: r.decodeCycles, ttft: r.ttftMs, e2e: r.e2eMs });

describe('runInference$ (the progress bar\'s source: run$ slices per pass, on this thread or forwarded from pass workers)', () => {
  it.each(['0 pass workers', '1 pass worker (this thread)', 'a pass pool of 1 worker'])('%s: per-pass progress from run$ is monotone, passes done count 1..total, the report is the last emission and equals runInference', async (how) => {
    const pool = how.startsWith('a pass pool') ? new PassPool({ threads: 1 }) : undefined;
    const events = await collect({ ...base, ...(pool ? { passPool: pool } : { passWorkers: how.startsWith('0') ? 0 : 1 }) }).finally(() => pool?.close());
    const last = events[events.length - 1]!;
    expect(last.kind).toBe('report');
    const report = (last as Extract<InferenceEvent, { kind: 'report' }>).report;
    expect(figures(report)).toEqual(figures(runInference(base)));
    // 1 prefill chunk + 2 decode samples = 3 passes; each finished pass counts once, in order, up to 100%.
    const done = events.filter((e) => e.kind === 'pass-done');
    expect(done.map((e) => e.done)).toEqual([1, 2, 3]);
    expect(done.every((e) => e.total === 3)).toBe(true);
    const passes = [...report.prefill, ...report.decodeSamples];
    for (let i = 0; i < 3; i++) {
      const cycles = events.filter((e): e is Extract<InferenceEvent, { kind: 'pass-progress' }> => e.kind === 'pass-progress' && e.task === i).map((e) => e.cycle);
      expect(cycles.length).toBeGreaterThan(0); // every pass reported through run$ (from the worker when pooled)
      expect([...cycles].sort((a, b) => a - b)).toEqual(cycles);
      expect(cycles[cycles.length - 1]).toBe(passes[i]!.cycles); // run$'s last slice ends at the pass's cycle count
    }
  });

  it('2 pass workers: the passes run on pass lanes (whole passes, no slice progress), passes done count 1..total, and the report equals runInference', async () => {
    const events = await collect({ ...base, passWorkers: 2 });
    expect(events.some((e) => e.kind === 'pass-progress')).toBe(false);
    expect(events.filter((e) => e.kind === 'pass-done').map((e) => e.done)).toEqual([1, 2, 3]);
    const last = events[events.length - 1]!;
    expect(last.kind).toBe('report');
    expect(figures((last as Extract<InferenceEvent, { kind: 'report' }>).report)).toEqual(figures(runInference(base)));
  });

  it('unsubscribing on this thread stops the run between slices: no event after it', async () => {
    // Prefill of 128 tokens on tiny takes ~323k cycles: several run$ slices of 100k cycles.
    const events: InferenceEvent[] = [];
    let after = 0;
    await new Promise<void>((resolve) => {
      const sub = runInference$({ ...base, promptTokens: 128, outputTokens: 2, passWorkers: 0 }).subscribe({
        next: (e) => {
          if (sub?.closed) after++;
          events.push(e);
          if (e.kind === 'pass-progress' && events.length === 1) {
            sub.unsubscribe();
            setTimeout(resolve, 200);
          }
        },
      });
    });
    expect(events).toHaveLength(1);
    expect(after).toBe(0);
  });

  it('unsubscribing while a pass runs in a worker aborts it: the pool is closed, no report comes', async () => {
    const pool = new PassPool({ threads: 1 });
    const events: InferenceEvent[] = [];
    await new Promise<void>((resolve) => {
      const sub = runInference$({ ...base, promptTokens: 128, outputTokens: 2, passPool: pool }).subscribe({
        next: (e) => {
          events.push(e);
          if (e.kind === 'pass-progress') {
            sub.unsubscribe();
            setTimeout(resolve, 200);
          }
        },
      });
    });
    expect(events.some((e) => e.kind === 'report')).toBe(false);
    await expect(pool.runPass({ pass: { model: base.model, platform: PLATFORM_PRESETS['v80-int4-250'], phase: 'decode', tokens: 1, history: 1 }, trace: false, label: 'after cancel' })).rejects.toThrow(/pass pool is closed/);
    await pool.close();
  });
});
