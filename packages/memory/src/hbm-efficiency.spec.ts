import { describe, expect, it } from 'vitest';
import { achievedBytesPerCyclePerChannel, SHUHAI_U280_SEQUENTIAL_FRACTION, V80_HBM_EFFICIENCY } from './index.js';

describe('HBM per-channel efficiency (Shuhai sequential fraction on 12.8 GB/s V80 ports)', () => {
  it('default fraction is Shuhai 425 GB/s over the U280 theoretical 460 GB/s', () => {
    expect(SHUHAI_U280_SEQUENTIAL_FRACTION).toBeCloseTo(0.9239, 4);
  });

  it('at 227 and 250 MHz the 32 B kernel port is narrower than the HBM port: 32 B/cycle stand', () => {
    // 12.8 GB/s x 0.9239 = 11.83 GB/s = 52.1 B/cycle at 227 MHz, 47.3 at 250 MHz
    expect(achievedBytesPerCyclePerChannel(32, 227, V80_HBM_EFFICIENCY)).toBe(32);
    expect(achievedBytesPerCyclePerChannel(32, 250, V80_HBM_EFFICIENCY)).toBe(32);
  });

  it('above 369.6 MHz (= 11.83 GB/s / 32 B) the HBM port is the limit: 29 B/cycle at 400 MHz, 23 at 500', () => {
    expect(achievedBytesPerCyclePerChannel(32, 400, V80_HBM_EFFICIENCY)).toBe(29); // floor(29.57)
    expect(achievedBytesPerCyclePerChannel(32, 500, V80_HBM_EFFICIENCY)).toBe(23); // floor(23.65)
  });

  it('short unpipelined bursts lose the gap: 64 B bursts (2 beats) with 2 idle beats halve the rate', () => {
    const e = { ...V80_HBM_EFFICIENCY, burstBytes: 64, burstGapBeats: 2 };
    // 11.83 GB/s x 2 / 4 = 5.91 GB/s = 23.65 B/cycle at 250 MHz
    expect(achievedBytesPerCyclePerChannel(32, 250, e)).toBe(23);
  });

  it('rejects a bad model by field', () => {
    expect(() => achievedBytesPerCyclePerChannel(32, 250, { ...V80_HBM_EFFICIENCY, sequentialFraction: 1.5 })).toThrow(/sequentialFraction must be in \(0, 1\], got 1.5/);
    expect(() => achievedBytesPerCyclePerChannel(32, 0, V80_HBM_EFFICIENCY)).toThrow(/clockMhz must be a number > 0/);
  });
});
