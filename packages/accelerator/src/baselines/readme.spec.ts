import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { V80_PLATFORM } from '../platform/presets.js';
import { analyticalLatency } from './analytical.js';
import { fp16DspLatency, prefillSweep, sweepLengths } from './fp16-dsp.js';
import { calibrateGpuLatency, parseGpuMeasurements } from './gpu-calibration.js';
import { GPU_LATENCY_DEFAULTS, gpuLatency } from './gpu-latency.js';
import { gpuRoofline } from './gpu-roofline.js';
import { A100_80GB_SXM, MI210 } from './gpu-specs.js';

/** The figures packages/accelerator/README.md states for the GPU latency model and the FP16 DSP baseline. */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const m = QWEN3_CONFIGS['Qwen3-1.7B'];
const request = { promptTokens: 128, outputTokens: 128 };
const ms = (s: number) => (s * 1e3).toFixed(2);

describe('accelerator README: GPU latency model and FP16 DSP baseline', () => {
  it('decode per step: A100 BF16 / INT8 / INT4 3.36 / 2.65 / 2.24 ms, MI210 4.12 / 3.12 / 2.55 ms; roofline bound 0.855 / 1.06 ms', () => {
    const a = (['bf16', 'int8', 'int4'] as const).map((format) => ms(gpuLatency(A100_80GB_SXM, m, { ...request, format, params: GPU_LATENCY_DEFAULTS.a100 }).decodeSecondsPerToken));
    const b = (['bf16', 'int8', 'int4'] as const).map((format) => ms(gpuLatency(MI210, m, { ...request, format, params: GPU_LATENCY_DEFAULTS.mi210 }).decodeSecondsPerToken));
    expect(a).toEqual(['3.36', '2.65', '2.24']);
    expect(b).toEqual(['4.12', '3.12', '2.55']);
    expect(README).toContain('A100 BF16 / INT8 / INT4 at 3.36 /\n2.65 / 2.24 ms per decode step, MI210 4.12 / 3.12 / 2.55 ms');
    expect((gpuRoofline(A100_80GB_SXM, m, request).decodeSecondsPerToken * 1e3).toFixed(3)).toBe('0.855');
    expect(ms(gpuRoofline(MI210, m, request).decodeSecondsPerToken)).toBe('1.06');
    const e = gpuLatency(A100_80GB_SXM, m, { ...request, format: 'bf16', params: GPU_LATENCY_DEFAULTS.a100 });
    expect(e.prefill.launches).toBe(340);
    expect(e.firstDecodeStep!.launches).toBe(368);
  });

  it('the calibration example gives back the parameters it was generated with', () => {
    const json = /```json\n([\s\S]*?)```/.exec(README)![1]!;
    const fit = calibrateGpuLatency(m, parseGpuMeasurements(json, 'README'), GPU_LATENCY_DEFAULTS.a100);
    expect(fit.params.hbmEfficiency.toFixed(3)).toBe('0.600');
    expect((fit.params.kernelOverheadSeconds * 1e6).toFixed(2)).toBe('10.00');
    for (const r of fit.residuals) expect(Math.abs(r.residualMs)).toBeLessThan(1e-3);
  });

  it('FP16 DSP baseline: 15.4 ms per decode step (LUT-LLM analytical 9.8); sweep 2.33x at 16 tokens ... 1.69x at 2048; 1.43x / 1.12x with 10,848 DSPs', () => {
    // The analytical decode step at context c (analytical.spec's hand sum at 256, with c): every
    // term but attention is fixed; attention per layer = max(compute 8c, the KV channels' time
    // not hidden under QKV's 10,304 cycles), history h = c - 1 positions of 8 KiB. Before the KV
    // channels were modelled as built: reads over 2 channels (64 B/cycle), the write on 2 others
    // (a separate 128-cycle term); now reads and the write share 4 channels (128 B/cycle).
    const stepCycles = (att: number) => 128 + 28 * (10_304 + att + 5_184 + 30_784 + 15_424 + 1_728) + 256 + 380_160;
    const attBefore = (c: number) => Math.max(8 * c, 128 * (c - 1) - Math.min(128 * (c - 1), 10_304), 128);
    const attNow = (c: number) => Math.max(8 * c, 64 * (c - 1) - Math.min(64 * (c - 1), 10_304) + 64);
    // A 128 + 128 request times the steps at contexts 129 .. 255 (latency-estimate's convention).
    const msPerToken = (att: (c: number) => number) => {
      let cycles = 0;
      for (let c = 129; c <= 255; c++) cycles += stepCycles(att(c));
      return (cycles / 127 / 227e6) * 1e3;
    };
    expect(msPerToken(attBefore).toFixed(2)).toBe('11.24'); // the value this README printed before
    const analytical = analyticalLatency(m, V80_PLATFORM, request).decodeSecondsPerToken * 1e3;
    expect(analytical.toFixed(2)).toBe(msPerToken(attNow).toFixed(2));
    expect(analytical.toFixed(2)).toBe('9.83');
    // The FP16 baseline shares the analytical attention: it moves by the same amount from its 16.79.
    const fp16 = fp16DspLatency(m, V80_PLATFORM, request).decodeSecondsPerToken * 1e3;
    expect(Math.abs(fp16 - (16.79 - (msPerToken(attBefore) - msPerToken(attNow))))).toBeLessThanOrEqual(0.005);
    expect(fp16.toFixed(2)).toBe('15.38');
    const sweep = prefillSweep(m, V80_PLATFORM, sweepLengths(16, 2048));
    // 16 tokens (one chunk, no history): per layer attention was max(compute 16 x 128 x 136 / 256
    // = 1,088, the new K/V 16 x 8 KiB over 2 channels = 2,048) = 2,048 and is now max(1,088, the
    // same bytes over the 4 shared KV channels = 1,024) = 1,088: both designs lose 28 x 960 =
    // 26,880 cycles, LUT-LLM 2,940,480 -> 2,913,600, FP16 6,865,612 -> 6,838,732, speedup
    // 2.3349 -> 2.3472. From 32 tokens on, compute binds attention in both models (32: 4,224 >
    // 4,096 and 2,048) and the later chunks' history reads move the sweep by under 0.005.
    expect([sweep[0]!.lutCycles, sweep[0]!.fp16Cycles]).toEqual([2_940_480 - 26_880, 6_865_612 - 26_880]);
    expect(sweep.map((p) => p.speedup.toFixed(2))).toEqual(['2.35', '2.73', '2.73', '2.67', '2.54', '2.31', '2.01', '1.69']);
    expect(sweep.every((p) => p.speedup > 1)).toBe(true);
    const last = sweep[sweep.length - 1]!;
    expect((last.lutCycles / 227e6).toFixed(2)).toBe('3.29');
    expect((last.fp16Cycles / 227e6).toFixed(2)).toBe('5.57');
    const wide = prefillSweep(m, V80_PLATFORM, [16, 2048], { dsps: 10848, weightBytesPerParam: 2 });
    expect(wide.map((p) => p.speedup.toFixed(2))).toEqual(['1.43', '1.12']);
  });
});
