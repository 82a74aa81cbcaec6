import { linearShapes, type LinearName, type LinearShape, type Qwen3Config } from '@lut-llm/model';
import { cyclesToSeconds, streamBytesPerCycle } from '../platform/bandwidth.js';
import type { PlatformConfig } from '../platform/schema.js';
import { V80_BUILD_RESOURCES } from '../lut-linear/assumptions.js';
import { analyticalDecodeCycles, analyticalPrefillCycles, type AnalyticalBreakdown, type AnalyticalOp } from './analytical.js';
import { analyticalParams } from './lut-llm-params.js';
import { checkRequest, latencyEstimate, sumDecodeSteps, type LatencyEstimate } from './latency-estimate.js';

/**
 * An FP16 DSP-arithmetic baseline on the same V80 (issue 17, item 7): the linear layers stream
 * FP16 weights over the same 32 weight channels and multiply-accumulate on DSPs at the same clock;
 * everything else (embedding, attention, SFU, final norm) is the analytical LUT-LLM model's, so
 * the two differ only in how the linear layers compute. Per linear op and prefill chunk:
 *   weightStream = passes x ceil(M x D x 2 B / weight channels' bytes per cycle)
 *   compute      = ceil(tokens x M x D / dsps)      (one FP32 multiply-add per DSP per cycle)
 *   cycles       = max(weightStream, compute) + HBM read latency
 * The Versal DSP58 has no FP16 multiplier mode; its DSPFP32 mode does one FP32 multiply-add per
 * cycle (AMD Versal DSP Engine architecture manual, AM004), so FP16 weights are widened to FP32 in
 * the fabric and computed in FP32.
 */
export interface Fp16DspParams {
  /**
   * DSP58s the linear layers may use. Default 4,162: every DSP of the public LUT-LLM build
   * (V80_BUILD_RESOURCES), generous to the baseline (LUT-LLM's own attention and SFU use some of them).
   */
  readonly dsps: number;
  /** Bytes per streamed weight: 2 (FP16). */
  readonly weightBytesPerParam: number;
}

export const FP16_DSP_DEFAULTS: Fp16DspParams = Object.freeze({ dsps: V80_BUILD_RESOURCES.dsps, weightBytesPerParam: 2 });

function checkParams(p: Fp16DspParams): Fp16DspParams {
  if (!Number.isSafeInteger(p.dsps) || p.dsps < 1) throw new RangeError(`FP16 DSP baseline: dsps must be an integer >= 1, got ${String(p.dsps)}`);
  if (!(p.weightBytesPerParam > 0) || !Number.isFinite(p.weightBytesPerParam)) {
    throw new RangeError(`FP16 DSP baseline: weightBytesPerParam must be a number > 0, got ${String(p.weightBytesPerParam)}`);
  }
  return p;
}

const LINEAR_NAMES: readonly string[] = ['qkv', 'o', 'gate_up', 'down', 'lm_head'];

/**
 * One linear op of the FP16 baseline over `tokens` tokens with the weights streamed `passes` times.
 * Example (V80 at 1024 B/cycle, 4,162 DSPs, 64-cycle latency): 2048 x 2048, 1 token: stream
 * ceil(8 MiB / 1024) = 8192, compute ceil(4,194,304 / 4162) = 1008 -> 8192 + 64 = 8256 cycles.
 */
export function fp16DspLinearOp(platform: PlatformConfig, p: Fp16DspParams, shape: LinearShape, tokens: number, passes: number, instances: number): AnalyticalOp {
  const weights = shape.inFeatures * shape.outFeatures;
  const weightBytes = weights * p.weightBytesPerParam;
  const terms = {
    weightStream: passes * Math.ceil(weightBytes / streamBytesPerCycle(platform, 'weights')),
    compute: Math.ceil((tokens * weights) / p.dsps),
  };
  const bound = terms.weightStream >= terms.compute ? 'weightStream' : 'compute';
  const fill = platform.hbm.readLatencyCycles;
  const cyclesPerInstance = Math.max(terms.weightStream, terms.compute) + fill;
  return Object.freeze({
    name: shape.name,
    instances,
    terms: Object.freeze(terms),
    bound,
    fillCycles: fill,
    cyclesPerInstance,
    totalCycles: cyclesPerInstance * instances,
    details: Object.freeze({ weightBytes, macs: tokens * weights, passes }),
  });
}

/** A pass of the FP16 baseline: the analytical LUT-LLM pass with its linear ops replaced. */
function fp16Pass(model: Qwen3Config, platform: PlatformConfig, lut: AnalyticalBreakdown, p: Fp16DspParams): AnalyticalBreakdown {
  const chunk = analyticalParams(platform).prefillChunkTokens;
  const passes = lut.tokens === 1 ? 1 : Math.ceil(lut.tokens / chunk);
  const shapes = linearShapes(model);
  const ops = lut.ops.map((op) => {
    if (!LINEAR_NAMES.includes(op.name)) return op;
    const shape = shapes.find((s) => s.name === (op.name as LinearName))!;
    // Only the last token reaches the LM head (one set of logits per pass), as in the LUT-LLM model.
    return op.name === 'lm_head' ? fp16DspLinearOp(platform, p, shape, 1, 1, 1) : fp16DspLinearOp(platform, p, shape, lut.tokens, passes, op.instances);
  });
  const totalCycles = ops.reduce((s, o) => s + o.totalCycles, 0);
  return Object.freeze({ ...lut, platform: `${platform.name} (FP16 DSP baseline)`, ops: Object.freeze(ops), totalCycles, seconds: cyclesToSeconds(platform, totalCycles) });
}

/** Cycles of a prefill of `promptTokens` on the FP16 DSP baseline (per-operator breakdown). */
export function fp16DspPrefillCycles(model: Qwen3Config, platform: PlatformConfig, promptTokens: number, params: Fp16DspParams = FP16_DSP_DEFAULTS): AnalyticalBreakdown {
  return fp16Pass(model, platform, analyticalPrefillCycles(model, platform, promptTokens), checkParams(params));
}

/** Cycles of one decode step at `context` on the FP16 DSP baseline. */
export function fp16DspDecodeCycles(model: Qwen3Config, platform: PlatformConfig, context: number, params: Fp16DspParams = FP16_DSP_DEFAULTS): AnalyticalBreakdown {
  return fp16Pass(model, platform, analyticalDecodeCycles(model, platform, context), checkParams(params));
}

/** Cycles of the linear ops of a breakdown (the part where the two designs differ). */
export function linearCyclesOf(b: AnalyticalBreakdown): number {
  return b.ops.filter((o) => LINEAR_NAMES.includes(o.name)).reduce((s, o) => s + o.totalCycles, 0);
}

/** Request-level estimate of the FP16 baseline (energy at the same V80 board power). */
export function fp16DspLatency(model: Qwen3Config, platform: PlatformConfig, request: { readonly promptTokens: number; readonly outputTokens: number }, params: Fp16DspParams = FP16_DSP_DEFAULTS): LatencyEstimate {
  checkRequest(request.promptTokens, request.outputTokens);
  return latencyEstimate({
    system: `${platform.name} (FP16 DSP baseline)`,
    method: 'analytical model',
    ...request,
    boardWatts: platform.boardPowerWatts,
    ttftSeconds: fp16DspPrefillCycles(model, platform, request.promptTokens, params).seconds,
    decodeSecondsTotal: sumDecodeSteps(request.promptTokens, request.outputTokens, (c) => fp16DspDecodeCycles(model, platform, c, params).seconds),
    notes: [
      `${platform.name} (FP16 DSP baseline): FP16 weights over the same weight channels, ${params.dsps} DSPFP32 multiply-adds per cycle for the ` +
        'linear layers; attention, SFU and embedding as the analytical LUT-LLM model; energy at the same board power',
    ],
  });
}

/** One point of the prefill sweep: LUT-LLM (analytical, co-quant) vs the FP16 DSP baseline. */
export interface PrefillSweepPoint {
  readonly promptTokens: number;
  readonly lutCycles: number;
  readonly fp16Cycles: number;
  readonly lutLinearCycles: number;
  readonly fp16LinearCycles: number;
  /** Bound of the FP16 baseline's largest linear op (gate_up): 'weightStream' or 'compute'. */
  readonly fp16Bound: string;
  /** Bound of LUT-LLM's gate_up op. */
  readonly lutBound: string;
  /** fp16Cycles / lutCycles (> 1: the look-ups are faster). */
  readonly speedup: number;
}

/** Prompt lengths from `from` to `to`, doubling (both ends included). */
export function sweepLengths(from: number, to: number): number[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
    throw new RangeError(`prefill sweep: need integers 1 <= from <= to, got ${String(from)}..${String(to)}`);
  }
  const out: number[] = [];
  for (let t = from; t < to; t *= 2) out.push(t);
  out.push(to);
  return out;
}

/** The prefill sweep: for each prompt length, both designs' prefill cycles (see {@link PrefillSweepPoint}). */
export function prefillSweep(model: Qwen3Config, platform: PlatformConfig, lengths: readonly number[], params: Fp16DspParams = FP16_DSP_DEFAULTS): PrefillSweepPoint[] {
  return lengths.map((t) => {
    const lut = analyticalPrefillCycles(model, platform, t);
    const fp = fp16Pass(model, platform, lut, checkParams(params));
    const bound = (b: AnalyticalBreakdown) => b.ops.find((o) => o.name === 'gate_up')!.bound;
    return Object.freeze({
      promptTokens: t,
      lutCycles: lut.totalCycles,
      fp16Cycles: fp.totalCycles,
      lutLinearCycles: linearCyclesOf(lut),
      fp16LinearCycles: linearCyclesOf(fp),
      fp16Bound: bound(fp),
      lutBound: bound(lut),
      speedup: fp.totalCycles / lut.totalCycles,
    });
  });
}
