import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS, tinyQwen3Config } from './config.js';
import { linearShapes, parameterCounts, weightBytes } from './shapes.js';

describe('linearShapes', () => {
  it('lists Qwen3-1.7B linear ops in execution order', () => {
    const s = linearShapes(QWEN3_CONFIGS['Qwen3-1.7B']).map((l) => [l.name, l.inFeatures, l.outFeatures, l.instances]);
    expect(s).toEqual([
      ['qkv', 2048, 4096, 28], // (16 + 2*8) * 128 = 4096, the "QKV output width 4096" of DESIGN.md section 4
      ['o', 2048, 2048, 28],
      ['gate_up', 2048, 12288, 28],
      ['down', 6144, 2048, 28],
      ['lm_head', 2048, 151936, 1],
    ]);
  });

  it('uses heads * headDim, not hidden, for the attention width (Qwen3-0.6B: 1024 hidden, 2048 q width)', () => {
    const s = linearShapes(QWEN3_CONFIGS['Qwen3-0.6B']);
    expect(s[0]).toMatchObject({ name: 'qkv', inFeatures: 1024, outFeatures: (16 + 16) * 128 });
    expect(s[1]).toMatchObject({ name: 'o', inFeatures: 2048, outFeatures: 1024 });
  });
});

describe('parameterCounts', () => {
  it('Qwen3-1.7B: 1,720,574,976 unique parameters', () => {
    // Hand count: embedding 151936 * 2048 = 311,164,928.
    // Per layer: q 2048*2048 + k 1024*2048 + v 1024*2048 + o 2048*2048 = 12,582,912;
    //   MLP 3 * 2048 * 6144 = 37,748,736; norms 2*2048 + 2*128 = 4,352; total 50,336,000.
    // 28 layers = 1,409,408,000; final norm 2,048; tied LM head adds nothing.
    // 311,164,928 + 1,409,408,000 + 2,048 = 1,720,574,976 (the model card's "1.7B", 1.4B non-embedding;
    // Hugging Face lists 2.03B = this + a stored copy of the tied lm_head, 311,164,928).
    const p = parameterCounts(QWEN3_CONFIGS['Qwen3-1.7B']);
    expect(p.embedding).toBe(311_164_928);
    expect(p.perLayer).toBe(50_336_000);
    expect(p.layers).toBe(1_409_408_000);
    expect(p.lmHead).toBe(0);
    expect(p.total).toBe(1_720_574_976);
    expect(p.nonEmbedding).toBe(1_409_410_048);
    // Linear weights streamed per token: 28 * (4096 + 2048 + 12288 + 6144) * 2048 + lm_head 311,164,928.
    expect(p.linearPerToken).toBe(28 * (2048 * 4096 + 2048 * 2048 + 2048 * 12288 + 6144 * 2048) + 311_164_928);
    expect(weightBytes(QWEN3_CONFIGS['Qwen3-1.7B'], 2)).toBe(2 * 1_720_574_976);
  });

  it('Qwen3-0.6B: 596,049,920 (the count the model card rounds to 0.6B)', () => {
    // 151936*1024 = 155,582,464; layer: 6,291,456 attention + 9,437,184 MLP + 2,304 norms = 15,730,944;
    // 28 layers = 440,466,432; + final norm 1,024.
    expect(parameterCounts(QWEN3_CONFIGS['Qwen3-0.6B']).total).toBe(596_049_920);
  });

  it('Qwen3-32B counts its untied LM head', () => {
    const p = parameterCounts(QWEN3_CONFIGS['Qwen3-32B']);
    expect(p.lmHead).toBe(151936 * 5120);
    // per layer: q+o 2 * 5120*8192 = 83,886,080; k+v 2 * 5120*1024 = 10,485,760; MLP 3 * 5120*25600
    // = 393,216,000; norms 2*5120 + 2*128 = 10,496; sum 487,598,336.
    expect(p.perLayer).toBe(487_598_336);
    // 2 * 151936*5120 (embedding + LM head) + 64 * 487,598,336 + 5120 = 32,762,123,264 (card: 32.8B, 31.2B non-embedding)
    expect(p.total).toBe(32_762_123_264);
    expect(p.nonEmbedding / 1e9).toBeCloseTo(31.2, 1);
  });

  it('other sizes land near their names', () => {
    expect(parameterCounts(QWEN3_CONFIGS['Qwen3-4B']).total / 1e9).toBeCloseTo(4.02, 2);
    expect(parameterCounts(QWEN3_CONFIGS['Qwen3-8B']).total / 1e9).toBeCloseTo(8.19, 2);
  });

  it('rejects nonsense byte widths and configs', () => {
    expect(() => weightBytes(tinyQwen3Config(), 0)).toThrow(/bytesPerParam must be a finite number > 0, got 0/);
    expect(() => parameterCounts({ ...tinyQwen3Config(), kvHeads: 3 })).toThrow(/heads \(4\) must be a multiple of kvHeads \(3\)/);
  });
});
