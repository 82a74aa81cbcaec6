import { describe, expect, it } from 'vitest';
import { DEFAULT_QWEN3_MODEL, QWEN3_CONFIGS, qwen3Config, qwen3ConfigFromHf, tinyQwen3Config, validateQwen3Config } from './config.js';

describe('Qwen3 presets', () => {
  it('1.7B is the default and has the DESIGN.md section 4 numbers', () => {
    expect(DEFAULT_QWEN3_MODEL).toBe('Qwen3-1.7B');
    expect(qwen3Config()).toEqual({
      name: 'Qwen3-1.7B', hidden: 2048, intermediate: 6144, layers: 28, heads: 16, kvHeads: 8, headDim: 128,
      vocab: 151936, ropeTheta: 1e6, rmsNormEps: 1e-6, tiedEmbeddings: true, maxPositionEmbeddings: 40960,
    });
  });

  it('has the Hugging Face values of every size', () => {
    const pick = (n: keyof typeof QWEN3_CONFIGS) => {
      const c = QWEN3_CONFIGS[n];
      return [c.hidden, c.intermediate, c.layers, c.heads, c.kvHeads, c.headDim, c.tiedEmbeddings];
    };
    expect(pick('Qwen3-0.6B')).toEqual([1024, 3072, 28, 16, 8, 128, true]);
    expect(pick('Qwen3-4B')).toEqual([2560, 9728, 36, 32, 8, 128, true]);
    expect(pick('Qwen3-8B')).toEqual([4096, 12288, 36, 32, 8, 128, false]);
    expect(pick('Qwen3-32B')).toEqual([5120, 25600, 64, 64, 8, 128, false]);
    for (const c of Object.values(QWEN3_CONFIGS)) {
      expect(c.vocab).toBe(151936);
      expect(c.ropeTheta).toBe(1e6);
      expect(validateQwen3Config(c)).toEqual(c);
    }
  });

  it('presets are frozen', () => {
    expect(Object.isFrozen(QWEN3_CONFIGS['Qwen3-1.7B'])).toBe(true);
    expect(() => qwen3Config('Qwen3-7B')).toThrow(/unknown Qwen3 model "Qwen3-7B".*Qwen3-0\.6B, Qwen3-1\.7B/);
  });
});

describe('tinyQwen3Config', () => {
  it('is Qwen3-shaped and small', () => {
    const c = tinyQwen3Config();
    expect([c.hidden, c.layers, c.heads, c.kvHeads, c.headDim, c.vocab]).toEqual([256, 2, 4, 2, 64, 512]);
  });
  it('accepts heads * headDim != hidden (legal in Qwen3)', () => {
    const c = tinyQwen3Config({ hidden: 96, heads: 4, kvHeads: 2, headDim: 32 });
    expect(c.heads * c.headDim).toBe(128);
  });
});

describe('validateQwen3Config errors name the field', () => {
  const cases: [Partial<Parameters<typeof tinyQwen3Config>[0]>, RegExp][] = [
    [{ hidden: 0 }, /"Qwen3-tiny": hidden must be a positive integer, got 0/],
    [{ layers: 1.5 }, /layers must be a positive integer, got 1.5/],
    [{ heads: 6, kvHeads: 4 }, /heads \(6\) must be a multiple of kvHeads \(4\)/],
    [{ headDim: 63 }, /headDim \(63\) must be even/],
    [{ ropeTheta: 1 }, /ropeTheta must be a finite number > 1, got 1/],
    [{ rmsNormEps: 0 }, /rmsNormEps must be a finite number > 0, got 0/],
    [{ vocab: Number.NaN }, /vocab must be a positive integer, got NaN/],
    [{ name: '' }, /name must be a non-empty string/],
  ];
  for (const [o, re] of cases) {
    it(JSON.stringify(o), () => expect(() => tinyQwen3Config(o)).toThrow(re));
  }
});

describe('qwen3ConfigFromHf', () => {
  const hf17 = {
    architectures: ['Qwen3ForCausalLM'], attention_bias: false, head_dim: 128, hidden_size: 2048, intermediate_size: 6144,
    max_position_embeddings: 40960, model_type: 'qwen3', num_attention_heads: 16, num_hidden_layers: 28,
    num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 1000000, tie_word_embeddings: true,
    torch_dtype: 'bfloat16', vocab_size: 151936,
  };
  it('maps the Qwen3-1.7B config.json to the preset', () => {
    expect(qwen3ConfigFromHf(hf17, 'Qwen3-1.7B')).toEqual(QWEN3_CONFIGS['Qwen3-1.7B']);
  });
  it('rejects other model types, rope scaling and missing keys', () => {
    expect(() => qwen3ConfigFromHf({ ...hf17, model_type: 'llama' })).toThrow(/model_type is "llama", expected "qwen3"/);
    expect(() => qwen3ConfigFromHf({ ...hf17, rope_scaling: { type: 'yarn' } })).toThrow(/rope_scaling .* is not supported/);
    const { hidden_size: _h, ...noHidden } = hf17;
    expect(() => qwen3ConfigFromHf(noHidden)).toThrow(/"hidden_size" must be a number, got undefined/);
  });
});
