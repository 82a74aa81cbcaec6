import { DEFAULT_ATTENTION_PARAMS, flashAttentionPrefill, flashDecode } from '@lut-llm/attention';
import { applyRope, attention, rmsNorm } from '@lut-llm/model';
import { rmsNormFp32, ropeFp32 } from '@lut-llm/sfu';
import { Rng, relativeMaxAbsError } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';

/**
 * The stage kernels (streaming / tiled FP32 hardware algorithms) against packages/model's
 * reference ops (straightforward float64-accumulating code) on Qwen3-1.7B head shapes.
 * Tolerance: max |test - ref| / max |ref| <= 1e-5 (FP32 arithmetic vs float64 accumulation).
 */

const rng = new Rng(2024);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const shape = { heads: 16, kvHeads: 8, headDim: 128 };
const params = { ...DEFAULT_ATTENTION_PARAMS, shape };

describe('stage kernels vs the model reference ops', () => {
  it('flash prefill attention (causal, GQA 16:8, 37 tokens: no tile divides it)', () => {
    const T = 37;
    const q = randn(T * 16 * 128);
    const k = randn(T * 8 * 128);
    const v = randn(T * 8 * 128);
    expect(relativeMaxAbsError(attention(q, k, v, shape), flashAttentionPrefill(q, k, v, params))).toBeLessThan(1e-5);
  });

  it('split-K flash decoding over a 300-position history', () => {
    const n = 300;
    const q = randn(16 * 128);
    const k = randn(n * 8 * 128);
    const v = randn(n * 8 * 128);
    expect(relativeMaxAbsError(attention(q, k, v, shape, n - 1), flashDecode(q, k, v, params))).toBeLessThan(1e-5);
  });

  it('RoPE (rotate-half, theta 1e6) at positions 5..8', () => {
    const x = randn(4 * 16 * 128);
    expect(relativeMaxAbsError(applyRope(x, [5, 6, 7, 8], 16, 128, 1e6), ropeFp32(x, 5, 16, 128, 1e6))).toBeLessThan(1e-5);
  });

  it('RMSNorm over hidden 2048', () => {
    const x = randn(3 * 2048);
    const w = randn(2048);
    expect(relativeMaxAbsError(rmsNorm(x, w, 1e-6), rmsNormFp32(x, 2048, 1e-6, w))).toBeLessThan(1e-5);
  });
});
