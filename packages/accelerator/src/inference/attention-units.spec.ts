import { QWEN3_CONFIGS } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { V80_INT4_250 } from '../platform/index.js';
import { compareAttentionUnits } from './attention-units.js';

describe('compareAttentionUnits', () => {
  it('Qwen3-1.7B, 128 tokens in, 128 out: the built unit per layer vs the pipelined one', () => {
    const [pre, dec] = compareAttentionUnits(QWEN3_CONFIGS['Qwen3-1.7B'], V80_INT4_250, 128, 128);
    // as built: 8 groups x (2 x 1032 + 248 + 71 + 248 + 255 x 248) = 526968 (packages/attention README)
    expect(pre!.cycles['as-built']).toBe(526968);
    // pipelined: 8 query tiles of 16 x 2 KV tiles of 64; tiles 0-3 see only KV tile 0 -> 12 pairs, each
    // max(QK 16*64*128*16/256 = 8192, softmax (16384 + 256) / 2 = 8320, PV (2097152 + 32768) / 256 = 8320);
    // + fill 60 + normalisation (div 12 + max(16*128 = 2048, 1024) + mul 4)
    expect(pre!.cycles.pipelined).toBe(12 * 8320 + 60 + 12 + 2048 + 4);
    // decode at 254 positions of history (Lk = 255, 16 key blocks): 8 x (32 + (496 + 87 + 312) + 496)
    expect(dec!.label).toBe('decode at 254 positions of history');
    expect(dec!.cycles['as-built']).toBe(8 * (32 + 496 + 87 + 312 + 496));
  });
});
