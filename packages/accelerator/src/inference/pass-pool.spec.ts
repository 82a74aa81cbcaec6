import { describe, expect, it } from 'vitest';
import { tinyQwen3Config } from '@lut-llm/model';
import { PassPool, runOnPool } from './pass-pool.js';
import { runInferencePooled } from './run-observable.js';
import { runInference, type InferenceOptions, type InferenceReport } from './run.js';

/** A report without its wall times (emulation wall time is never part of a result). */
function withoutWall(r: InferenceReport): unknown {
  return JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'wallMs' ? undefined : v)));
}

// Tiny model, 2 prefill chunks (12 tokens in chunks of 8) and 3 sampled decode steps: 5 passes.
const REQUEST: InferenceOptions = { model: tinyQwen3Config(), promptTokens: 12, prefillChunkTokens: 8, outputTokens: 9, decodeSamples: 3, traceDecode: true, beyondBuiltLimits: true };

describe('runInferencePooled', () => {
  it('gives the serial report, pass for pass, with 0, 1 and 2 workers', async () => {
    const serial = runInference(REQUEST);
    expect(serial.prefill).toHaveLength(2);
    expect(serial.decodeSamples).toHaveLength(3);
    expect(serial.decodeSamples[0]!.events.length).toBeGreaterThan(0); // the traced pass's events come back too
    for (const passWorkers of [0, 1, 2]) {
      const labels: string[] = [];
      const pooled = await runInferencePooled({ ...REQUEST, passWorkers, onProgress: (done, total, label) => labels.push(`${done}/${total} ${label}`) });
      expect(withoutWall(pooled)).toEqual(withoutWall(serial));
      // One progress call per pass, counting up (labels in completion order).
      expect(labels.map((l) => l.split(' ')[0])).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
      expect(labels.map((l) => l.replace(/^\S+ /, '')).sort()).toEqual(['decode step 1/8', 'decode step 5/8', 'decode step 8/8', 'prefill chunk 1/2', 'prefill chunk 2/2']);
    }
  });

  it('shares a caller\'s pool between requests and leaves it open', async () => {
    const pool = new PassPool({ threads: 2 });
    try {
      const a = await runInferencePooled({ ...REQUEST, passPool: pool });
      const b = await runInferencePooled({ ...REQUEST, variant: 'weight-only', passPool: pool });
      expect(withoutWall(a)).toEqual(withoutWall(runInference(REQUEST)));
      expect(withoutWall(b)).toEqual(withoutWall(runInference({ ...REQUEST, variant: 'weight-only' })));
    } finally {
      await pool.close();
    }
  });

  it('fails naming the pass when its worker dies mid-run, and closes the pool', async () => {
    // Task 3 (0-based) is the second sampled decode step: its worker thread exits.
    const pool = new PassPool({ threads: 2, injectFault: { atTask: 3, fault: 'exit' } });
    await expect(runInferencePooled({ ...REQUEST, passPool: pool })).rejects.toThrow(/^decode step 5\/8 \(decode, 1 token\(s\), history 16\) failed in a pass worker: .*exit/i);
    await expect(pool.runPass({ pass: { model: tinyQwen3Config(), platform: undefined as never, phase: 'decode', tokens: 1, history: 1 }, trace: false, label: 'late pass' })).rejects.toThrow(/pass pool is closed .*late pass/);
  });

  it('fails naming the pass when the pass throws', async () => {
    const pool = new PassPool({ threads: 1, injectFault: { atTask: 0, fault: 'throw' } });
    await expect(runInferencePooled({ ...REQUEST, passPool: pool })).rejects.toThrow(/^prefill chunk 1\/2 \(prefill, 8 token\(s\), history 0\) failed in a pass worker: fault injected by the test/);
  });
});

describe('runOnPool', () => {
  it('keeps at most `limit` tasks in flight and returns results in task order', async () => {
    let inFlight = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10, 2, 8];
    const out = await runOnPool(delays, 3, async (ms) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return ms * 2;
    });
    expect(out).toEqual(delays.map((d) => d * 2));
    expect(peak).toBe(3);
  });

  it('stops taking tasks after a failure', async () => {
    const started: number[] = [];
    await expect(
      runOnPool([0, 1, 2, 3, 4, 5], 2, async (i) => {
        started.push(i);
        await new Promise((r) => setTimeout(r, 5));
        if (i === 1) throw new Error('task 1 failed');
        return i;
      }),
    ).rejects.toThrow('task 1 failed');
    expect(started.length).toBeLessThanOrEqual(3);
  });
});
