import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS, parameterCounts } from '@lut-llm/model';
import { V80_PLATFORM } from '../platform/presets.js';
import { energyPerToken, tokensPerJoule } from './energy.js';
import { formatComparison, formatRooflinePoints } from './format.js';
import { gpuRoofline } from './gpu-roofline.js';
import { A100_80GB_SXM, MI210 } from './gpu-specs.js';
import { layerRooflinePoints } from './roofline-points.js';

const QWEN3_1_7B = QWEN3_CONFIGS['Qwen3-1.7B'];

/** |actual / expected - 1| <= tol */
function expectRel(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(tol);
}

describe('energy model', () => {
  it('energy = board power x time; tokens/J its inverse', () => {
    // 190 W x 10 ms = 1.9 J per token -> 1/1.9 = 0.526 tokens/J
    expectRel(energyPerToken(0.01, 190), 1.9);
    expectRel(tokensPerJoule(0.01, 190), 1 / 1.9);
    // 300 W x 0.86 ms = 0.258 J
    expectRel(energyPerToken(0.86e-3, 300), 0.258);
  });

  it('rejects zero, negative and non-finite inputs', () => {
    expect(() => energyPerToken(0, 190)).toThrow(/latencySeconds must be a finite number > 0, got 0/);
    expect(() => energyPerToken(1, -5)).toThrow(/boardWatts/);
    expect(() => tokensPerJoule(Number.NaN, 190)).toThrow(/latencySeconds/);
  });
});

describe('GPU specs', () => {
  it('carry the datasheet figures and the paper power', () => {
    expect(A100_80GB_SXM).toMatchObject({ hbmBandwidthGBps: 2039, int8DenseTops: 624, fp16DenseTflops: 312, boardPowerWatts: 300 });
    expect(MI210).toMatchObject({ hbmBandwidthGBps: 1638.4, int8DenseTops: 181, fp16DenseTflops: 181, boardPowerWatts: 300 });
  });
});

describe('gpuRoofline: A100, Qwen3-1.7B, INT8 weights (1 B/param), FP16 KV (2 B/element)', () => {
  const est = gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, { promptTokens: 128, outputTokens: 2 });

  it('the single decode step is memory-bound at ~0.85 ms (hand computed)', () => {
    // Linear weights per token: per layer qkv 2048x4096 + o 2048x2048 + gate_up 2048x12288 + down 6144x2048
    //   = 50,331,648; x 28 layers = 1,409,286,144; + LM head 151936 x 2048 = 311,164,928 -> 1,720,451,072 B.
    // + embedding row 2048 B + norm weights (28 x (2x2048 + 2x128) + 2048) x 2 B = 123,904 x 2 = 247,808 B
    // + KV read at context 128 + 1 = 129: 129 x 28 layers x (2 x 8 x 128) x 2 B = 129 x 114,688 = 14,794,752 B
    // + KV write of the new token: 114,688 B
    // = 1,735,610,368 B -> / 2.039e12 B/s = 0.85121 ms.
    // Compute: 2 x 1,720,451,072 / 312e12 + attention 2 x (2 x 16 x 128 x 129) x 28 / 312e12 = 11.1 us << 0.85 ms.
    const step = est.firstDecodeStep!;
    expect(step.bytes).toBe(1_735_610_368);
    expect(step.bound).toBe('memory');
    expectRel(step.memorySeconds, 1_735_610_368 / 2.039e12);
    expectRel(step.computeSeconds, (2 * 1_720_451_072) / 312e12 + (2 * (2 * 16 * 128 * 129) * 28) / 312e12);
    expectRel(est.decodeSecondsPerToken, 1_735_610_368 / 2.039e12);
    // The quick estimate "1.72e9 bytes of weights at ~2 TB/s ~ 0.84-0.86 ms" is within 1 %.
    expect(Math.abs(est.decodeSecondsPerToken / (1.72e9 / 2.039e12) - 1)).toBeLessThan(0.01);
    expect(parameterCounts(QWEN3_1_7B).linearPerToken).toBe(1_720_451_072);
  });

  it('the 128-token prefill is compute-bound at the FP16 peak (hand computed)', () => {
    // FLOPs: 2 x 128 x 1,409,286,144 + 2 x 311,164,928 (logits of the last token only) = 361,399,582,720
    //      + attention 2 x (2 x 16 x 128 x (128 x 129 / 2)) x 28 = 1,893,728,256  -> / 312e12 = 1.1644 ms
    // Bytes: 1,720,451,072 + 128 x 2048 + 247,808 + 2 x 128 x 114,688 = 1,750,321,152 -> 0.858 ms.
    expect(est.prefill.bound).toBe('compute');
    expect(est.prefill.bytes).toBe(1_750_321_152);
    expectRel(est.ttftSeconds, (361_399_582_720 + 1_893_728_256) / 312e12);
  });

  it('derives end-to-end, tokens/s and tokens/J from TTFT and decode at 300 W', () => {
    const e2e = est.ttftSeconds + est.decodeSecondsPerToken;
    expectRel(est.endToEndSeconds, e2e);
    expectRel(est.tokensPerSecond, 2 / e2e);
    expectRel(est.energyPerTokenJoules, (300 * e2e) / 2);
    expectRel(est.tokensPerJoule, 2 / (300 * e2e));
    expect(est.notes.join(' ')).toMatch(/UPPER bound on GPU performance/);
  });

  it('decode slows as the context grows; MI210 is slower by its bandwidth ratio when memory-bound', () => {
    const long = gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, { promptTokens: 128, outputTokens: 1024 });
    expect(long.lastDecodeStep!.seconds).toBeGreaterThan(long.firstDecodeStep!.seconds);
    const mi = gpuRoofline(MI210, QWEN3_1_7B, { promptTokens: 128, outputTokens: 2 });
    expectRel(mi.decodeSecondsPerToken / est.decodeSecondsPerToken, 2039 / 1638.4);
  });

  it('efficiencies scale the roofs; out-of-range options are errors, not clamps', () => {
    const half = gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, { promptTokens: 128, outputTokens: 2, bandwidthEfficiency: 0.5 });
    expectRel(half.decodeSecondsPerToken, 2 * est.decodeSecondsPerToken);
    expect(() => gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, { promptTokens: 128, outputTokens: 2, computeEfficiency: 1.2 })).toThrow(
      /computeEfficiency must be in \(0, 1\], got 1.2/,
    );
    expect(() => gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, { promptTokens: 0, outputTokens: 2 })).toThrow(/promptTokens must be an integer >= 1/);
  });

  it('with a single output token there is no decode step: decode latency is NaN, printed n/a', () => {
    const one = gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, { promptTokens: 16, outputTokens: 1 });
    expect(one.decodeSteps).toBe(0);
    expect(Number.isNaN(one.decodeSecondsPerToken)).toBe(true);
    expect(one.endToEndSeconds).toBe(one.ttftSeconds);
    expect(formatComparison([one])).toContain('n/a');
  });
});

describe('layerRooflinePoints', () => {
  it('qkv in decode: A100 2 FLOP/B memory-bound; LUT-LLM 0.4 look-ups/B memory-bound (hand computed)', () => {
    const rows = layerRooflinePoints(A100_80GB_SXM, QWEN3_1_7B, V80_PLATFORM, { context: 256 });
    expect(rows.map((r) => r.op)).toEqual(['qkv', 'o', 'gate_up', 'down', 'lm_head', 'attention']);
    const qkv = rows[0]!;
    // GPU: 2 x 2048 x 4096 = 16,777,216 FLOP over 2048 x 4096 x 1 B = 8,388,608 B -> 2 FLOP/B;
    // ridge 312e12 / 2.039e12 = 153 FLOP/B, so memory-bound at 2 x 2.039e12 = 4.078 TFLOP/s.
    expect(qkv.gpu.ops).toBe(16_777_216);
    expect(qkv.gpu.bytes).toBe(8_388_608);
    expect(qkv.gpu.intensityOpsPerByte).toBe(2);
    expect(qkv.gpu.bound).toBe('memory');
    expectRel(qkv.gpu.attainableOpsPerSecond, 4.078e12);
    // LUT-LLM: 1024 positions x 4096 outputs = 4,194,304 look-ups over 2 MiB indices + 8 MiB tables = 10,485,760 B
    // -> 0.4 look-ups/B; peak 16 x 512 x 227e6 = 1.859584e12 look-ups/s; bandwidth 1024 B x 227e6 = 232.448e9 B/s;
    // ridge 8 look-ups/B; attainable 0.4 x 232.448e9 = 92.9792e9 look-ups/s (memory-bound).
    expect(qkv.lutLlm.ops).toBe(4_194_304);
    expect(qkv.lutLlm.bytes).toBe(10_485_760);
    expect(qkv.lutLlm.intensityOpsPerByte).toBeCloseTo(0.4, 15);
    expectRel(qkv.lutLlm.peakOpsPerSecond, 1.859584e12);
    expectRel(qkv.lutLlm.ridgeOpsPerByte, 8);
    expectRel(qkv.lutLlm.attainableOpsPerSecond, 92.9792e9);
    expect(qkv.lutLlm.bound).toBe('memory');
  });

  it('attention in decode: the GPU reads 4096 B of FP16 K/V per position per layer for 8192 FLOP', () => {
    const att = layerRooflinePoints(A100_80GB_SXM, QWEN3_1_7B, V80_PLATFORM, { context: 256 }).at(-1)!;
    // FLOPs: 2 x 2 x 16 heads x 128 x 256 keys = 2,097,152; bytes: (256 read + 1 written) x 2 x 8 x 128 x 2 B = 1,052,672
    expect(att.gpu.ops).toBe(2_097_152);
    expect(att.gpu.bytes).toBe(1_052_672);
    expect(att.gpu.bound).toBe('memory');
    // LUT-LLM reads the 255 history positions in FP32: 255 x 2048 x 4 B = 2,088,960 B over the 2 KV read channels
    expect(att.lutLlm.bytes).toBe(2_088_960);
    expect(att.lutLlm.bound).toBe('memory');
  });

  it('a 128-token prefill pass turns every projection compute-bound on both (LM head still counts 1 token)', () => {
    const rows = layerRooflinePoints(A100_80GB_SXM, QWEN3_1_7B, V80_PLATFORM, { tokens: 128, context: 128 });
    for (const r of rows.filter((x) => x.op !== 'lm_head' && x.op !== 'attention')) {
      expect(r.gpu.intensityOpsPerByte).toBe(256); // 2 FLOP x 128 tokens per byte
      expect(r.lutLlm.intensityOpsPerByte).toBeCloseTo(51.2, 10); // 0.4 x 128
      expect(r.gpu.bound).toBe('compute');
      expect(r.lutLlm.bound).toBe('compute');
    }
    const lm = rows.find((r) => r.op === 'lm_head')!;
    expect(lm.gpu.intensityOpsPerByte).toBe(2);
    expect(formatRooflinePoints(rows)).toContain('qkv');
  });
});
