import { QWEN3_CONFIGS } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { modelHbmLayout } from './hbm-layout.js';
import { loadPlatformConfig, V80_PLATFORM } from './index.js';

describe('model weights on the HBM weight channels', () => {
  it('Qwen3-1.7B fits the 32 weight channels: 2,150,825,984 B at 10 bits per weight', () => {
    const l = modelHbmLayout(QWEN3_CONFIGS['Qwen3-1.7B'], V80_PLATFORM);
    // The bytes a decode step streams (packages/accelerator pass-graph tests count the same).
    expect(l.weightBytes).toBe(2_150_825_984);
    expect(l.weights.tensors).toHaveLength(28 * 8 + 2);
    // ~2.15 GB over 32 channels: ~64-67 MiB per channel of 512 MiB.
    expect(l.weights.usedBytesPerChannel).toBeGreaterThanOrEqual(Math.ceil(2_150_825_984 / 32));
    expect(l.weights.usedBytesPerChannel).toBeLessThan(70 * 1024 * 1024);
  });

  it('Qwen3-32B does not fit on 32 channels of 512 MiB: the error names the first tensor over', () => {
    expect(() => modelHbmLayout(QWEN3_CONFIGS['Qwen3-32B'], V80_PLATFORM)).toThrow(/HBM layout: tensor 'L\d+\.\w+\.(indices|tables)' .* does not fit: 32 channels x 536870912 bytes/);
  });

  it('fewer weight channels hold less: 1.7B on 4 channels overflows', () => {
    expect(() => modelHbmLayout(QWEN3_CONFIGS['Qwen3-1.7B'], loadPlatformConfig({ preset: 'v80', hbm: { channels: { weights: 4 } } }))).toThrow(/does not fit: 4 channels/);
  });
});
