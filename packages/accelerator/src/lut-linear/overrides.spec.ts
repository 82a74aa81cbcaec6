import { describe, expect, it } from 'vitest';
import { runLutLinear } from './run.js';

/**
 * Platform-level overrides on one LUTLinear op in isolation, each moving the cycles by an amount
 * derived from the hardware structure. The op is timing.spec's HBM-bound GEMV (512 x 128, co-quant,
 * 4 blocks of 16 positions, one 20,480 B weight tile per block; see timing.spec for the terms):
 *   cycles = 4 x (20,480 / (32 x weightChannels)) + readLatency + 9 + 21 + 4 + 7 + outputWrite,
 * where 9 + 21 is the PSum bank and latency, 4 the accumulator, 7 the dequantizer and
 * outputWrite = 2048 B / (32 x outputChannels). It holds while the weight tile of block b lands
 * after the block's indices (readable at 194 + 64 b with 4 input and 4 centroid channels): tile b
 * lands at 640 (b + 1) / weightChannels + readLatency, so for up to 4 weight channels.
 */
const gemv = { outFeatures: 512, inFeatures: 128 } as const;
const cyclesOf = (weights: number, latency: number, output: number) => (4 * 20480) / (32 * weights) + latency + 9 + 21 + 4 + 7 + 2048 / (32 * output);

describe('LUTLinear: overrides move an HBM-bound op by the derived amount', () => {
  it('weight channels 1, 2, 4: the weight stream time scales as 1 / channels (2681, 1401, 761)', () => {
    for (const weights of [1, 2, 4]) {
      expect(runLutLinear({ ...gemv, hbm: { channels: { weights } } }).cycles).toBe(cyclesOf(weights, 64, 4));
    }
    expect(cyclesOf(1, 64, 4)).toBe(2681);
    expect(cyclesOf(4, 64, 4)).toBe(761);
  });

  it('an HBM read latency of +d moves the op by exactly +d: tile requests are pipelined, only the last latency is exposed', () => {
    const base = runLutLinear({ ...gemv, hbm: { channels: { weights: 1 } } }).cycles;
    for (const d of [1, 36, 200]) {
      const slow = runLutLinear({ ...gemv, hbm: { channels: { weights: 1 }, readLatencyCycles: 64 + d } }).cycles;
      expect(slow).toBe(cyclesOf(1, 64 + d, 4));
      expect(slow - base).toBe(d);
    }
  });

  it('output channels 4 -> 1: the 2048 B output tile takes 64 instead of 16 cycles (+48)', () => {
    const four = runLutLinear({ ...gemv, hbm: { channels: { weights: 1 } } }).cycles;
    const one = runLutLinear({ ...gemv, hbm: { channels: { weights: 1, output: 1 } } }).cycles;
    expect(one).toBe(cyclesOf(1, 64, 1));
    expect(one - four).toBe(48);
  });
});
