import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS, linearShapes } from '@lut-llm/model';
import { V80_PLATFORM } from '../platform/presets.js';
import { analyticalPrefillCycles } from './analytical.js';
import { FP16_DSP_DEFAULTS, fp16DspLatency, fp16DspLinearOp, fp16DspPrefillCycles, prefillSweep, sweepLengths } from './fp16-dsp.js';

const QWEN3_1_7B = QWEN3_CONFIGS['Qwen3-1.7B'];
const shape = (name: string) => linearShapes(QWEN3_1_7B).find((s) => s.name === name)!;

describe('FP16 DSP-arithmetic baseline on the V80', () => {
  it('a linear op takes max(FP16 weight stream, MACs / DSPs) + the HBM read latency', () => {
    // o_proj 2048 x 2048, 1 token: 8 MiB over 32 x 32 B = 1024 B/cycle = 8192 cycles; 4,194,304
    // MACs on 4,162 DSPs = ceil(1007.8) = 1008; memory-bound: 8192 + 64 = 8256.
    const gemv = fp16DspLinearOp(V80_PLATFORM, FP16_DSP_DEFAULTS, shape('o'), 1, 1, 28);
    expect(gemv.terms).toEqual({ weightStream: 8192, compute: 1008 });
    expect(gemv).toMatchObject({ bound: 'weightStream', cyclesPerInstance: 8256, totalCycles: 8256 * 28 });
    // 128 tokens (one prefill chunk): 536,870,912 MACs / 4162 = 128,993.5 -> 128,994; compute-bound: 129,058.
    const gemm = fp16DspLinearOp(V80_PLATFORM, FP16_DSP_DEFAULTS, shape('o'), 128, 1, 1);
    expect(gemm.terms).toEqual({ weightStream: 8192, compute: 128_994 });
    expect(gemm).toMatchObject({ bound: 'compute', cyclesPerInstance: 129_058 });
    // 256 tokens in 2 chunks stream the weights twice.
    expect(fp16DspLinearOp(V80_PLATFORM, FP16_DSP_DEFAULTS, shape('o'), 256, 2, 1).terms.weightStream).toBe(2 * 8192);
    expect(() => fp16DspPrefillCycles(QWEN3_1_7B, V80_PLATFORM, 16, { dsps: 0, weightBytesPerParam: 2 })).toThrow(/dsps must be an integer >= 1, got 0/);
  });

  it('differs from the analytical LUT-LLM model in the linear ops only', () => {
    const lut = analyticalPrefillCycles(QWEN3_1_7B, V80_PLATFORM, 64);
    const fp = fp16DspPrefillCycles(QWEN3_1_7B, V80_PLATFORM, 64);
    for (const [i, op] of fp.ops.entries()) {
      if (['qkv', 'o', 'gate_up', 'down', 'lm_head'].includes(op.name)) continue;
      expect(op).toEqual(lut.ops[i]);
    }
    // gate_up 2048 -> 12288 over 64 tokens: ceil(64 x 25,165,824 / 4162) = 386,978 compute vs 49,152 stream.
    expect(fp.ops.find((o) => o.name === 'gate_up')!.cyclesPerInstance).toBe(Math.ceil((64 * 2048 * 12288) / 4162) + 64);
    const [p] = prefillSweep(QWEN3_1_7B, V80_PLATFORM, [64]);
    expect(p!.fp16Cycles - p!.fp16LinearCycles).toBe(p!.lutCycles - p!.lutLinearCycles);
    expect(p!.fp16Cycles).toBe(fp.totalCycles);
    expect(fp16DspLatency(QWEN3_1_7B, V80_PLATFORM, { promptTokens: 64, outputTokens: 1 }).ttftSeconds).toBe(fp.seconds);
  });

  it('sweep lengths double from..to, both ends included; bad ranges are refused', () => {
    expect(sweepLengths(16, 2048)).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048]);
    expect(sweepLengths(100, 300)).toEqual([100, 200, 300]);
    expect(() => sweepLengths(0, 5)).toThrow(/need integers 1 <= from <= to, got 0\.\.5/);
    expect(() => sweepLengths(64, 16)).toThrow(/got 64\.\.16/);
  });
});
