import { describe, expect, it } from 'vitest';
import { HBM_CHANNEL_CAPACITY_BYTES } from '@lut-llm/memory';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { checkFeasibility, checkLinearFeasibility } from './feasibility.js';
import { V80_PLATFORM } from './presets.js';

describe('checkFeasibility (HBM capacity per channel group)', () => {
  it('refuses Qwen3-32B on the V80: its tables and indices overflow the 32 weight channels', () => {
    // Per op D -> M (v 2, c_w 16, G 512, INT8 tables): indices D/2 x M x 4/8 = D x M / 4 bytes,
    // tables D/2 x ceil(M/512) x 1024 bytes. Qwen3-32B: H 5120, q 64 x 128 = 8192, kv 8 x 128 = 1024.
    //   qkv 5120 -> 10240:  13,107,200 +  52,428,800
    //   o   8192 -> 5120:   10,485,760 +  41,943,040
    //   gate_up 5120 -> 51200: 65,536,000 + 262,144,000
    //   down 25600 -> 5120: 32,768,000 + 131,072,000   => 609,484,800 per layer, x 64 = 39,007,027,200
    //   lm_head 5120 -> 151936: 194,478,080 + 2560 x 297 x 1024 = 778,567,680
    // total 39,980,072,960 bytes; the group holds 32 x 512 MiB = 17,179,869,184.
    const f = checkFeasibility(QWEN3_CONFIGS['Qwen3-32B']!, V80_PLATFORM, { positions: 256 });
    const w = f.groups.find((g) => g.group === 'weights')!;
    expect(w.bytes).toBe(39_980_072_960);
    expect(w.channels).toBe(32);
    expect(w.capacityBytesPerChannel).toBe(HBM_CHANNEL_CAPACITY_BYTES);
    expect(w.usedBytesPerChannel).toBeGreaterThanOrEqual(Math.ceil(39_980_072_960 / 32));
    expect(w.fits).toBe(false);
    expect(f.feasible).toBe(false);
    expect(f.problems).toEqual([expect.stringMatching(/^HBM weights channels: the LUT tables and weight indices of Qwen3-32B need 39\.98 GB \(1\.25 GB per channel\), the 32 weights channels hold 17\.18 GB \(0\.54 GB each\): 22\.80 GB over \(2\.33x the capacity\)$/)]);
  });

  it('accepts Qwen3-1.7B, and refuses it when the KV cache of its positions overflows the 4 K/V channels', () => {
    const m = QWEN3_CONFIGS['Qwen3-1.7B']!;
    expect(checkFeasibility(m, V80_PLATFORM, { positions: 256 }).feasible).toBe(true);
    // KV per position: 28 layers x 2 (K, V) x 8 heads x 128 x 4 B = 229,376 B; 40,960 positions = 9,395,240,960 B.
    // The cache sits on the K/V ports, which reads and writes share: kvRead 2 + kvWrite 2 = 4 channels.
    // 28 equal per-layer tensors stripe 7 to a channel: 7 x 8,192 B = 57,344 B per position per channel
    // against 512 MiB = 536,870,912 B: it fits up to floor(536,870,912 / 57,344) = 9,362 positions.
    const f = checkFeasibility(m, V80_PLATFORM, { positions: 40_960 });
    const kv = f.groups.find((g) => g.group === 'kvRead + kvWrite')!;
    expect(kv.bytes).toBe(9_395_240_960);
    expect(kv.channels).toBe(4);
    expect(f.problems).toEqual([expect.stringMatching(/^HBM kvRead \+ kvWrite channels: the KV cache of 40960 positions need 9\.40 GB/)]);
    expect(checkFeasibility(m, V80_PLATFORM, { positions: 9362 }).feasible).toBe(true);
    expect(checkFeasibility(m, V80_PLATFORM, { positions: 9363 }).feasible).toBe(false);
  });

  it('checks one linear layer against the weight channels', () => {
    expect(checkLinearFeasibility(2048, 6144, V80_PLATFORM).feasible).toBe(true);
    // 10^6 x 10^6: 2.5e11 B of indices + 5e5 x 1954 x 1024 B of tables = 1,250,448,000,000 B
    const f = checkLinearFeasibility(1_000_000, 1_000_000, V80_PLATFORM);
    expect(f.groups[0]!.bytes).toBe(1_250_448_000_000);
    expect(f.feasible).toBe(false);
  });
});
