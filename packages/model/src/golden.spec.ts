import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openQwen3Checkpoint } from './checkpoint.js';
import { argmax } from './ops/argmax.js';
import { Qwen3Reference } from './reference.js';

/**
 * Cross-check against an independent implementation: fixtures/golden_qwen3.py is a float64 NumPy
 * forward pass written after Hugging Face's modeling_qwen3.py (whole sequence at once, additive
 * causal mask, repeat_kv, rotate_half), run on the committed BF16 checkpoint fixtures/qwen3-micro.
 * The TypeScript reference stores activations in FP32, so agreement is to ~1e-5 relative.
 */
const fixture = fileURLToPath(new URL('../fixtures/qwen3-micro/', import.meta.url));
const golden = JSON.parse(readFileSync(`${fixture}golden.json`, 'utf8')) as { tokenIds: number[]; logits: number[][] };

describe('golden logits from an independent NumPy Qwen3 (HF conventions)', () => {
  const weights = openQwen3Checkpoint(fixture);

  it('the fixture is the Qwen3-shaped micro model (q width 64 != hidden 32, untied head)', () => {
    expect(weights.config).toMatchObject({ hidden: 32, heads: 4, kvHeads: 2, headDim: 16, vocab: 50, tiedEmbeddings: false, ropeTheta: 10000 });
  });

  it('prefill of all positions matches within 1e-4 absolute (logits of std ~2.7)', () => {
    const ref = new Qwen3Reference(weights);
    const all = ref.prefillAllLogits(golden.tokenIds);
    const V = weights.config.vocab;
    let maxDiff = 0;
    golden.logits.forEach((row, t) => {
      row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(all[t * V + j]! - v))));
      expect(argmax(all.subarray(t * V, (t + 1) * V))).toBe(argmax(row));
    });
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('prefill of 5 tokens then 3 decodes matches the golden rows', () => {
    const ref = new Qwen3Reference(weights);
    const rows = [ref.prefill(golden.tokenIds.slice(0, 5)), ...golden.tokenIds.slice(5).map((id) => ref.decode(id))];
    rows.forEach((logits, i) => {
      const want = golden.logits[4 + i]!;
      for (let j = 0; j < want.length; j++) expect(Math.abs(logits[j]! - want[j]!)).toBeLessThan(1e-4);
    });
  });
});
