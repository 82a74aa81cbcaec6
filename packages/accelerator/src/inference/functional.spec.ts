import { Qwen3Reference, SyntheticQwen3Weights, quantizeQwen3Model, quantizedLinearFactory, syntheticCalibrationTokens, tinyQwen3Config, type QuantizedQwen3Model } from '@lut-llm/model';
import { relativeMaxAbsError } from '@lut-llm/vq';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareLogits, runFunctionalInference, type FunctionalInferenceResult } from './functional.js';

/**
 * The emulated accelerator computing real numbers through its task graph, against the model
 * package's references on a small Qwen3-shaped config (hidden 256, 2 layers, GQA 4:2).
 */
describe('functional inference on a tiny Qwen3', () => {
  const cfg = tinyQwen3Config();
  const weights = new SyntheticQwen3Weights(cfg, 7);
  const prompt = [1, 5, 9, 33, 77, 100, 3, 250];
  let quantized: QuantizedQwen3Model;
  let exact: FunctionalInferenceResult;
  const reference = (ref: Qwen3Reference, generated: readonly number[]) => {
    const out = [ref.prefill(prompt)];
    for (let s = 0; s < generated.length - 1; s++) out.push(ref.decode(generated[s]!));
    return out;
  };

  beforeAll(async () => {
    quantized = quantizeQwen3Model(weights, { calibrationTokens: syntheticCalibrationTokens(cfg, 4, 32, 11), includeLmHead: true });
    exact = await runFunctionalInference({ model: cfg, weights, quantized, promptIds: prompt, outputTokens: 4, silu: 'exact' });
  }); // k-means calibration + an engine run: seconds when quiet; the shared hook limit (vitest.shared.ts) covers a loaded machine

  it('matches the LUT reference forward pass (same co-quantized layers, exact SiLU) to float rounding', () => {
    // Same look-ups, same integer accumulation; the only differences are FP32 vs float64 in the
    // SFU and flash attention (online softmax): tiny. Greedy decoding must take the same path.
    const agreement = compareLogits(exact.logits, reference(new Qwen3Reference(weights, { linearFactory: quantizedLinearFactory(quantized) }), exact.generated));
    expect(agreement.minCosine).toBeGreaterThan(0.99999);
    expect(agreement.top1Agreement).toBe(1);
    // Cosine ignores scale: also bound the error per step (FP32 SFU/attention vs float64: ~1e-6).
    const lutRef = reference(new Qwen3Reference(weights, { linearFactory: quantizedLinearFactory(quantized) }), exact.generated);
    exact.logits.forEach((l, i) => expect(relativeMaxAbsError(lutRef[i]!, l)).toBeLessThan(1e-4));
  });

  it('reports its agreement with the FP32 model; the floor reflects VQ of structureless weights', () => {
    // Synthetic i.i.d. Gaussian weights have no structure for 16-centroid 2-D codebooks: each
    // linear op keeps ~10 dB SQNR (packages/vq's measurement) and the error compounds over two
    // layers and the LM head. Measured here: cosine 0.38-0.60 over the 4 steps. The floor (0.3)
    // guards against a broken pipeline (unrelated logits give ~0); real checkpoints do far better.
    const fp32 = compareLogits(exact.logits, reference(new Qwen3Reference(weights), exact.generated));
    expect(fp32.minCosine).toBeGreaterThan(0.3);
    expect(fp32.meanCosine).toBeLessThan(0.9); // if this fails, VQ got much better: raise the floor
  });

  it('the reference design 9-segment PWL SiLU costs accuracy but stays close', async () => {
    const pwl = await runFunctionalInference({ model: cfg, weights, quantized, promptIds: prompt, outputTokens: 2, silu: 'pwl9' });
    const lut = compareLogits(pwl.logits, reference(new Qwen3Reference(weights, { linearFactory: quantizedLinearFactory(quantized) }), pwl.generated));
    expect(lut.minCosine).toBeGreaterThan(0.9);
    expect(lut.minCosine).toBeLessThan(0.99999);
  });

  it('timing does not depend on values: functional passes take the cycles of timing passes', async () => {
    const { runPassTiming } = await import('./run.js');
    const t = runPassTiming({ model: cfg, platform: (await import('../platform/index.js')).V80_PLATFORM, tokens: prompt.length, history: 0, phase: 'prefill', silu: 'exact' });
    expect(t.cycles).toBe(exact.passes[0]!.cycles);
  });
});
