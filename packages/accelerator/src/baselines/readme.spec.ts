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

  it('FP16 DSP baseline: 16.8 ms per decode step (LUT-LLM analytical 11.2); sweep 2.33x at 16 tokens ... 1.69x at 2048; 1.43x / 1.12x with 10,848 DSPs', () => {
    expect(ms(fp16DspLatency(m, V80_PLATFORM, request).decodeSecondsPerToken)).toBe('16.79');
    expect(ms(analyticalLatency(m, V80_PLATFORM, request).decodeSecondsPerToken)).toBe('11.24');
    const sweep = prefillSweep(m, V80_PLATFORM, sweepLengths(16, 2048));
    expect(sweep.map((p) => p.speedup.toFixed(2))).toEqual(['2.33', '2.73', '2.73', '2.67', '2.54', '2.31', '2.01', '1.69']);
    expect(sweep.every((p) => p.speedup > 1)).toBe(true);
    const last = sweep[sweep.length - 1]!;
    expect((last.lutCycles / 227e6).toFixed(2)).toBe('3.29');
    expect((last.fp16Cycles / 227e6).toFixed(2)).toBe('5.57');
    const wide = prefillSweep(m, V80_PLATFORM, [16, 2048], { dsps: 10848, weightBytesPerParam: 2 });
    expect(wide.map((p) => p.speedup.toFixed(2))).toEqual(['1.43', '1.12']);
  });
});
