import { tinyQwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { V80_PLATFORM } from '../platform/index.js';
import { decodeSampleSteps, runInference } from './run.js';

/**
 * runInference emulates a few decode steps and interpolates the others. A step's cycles are
 * affine in its history between KV-chunk boundaries (the KV read and the attention work grow
 * linearly with the positions; everything else is fixed), so the model between two emulated
 * neighbours s0 < s < s1 with cycles c0, c1 is the straight line
 *   c(s) = c0 + (c1 - c0) x (s - s0) / (s1 - s0),
 * rounded to whole cycles. Expected values here are that formula, computed from the emulated
 * samples, not re-recorded output.
 */
describe('runInference: decode steps between samples are linear in the step', () => {
  // Tiny model, one layer, on the idealised V80 preset (no built KV limit): 8 prompt tokens,
  // 65 decode steps (0..64), 3 samples at steps 0, 32, 64 (histories 8, 40, 72).
  const r = runInference({ model: tinyQwen3Config({ layers: 1 }), platform: V80_PLATFORM, promptTokens: 8, outputTokens: 66, decodeSamples: 3 });
  const samples = decodeSampleSteps(66, 3);

  it('emulates the sample steps at their histories and keeps their cycles exactly', () => {
    expect(samples).toEqual([0, 32, 64]);
    expect(r.decodeSamples.map((p) => p.history)).toEqual([8, 40, 72]);
    expect(r.decodeCycles).toHaveLength(65);
    samples.forEach((s, k) => expect(r.decodeCycles[s]).toBe(r.decodeSamples[k]!.cycles));
  });

  it('the samples differ, so a step function or a wrong neighbour would show', () => {
    const [c0, c1, c2] = r.decodeSamples.map((p) => p.cycles) as [number, number, number];
    // More history: a longer KV read and more attention work.
    expect(c1).toBeGreaterThan(c0);
    expect(c2).toBeGreaterThan(c1);
  });

  it('every other step lies on the line between its two emulated neighbours', () => {
    const c = r.decodeSamples.map((p) => p.cycles);
    for (let s = 0; s < 65; s++) {
      const hi = s <= 32 ? 1 : 2;
      const [s0, s1, c0, c1] = [samples[hi - 1]!, samples[hi]!, c[hi - 1]!, c[hi]!];
      const exact = c0 + ((c1 - c0) * (s - s0)) / (s1 - s0);
      expect(Math.abs(r.decodeCycles[s]! - exact), `step ${s}`).toBeLessThanOrEqual(0.5);
    }
  });

  it('the mean decode latency is the mean of that piecewise-linear profile', () => {
    const c = r.decodeSamples.map((p) => p.cycles);
    // Sum of a line over the n = 33 steps s0..s1 inclusive = n x (c0 + c1) / 2; the shared middle sample counted once.
    // Exact sum, before rounding of the 62 interpolated steps (each off by at most 0.5).
    const exactSum = (33 * (c[0]! + c[1]!)) / 2 + (33 * (c[1]! + c[2]!)) / 2 - c[1]!;
    const mhz = r.clockMhz;
    expect(Math.abs(r.decodeMsPerToken * mhz * 1e3 * 65 - exactSum)).toBeLessThanOrEqual(0.5 * 62);
  });
});
