import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Counts the whole-request emulations: the trace-size bound must refuse before the first one.
const calls = vi.hoisted(() => ({ inference: 0 }));
vi.mock('@lut-llm/accelerator', async (importOriginal) => {
  const orig = await importOriginal<typeof import('@lut-llm/accelerator')>();
  return {
    ...orig,
    runInference$: (...args: Parameters<typeof orig.runInference$>) => {
      calls.inference++;
      return orig.runInference$(...args);
    },
  };
});

const { runCli } = await import('./cli.js');
const { bufferIo } = await import('./progress.js');
const { estimateTraceSize } = await import('./run.js');
const { estimateExactTraceBytes } = await import('./trace.js');
const { PLATFORM_PRESETS, runPassTiming } = await import('@lut-llm/accelerator');
const { QWEN3_CONFIGS } = await import('@lut-llm/model');

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-trace-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace-size bounds are checked from the configuration, before the emulation', () => {
  it('refuses a windowed trace over its bound without emulating the request', async () => {
    calls.inference = 0;
    const io = bufferIo();
    const t = join(dir, 'w.json');
    const code = await runCli(['--model', 'Qwen3-0.6B', '--prompt', '4', '--output', '2', '--trace', t, '--trace-window', '1'], io);
    expect(code).toBe(1);
    expect(io.stderr()).toMatch(/^lut-llm: --trace-window 1: the per-window sums of the trace \(estimated, extrapolated to 28 layers/);
    expect(calls.inference).toBe(0);
    expect(() => statSync(t)).toThrow();
  });

  it('prints the exact trace estimate before emulating, then emulates and writes the trace', async () => {
    calls.inference = 0;
    const io = bufferIo();
    const t = join(dir, 'e.json');
    const code = await runCli(['--model', 'tiny', '--prompt', '4', '--output', '2', '--trace', t, '--trace-window', 'exact'], io);
    expect(code).toBe(0);
    expect(io.stderr()).toMatch(/exact trace of decode step 1 \(KV history 4\): about \d+ MB estimated, measured on the pass \(2 layer\(s\)\) without writing it/);
    expect(calls.inference).toBe(1);
    expect(statSync(t).size).toBeGreaterThan(0);
  });

  it('the extrapolation in the layer count is exact for the exact trace (every layer has the same graph)', () => {
    // Qwen3-0.6B (28 layers), one decode step: the estimate from 1 and 2 layers equals the count of the full pass.
    const model = QWEN3_CONFIGS['Qwen3-0.6B']!;
    const pass = { model, platform: PLATFORM_PRESETS['v80-int4-250'], variant: 'co-quant' as const, phase: 'decode' as const, tokens: 1, history: 4 };
    const est = estimateTraceSize(pass, 28, 'exact');
    expect(est.exactBytes).toBe(estimateExactTraceBytes(runPassTiming(pass).summary));
  });
});

describe('Ctrl-C cancels a run (the progress source is run$: unsubscribing stops the passes)', () => {
  it.each([0, 1])('with %i pass worker(s): exit code 130, a message, nothing written', async (workers) => {
    const io = bufferIo();
    const json = join(dir, `interrupted-${workers}.json`);
    // The interrupt arrives as soon as the run is cancellable (after run$'s first slice at the latest).
    const withInterrupt = { ...io, onInterrupt: (cancel: () => void) => (setImmediate(cancel), () => {}) };
    // tiny, 128-token prefill: ~323k cycles, several run$ slices of 100k cycles.
    const code = await runCli(['--model', 'tiny', '--prompt', '128', '--output', '2', '--pass-workers', String(workers), '--json', json], withInterrupt);
    expect(code).toBe(130);
    expect(io.stderr()).toMatch(/^lut-llm: interrupted: the emulation was cancelled \(Ctrl-C\); nothing was written$/m);
    expect(io.stdout()).toBe('');
    expect(() => statSync(json)).toThrow();
  });
});
