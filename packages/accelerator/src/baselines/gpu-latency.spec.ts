import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS, tinyQwen3Config } from '@lut-llm/model';
import { calibrateGpuLatency, GpuCalibrationError, gpuRequestMs, parseGpuMeasurements } from './gpu-calibration.js';
import { GPU_LATENCY_DEFAULTS, gemmShapeEfficiency, gpuLatency, gpuPassKernels, timeGpuPass, weightBytesPerParam, type GpuLatencyParams } from './gpu-latency.js';
import { A100_80GB_SXM, type GpuSpec } from './gpu-specs.js';

const QWEN3_1_7B = QWEN3_CONFIGS['Qwen3-1.7B'];

function expectRel(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(tol);
}

/** A GPU with round numbers: 1000 GB/s, 100 TFLOPS FP16. */
const ROUND_GPU: GpuSpec = { name: 'round', hbmBandwidthGBps: 1000, int8DenseTops: 200, fp16DenseTflops: 100, boardPowerWatts: 100, memoryGB: 1, sources: ['test'] };
const ROUND_PARAMS: GpuLatencyParams = {
  hbmEfficiency: 0.5, kernelOverheadSeconds: 1e-6, computeUnits: 4, gemmTileRows: 128, gemmTileCols: 128, mmaRows: 16, gemmPeakFraction: 0.8,
  flashAttentionEfficiency: 0.5, flashDecodingBandwidthFactor: 1, flashDecodingKernels: 2, dequantBandwidthFactor: 0.95, quantGroupSize: 128,
};

describe('GPU latency model: per-kernel sums', () => {
  it('GEMM efficiency by shape = tile fill x wave fill x peak fraction', () => {
    // M = 256, N = 14080 on 108 SMs: 2 x 110 = 220 tiles of 128 x 128 in ceil(220/108) = 3 waves -> 220/324 x 0.8.
    expectRel(gemmShapeEfficiency(GPU_LATENCY_DEFAULTS.a100, 256, 14080), (220 / 324) * 0.8);
    // M = 1 (decode): rows padded to one 16-row MMA (1/16 used); N = 2048 -> 16 tiles < 108 SMs: split-K, no wave loss.
    expectRel(gemmShapeEfficiency(GPU_LATENCY_DEFAULTS.a100, 1, 2048), (1 / 16) * 0.8);
    // M = 40: padded to 48 rows (3 MMAs): 40/48 x 0.8; M = 200: 2 row tiles of 128 -> 200/256.
    expectRel(gemmShapeEfficiency(GPU_LATENCY_DEFAULTS.a100, 40, 4096), (40 / 48) * 0.8);
    expectRel(gemmShapeEfficiency(GPU_LATENCY_DEFAULTS.a100, 200, 128 * 108), (200 / 256) * 0.8);
  });

  it('bytes per weight: BF16 2, GPTQ INT8 1 + 2/128, INT4 0.5 + 2/128 (FP16 scale per 128-weight group)', () => {
    expect(weightBytesPerParam('bf16', 128)).toBe(2);
    expectRel(weightBytesPerParam('int8', 128), 1.015625);
    expectRel(weightBytesPerParam('int4', 128), 0.515625);
  });

  it('a decode step of the tiny model on a round GPU sums to the hand-derived 35.344256 us', () => {
    // Tiny Qwen3 (hidden 256, intermediate 512, 2 layers, 4 heads, 2 KV heads, headDim 64, vocab 512),
    // decode of 1 token at context 4, BF16; 1000 GB/s at efficiency 0.5, 100 TFLOPS, 4 SMs,
    // 1 us per launch. Memory time = bytes / 1e12 / 0.5. GEMM efficiency at M = 1: 1/16 of an MMA
    // x 0.8 = 0.05 (2-8 tiles on 4 SMs: split-K or full waves), so compute = 2 W / 5e12.
    // Per pass (x1):   embedding 1024 B -> 2.048 ns; final_norm 1536 B -> 3.072 ns; sampler 2048 B -> 4.096 ns;
    //                  lm_head (256 -> 512) 263,680 B -> 527.36 ns (compute 52.43 ns).
    // Per layer (x2):  input_norm and post_attention_norm 2560 B -> 5.12 ns each; q_norm 1152 B -> 2.304 ns;
    //                  k_norm 640 B -> 1.28 ns; rotary_emb 1536 B -> 3.072 ns; kv_cache_write 1024 B -> 2.048 ns;
    //                  FlashDecoding 1024 B (q, o) + 4 x 512 B (K, V) = 3072 B -> 6.144 ns (2 launches);
    //                  silu_and_mul 3072 B -> 6.144 ns;
    //                  qkv_proj (256 -> 512) 263,680 B -> 527.36 ns; o_proj (256 -> 256) 132,096 B -> 264.192 ns
    //                  (compute 26.2144 ns); gate_up_proj (256 -> 1024) 526,848 B -> 1053.696 ns;
    //                  down_proj (512 -> 256) 263,680 B -> 527.36 ns: all memory-bound.
    // Layer = 31.232 ns (elementwise) + 2372.608 ns (GEMMs) = 2403.84 ns; x 2 = 4807.68 ns.
    // Launches = 2 x 13 + 4 = 30 -> 30 us. Total = 30 + 4.80768 + 0.536576 = 35.344256 us.
    const tiny = tinyQwen3Config();
    const pass = timeGpuPass(ROUND_GPU, gpuPassKernels(tiny, 'bf16', ROUND_PARAMS, 1, 4), ROUND_PARAMS, 1, 4);
    expect(pass.launches).toBe(30);
    expectRel(pass.seconds, 35.344256e-6, 1e-9);
    const byName = new Map(pass.kernels.map((k) => [k.name, k]));
    expect(byName.get('o_proj')!.bound).toBe('overhead'); // 1 us launch > 264 ns of memory time
    expectRel(byName.get('o_proj')!.computeSeconds, 26.2144e-9, 1e-9);
    expectRel(byName.get('gate_up_proj')!.seconds, 1e-6 + 1053.696e-9, 1e-9);
    expect(byName.get('gate_up_proj')!.bound).toBe('memory');
    expectRel(byName.get('attention (FlashDecoding)')!.seconds, 2e-6 + 6.144e-9, 1e-9);
    // Without launch overhead the same step is the 5.344256 us of memory time alone.
    const bare = timeGpuPass(ROUND_GPU, gpuPassKernels(tiny, 'bf16', ROUND_PARAMS, 1, 4), { ...ROUND_PARAMS, kernelOverheadSeconds: 0 }, 1, 4);
    expectRel(bare.seconds, 5.344256e-6, 1e-9);
  });

  it('a long prefill GEMM is compute-bound at the shape efficiency', () => {
    // gate_up_proj of Qwen3-1.7B over 2048 tokens on the A100: 16 x 96 = 1536 tiles in 15 waves
    // of 108 (1620 slots) -> efficiency 1536/1620 x 0.8; FLOPs 2 x 2048 x 12288 x 2048.
    const k = timeGpuPass(A100_80GB_SXM, gpuPassKernels(QWEN3_1_7B, 'bf16', GPU_LATENCY_DEFAULTS.a100, 2048, 2048), GPU_LATENCY_DEFAULTS.a100, 2048, 2048).kernels.find((x) => x.name === 'gate_up_proj')!;
    expect(k.bound).toBe('compute');
    expectRel(k.computeSeconds, (2 * 2048 * 12288 * 2048) / (312e12 * (1536 / 1620) * 0.8));
  });

  it('INT4 streams ~4x fewer weight bytes than BF16 and pays the de-quantisation factor', () => {
    const p = { ...ROUND_PARAMS, kernelOverheadSeconds: 0 };
    const bf16 = gpuPassKernels(QWEN3_1_7B, 'bf16', p, 1, 128).find((k) => k.name === 'gate_up_proj')!;
    const int4 = gpuPassKernels(QWEN3_1_7B, 'int4', p, 1, 128).find((k) => k.name === 'gate_up_proj')!;
    const w = 2048 * 12288;
    expect(bf16.bytes).toBe(w * 2 + (2048 + 12288) * 2);
    expect(int4.bytes).toBe(w * 0.515625 + (2048 + 12288) * 2);
    expect(int4.bandwidthFactor).toBe(0.95);
    expect(bf16.bandwidthFactor).toBe(1);
  });

  it('a request is TTFT + decode steps; defaults are far slower than the roofline at batch 1', () => {
    const est = gpuLatency(ROUND_GPU, tinyQwen3Config(), { promptTokens: 3, outputTokens: 2, format: 'bf16', params: ROUND_PARAMS });
    expectRel(est.decodeSecondsPerToken, 35.344256e-6, 1e-9);
    expect(est.ttftSeconds).toBeGreaterThan(30e-6); // 30 launches at least (prefill: 2 x 12 + 4 = 28)
    expect(est.prefill.launches).toBe(28);
    expect(() => gpuLatency(ROUND_GPU, tinyQwen3Config(), { promptTokens: 3, outputTokens: 2, format: 'bf16', params: { ...ROUND_PARAMS, hbmEfficiency: 1.2 } })).toThrow(/hbmEfficiency must be in \(0, 1\], got 1.2/);
  });
});

describe('GPU latency calibration', () => {
  const truth: GpuLatencyParams = { ...GPU_LATENCY_DEFAULTS.a100, hbmEfficiency: 0.62, kernelOverheadSeconds: 7.5e-6 };
  const shapes = [
    { promptTokens: 128, outputTokens: 1 },
    { promptTokens: 1024, outputTokens: 1 },
    { promptTokens: 16, outputTokens: 32 },
    { promptTokens: 256, outputTokens: 16 },
    { promptTokens: 64, outputTokens: 48 },
  ];

  it('recovers known free parameters from points generated by the model itself', () => {
    const points = shapes.map((s) => ({ ...s, latencyMs: gpuRequestMs(QWEN3_1_7B, 'a100', 'bf16', truth, s) }));
    const fit = calibrateGpuLatency(QWEN3_1_7B, { gpu: 'a100', format: 'bf16', points }, GPU_LATENCY_DEFAULTS.a100);
    expectRel(fit.params.hbmEfficiency, 0.62, 1e-6);
    expectRel(fit.params.kernelOverheadSeconds, 7.5e-6, 1e-6);
    expect(fit.rmsRelativeResidual).toBeLessThan(1e-9);
    // Non-free parameters are untouched.
    expect(fit.params.flashAttentionEfficiency).toBe(GPU_LATENCY_DEFAULTS.a100.flashAttentionEfficiency);
    // The defaults (0.9, 4 us) predict these points faster than the truth: residuals of the modelled figures are negative.
    for (const r of fit.residuals) expect(r.modelledMs).toBeLessThan(r.point.latencyMs);
  });

  it('recovers the parameters within 5% from well-spread points with +-1% noise', () => {
    // Spread: long prompts with 1 output (launch-heavy, compute-bound prefill) against long decodes
    // (memory-bound). With the narrower `shapes` above the same noise moves hbmEfficiency by ~7%
    // for INT4 (measured): memory time and launches are then nearly proportional across points.
    // Measured with these points: hbmEfficiency off by 3.6%, the overhead by less than 3%.
    const spread = [
      { promptTokens: 2048, outputTokens: 1 },
      { promptTokens: 512, outputTokens: 1 },
      { promptTokens: 16, outputTokens: 128 },
      { promptTokens: 128, outputTokens: 64 },
      { promptTokens: 1024, outputTokens: 32 },
    ];
    const noise = [1.01, 0.99, 1.005, 0.995, 1.0];
    const points = spread.map((s, i) => ({ ...s, latencyMs: gpuRequestMs(QWEN3_1_7B, 'a100', 'int4', truth, s) * noise[i]! }));
    const fit = calibrateGpuLatency(QWEN3_1_7B, { gpu: 'a100', format: 'int4', points }, GPU_LATENCY_DEFAULTS.a100);
    expect(Math.abs(fit.params.hbmEfficiency / 0.62 - 1)).toBeLessThan(0.05);
    expect(Math.abs(fit.params.kernelOverheadSeconds / 7.5e-6 - 1)).toBeLessThan(0.05);
    expect(fit.rmsRelativeResidual).toBeGreaterThan(0.001); // the noise shows in the residuals
  });

  it('a point\'s TTFT is a second equation: two requests with their TTFTs recover the parameters', () => {
    const two = [{ promptTokens: 512, outputTokens: 64 }, { promptTokens: 64, outputTokens: 16 }];
    const points = two.map((s) => ({ ...s, latencyMs: gpuRequestMs(QWEN3_1_7B, 'a100', 'int8', truth, s), ttftMs: gpuRequestMs(QWEN3_1_7B, 'a100', 'int8', truth, s, 'ttft') }));
    const fit = calibrateGpuLatency(QWEN3_1_7B, { gpu: 'a100', format: 'int8', points }, GPU_LATENCY_DEFAULTS.a100);
    expectRel(fit.params.hbmEfficiency, 0.62, 1e-6);
    expectRel(fit.params.kernelOverheadSeconds, 7.5e-6, 1e-6);
    expect(fit.residuals.map((r) => r.quantity)).toEqual(['latency', 'ttft', 'latency', 'ttft']);
    // TTFT alone is the prefill pass: 28 x 12 + 4 = 340 launches for every prompt length.
    const t = gpuRequestMs(QWEN3_1_7B, 'a100', 'int8', { ...truth, kernelOverheadSeconds: 0 }, two[0]!, 'ttft');
    expectRel(gpuRequestMs(QWEN3_1_7B, 'a100', 'int8', truth, two[0]!, 'ttft') - t, 340 * 7.5e-3, 1e-9);
    expect(() => parseGpuMeasurements(JSON.stringify({ gpu: 'a100', format: 'int8', points: [{ ...points[0], ttftMs: 1e9 }, ...points] }))).toThrow(/points\[0\]\.ttftMs \(1000000000\) exceeds its end-to-end latencyMs/);
  });

  it('rejects a malformed file, naming each problem', () => {
    const bad = JSON.stringify({ gpu: 'h100', format: 'fp8', points: [{ promptTokens: 128, outputTokens: 0, latencyMs: 5 }, { promptTokens: 16, outputTokens: 4 }, { promptTokens: 1, outputTokens: 1, latencyMs: -1, extra: 1 }] });
    let msg = '';
    try {
      parseGpuMeasurements(bad, 'runs.json');
    } catch (e) {
      expect(e).toBeInstanceOf(GpuCalibrationError);
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^runs\.json: /);
    expect(msg).toMatch(/gpu must be one of a100, mi210, got "h100"/);
    expect(msg).toMatch(/format must be one of bf16, int8, int4, got "fp8"/);
    expect(msg).toMatch(/points\[0\]\.outputTokens must be an integer >= 1, got 0/);
    expect(msg).toMatch(/points\[1\]\.latencyMs must be a number > 0, got undefined/);
    expect(msg).toMatch(/points\[2\]\.extra: unknown key/);
    expect(msg).toMatch(/points\[2\]\.latencyMs must be a number > 0, got -1/);
    expect(() => parseGpuMeasurements('{ not json', 'x.json')).toThrow(/x\.json: not valid JSON/);
    expect(() => parseGpuMeasurements(JSON.stringify({ gpu: 'a100', format: 'bf16', points: [{ promptTokens: 1, outputTokens: 1, latencyMs: 1 }] }))).toThrow(/at least 3 measurements \(latencyMs, and ttftMs where given\) are needed to fit 2 free parameters, got 1/);
  });

  it('refuses points that cannot separate the two parameters, and fits outside the physical range', () => {
    // Three copies of one request: one equation, two unknowns.
    const same = [0, 1, 2].map(() => ({ promptTokens: 128, outputTokens: 16, latencyMs: 50 }));
    expect(() => calibrateGpuLatency(QWEN3_1_7B, { gpu: 'a100', format: 'bf16', points: same }, GPU_LATENCY_DEFAULTS.a100)).toThrow(/cannot separate/);
    // Far faster than the HBM peak allows.
    const fast = shapes.map((s) => ({ ...s, latencyMs: gpuRequestMs(QWEN3_1_7B, 'a100', 'bf16', { ...truth, hbmEfficiency: 1, kernelOverheadSeconds: 1e-6 }, s) / 3 }));
    expect(() => calibrateGpuLatency(QWEN3_1_7B, { gpu: 'a100', format: 'bf16', points: fast }, GPU_LATENCY_DEFAULTS.a100)).toThrow(GpuCalibrationError);
  });
});
