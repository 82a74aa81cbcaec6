import { describe, expect, it } from 'vitest';
import { hbmPeakBytesPerCycle } from '@lut-llm/memory';
import { DEFAULT_KMEANS_ITERS } from '@lut-llm/vq';
import { cyclesToSeconds, peakWeightBandwidthGBps, planBandwidthGBps, streamBytesPerCycle } from './bandwidth.js';
import { describePlatform } from './describe.js';
import { loadPlatformConfig } from './load.js';
import { platformHbmConfig, platformVqConfig } from './package-configs.js';
import { V80_250MHZ, V80_PLATFORM } from './presets.js';
import { lutLinearStream, vqBitsPerWeight } from './vq-storage.js';

describe('bandwidth', () => {
  it('peak weight bandwidth = 32 channels x 32 B x 227 MHz = 232.448 GB/s', () => {
    expect(streamBytesPerCycle(V80_PLATFORM, 'weights')).toBe(1024);
    expect(peakWeightBandwidthGBps(V80_PLATFORM)).toBeCloseTo(232.448, 9);
    // 250 MHz build: 1024 B x 250 MHz = 256 GB/s
    expect(peakWeightBandwidthGBps(V80_250MHZ)).toBeCloseTo(256, 9);
  });

  it('the whole plan: 51 channels x 32 B x 227 MHz = 370.464 GB/s', () => {
    expect(planBandwidthGBps(V80_PLATFORM)).toBeCloseTo(370.464, 9);
  });

  it('agrees with packages/memory for every stream', () => {
    const hbm = platformHbmConfig(V80_PLATFORM);
    for (const s of ['weights', 'input', 'output', 'kvRead', 'kvWrite', 'centroids', 'ropeNorm', 'scales'] as const) {
      expect(streamBytesPerCycle(V80_PLATFORM, s)).toBe(hbmPeakBytesPerCycle(s, hbm));
    }
  });

  it('cycles -> seconds at the clock', () => {
    expect(cyclesToSeconds(V80_PLATFORM, 227e6)).toBe(1);
    expect(cyclesToSeconds(V80_250MHZ, 500)).toBeCloseTo(2e-6, 15);
  });

  it('describePlatform prints the clock, the weight bandwidth and the bits per weight', () => {
    const text = describePlatform(V80_PLATFORM).join('\n');
    expect(text).toContain('clock: 227 MHz');
    expect(text).toContain('232.4 GB/s  (peak weight bandwidth');
    expect(text).toContain('2 index + 8 table = 10 bits per weight');
    expect(text).toContain('board power: 190 W');
    const custom = describePlatform(loadPlatformConfig({ stages: { 'lut-psum': { matchers: 8 } }, fifoDepthOverrides: { a: 4 } })).join('\n');
    expect(custom).toContain('stage lut-psum: matchers=8');
    expect(custom).toContain('overrides: a=4');
    // the default (public build) names its HBM efficiency and built limits
    const built = describePlatform(loadPlatformConfig()).join('\n');
    expect(built).toContain('HBM efficiency: 12.8 GB/s per HBM port x 0.924 (sequential, 4096 B bursts, gap 0 beats) -> 32 of 32 B/cycle per channel achieved at 250 MHz');
    expect(built).toContain('built limits: MAX_SEQ_LEN 128 tokens per prefill call, MAX_KV_LEN 256 positions of K/V');
    expect(built).toContain('2 index + 4 table = 6 bits per weight');
    const fast = describePlatform(loadPlatformConfig({ clockMhz: 400 })).join('\n');
    expect(fast).toContain('-> 29 of 32 B/cycle per channel achieved at 400 MHz');
  });
});

describe('VQ storage', () => {
  it('bits per weight: 4-bit index per 2 weights + 64 x 16 x 8 bits per 2 x 512 weights = 2 + 8 = 10 (6 with INT4 tables)', () => {
    expect(vqBitsPerWeight(V80_PLATFORM.vq)).toEqual({ indexBits: 2, tableBits: 8, totalBits: 10 });
    expect(vqBitsPerWeight({ ...V80_PLATFORM.vq, lutBits: 4 }).totalBits).toBe(6);
  });

  it('qkv of Qwen3-1.7B (2048 -> 4096): indices 1024 x 4096 x 4/8 = 2 MiB, tables 1024 x 8 x 1 KiB = 8 MiB', () => {
    const s = lutLinearStream(2048, 4096, V80_PLATFORM);
    expect(s.positions).toBe(1024);
    expect(s.groups).toBe(8);
    expect(s.indexBytes).toBe(2_097_152);
    expect(s.tableBytes).toBe(8_388_608);
    expect(s.weightStreamBytes).toBe(10_485_760);
    expect(s.centroidBytes).toBe(1024 * 64 * 2 * 4); // 524288
    expect(s.scaleBytes).toBe(8 * 8);
    expect(s.lookupsPerToken).toBe(1024 * 4096);
  });

  it('a ragged last group (LM head 151936 outputs) rounds groups up; v must divide the input', () => {
    expect(lutLinearStream(2048, 151_936, V80_PLATFORM).groups).toBe(297);
    expect(() => lutLinearStream(2047, 8, V80_PLATFORM)).toThrow(/not a multiple of the sub-vector length v = 2/);
  });

  it('platformVqConfig gives a full VqConfig for packages/vq', () => {
    const vq = platformVqConfig(loadPlatformConfig({ vq: { lutBits: 4, distance: 'l2sq' } }), { seed: 7 });
    expect(vq.lutBits).toBe(4);
    expect(vq.distance).toBe('l2sq');
    expect(vq.seed).toBe(7);
    // Calibration fields the platform does not set come from packages/vq's defaults.
    expect(vq.kmeansIters).toBe(DEFAULT_KMEANS_ITERS);
    expect(platformVqConfig(V80_PLATFORM, { kmeansIters: 3 }).kmeansIters).toBe(3);
  });
});
