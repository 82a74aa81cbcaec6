import type { Qwen3Config } from '@lut-llm/model';
import type { GpuSpec } from './gpu-specs.js';
import { checkRequest, latencyEstimate, type LatencyEstimate } from './latency-estimate.js';
import { attentionMacsPerLayer, kvElementsPerTokenPerLayer, layerLinearWeights, lmHeadWeights, normWeights } from './workload.js';

/**
 * Bytes per RMSNorm weight on the GPU: 2 (FP16). Quantization recipes (GPTQ, Marlin) leave norms
 * in the serving dtype; vLLM serves these models in FP16/BF16.
 */
export const GPU_NORM_BYTES_PER_PARAM = 2;

/** Which tensor-core peak the linear layers run at. */
export type GpuLinearPrecision = 'fp16' | 'int8';

export interface GpuRooflineOptions {
  readonly promptTokens: number;
  readonly outputTokens: number;
  /**
   * Bytes per weight of the four per-layer projections. Default 1: the paper's GPU baselines use
   * GPTQ INT8 weights (DESIGN.md 1.4).
   */
  readonly weightBytesPerParam?: number;
  /**
   * Bytes per weight of the LM head and of the embedding row read per token. Default: same as
   * `weightBytesPerParam`. Set 2 to model a recipe that keeps the (tied) embedding in FP16.
   */
  readonly lmHeadBytesPerParam?: number;
  /** Bytes per K/V element in the cache. Default 2 (FP16 KV-cache, vLLM's default). */
  readonly kvBytesPerElement?: number;
  /**
   * Fraction of peak HBM bandwidth achieved, in (0, 1]. Default 1: a pure roofline, i.e. an upper
   * bound on the GPU's performance. Never tuned here; pass a measured figure to use one.
   */
  readonly bandwidthEfficiency?: number;
  /** Fraction of peak tensor throughput achieved, in (0, 1]. Default 1 (pure roofline). */
  readonly computeEfficiency?: number;
  /**
   * Tensor-core peak for the linear layers. Default 'fp16': GPTQ INT8 and Marlin kernels are
   * weight-only (W8A16 / W4A16): they dequantize weights to FP16 and use FP16 tensor cores.
   * 'int8' models a W8A8 deployment (e.g. SmoothQuant). Attention always runs at the FP16 peak.
   */
  readonly linearPrecision?: GpuLinearPrecision;
}

/** The options with every default filled in. */
export type ResolvedGpuRooflineOptions = Required<GpuRooflineOptions>;

/** One roofline evaluation: bytes and ops of a phase, and which roof limits it. */
export interface RooflinePhase {
  /** Bytes moved between HBM and the chip. */
  readonly bytes: number;
  /** FLOPs (or ops) of the linear layers, incl. the LM head: 2 x weights x tokens. */
  readonly linearOps: number;
  /** FLOPs of attention (QK^T and PV). */
  readonly attentionOps: number;
  /** bytes / (bandwidth x efficiency). */
  readonly memorySeconds: number;
  /** linearOps / (linear peak x eff) + attentionOps / (FP16 peak x eff). */
  readonly computeSeconds: number;
  /** max(memorySeconds, computeSeconds). */
  readonly seconds: number;
  readonly bound: 'memory' | 'compute';
}

export interface GpuRooflineEstimate extends LatencyEstimate {
  readonly gpu: GpuSpec;
  readonly options: ResolvedGpuRooflineOptions;
  /** The prefill of the prompt (= TTFT). */
  readonly prefill: RooflinePhase;
  /** The first and the last decode step (null without decode steps): the context grows between them. */
  readonly firstDecodeStep: RooflinePhase | null;
  readonly lastDecodeStep: RooflinePhase | null;
}

/** Note printed with every GPU roofline figure. */
export const GPU_ROOFLINE_NOTE =
  'pure roofline (max of bytes/bandwidth and ops/peak at the stated efficiencies): an UPPER bound on GPU ' +
  'performance; it ignores kernel launches, framework overhead and synchronisation, which dominate batch-1 ' +
  'decoding of small models on real GPUs';

function positive(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${String(v)}`);
  return v;
}

function fraction(name: string, v: number): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${String(v)}`);
  return v;
}

/** Fills defaults and validates; throws a RangeError naming the bad option. */
export function resolveGpuRooflineOptions(opts: GpuRooflineOptions): ResolvedGpuRooflineOptions {
  checkRequest(opts.promptTokens, opts.outputTokens);
  const weightBytesPerParam = positive('weightBytesPerParam', opts.weightBytesPerParam ?? 1);
  const linearPrecision = opts.linearPrecision ?? 'fp16';
  if (linearPrecision !== 'fp16' && linearPrecision !== 'int8') {
    throw new RangeError(`linearPrecision must be 'fp16' or 'int8', got ${String(linearPrecision)}`);
  }
  return {
    promptTokens: opts.promptTokens,
    outputTokens: opts.outputTokens,
    weightBytesPerParam,
    lmHeadBytesPerParam: positive('lmHeadBytesPerParam', opts.lmHeadBytesPerParam ?? weightBytesPerParam),
    kvBytesPerElement: positive('kvBytesPerElement', opts.kvBytesPerElement ?? 2),
    bandwidthEfficiency: fraction('bandwidthEfficiency', opts.bandwidthEfficiency ?? 1),
    computeEfficiency: fraction('computeEfficiency', opts.computeEfficiency ?? 1),
    linearPrecision,
  };
}

/** Peak ops/s of the linear layers on `gpu` at `precision`. */
export function gpuLinearPeakOpsPerSecond(gpu: GpuSpec, precision: GpuLinearPrecision): number {
  return (precision === 'int8' ? gpu.int8DenseTops : gpu.fp16DenseTflops) * 1e12;
}

/**
 * Bytes and ops of one pass over the model processing `tokens` new tokens whose last one sits at
 * position `context` (decode: tokens = 1; prefill: tokens = context = prompt length).
 * Bytes (each read once per pass; activations are ignored: at batch 1 they are < 0.01 % of the weights):
 *   per-layer projection weights x weightBytes + LM head (vocab x hidden) x lmHeadBytes
 *   + embedding rows (tokens x hidden x lmHeadBytes) + norm weights x 2
 *   + KV read (context positions) + KV written (tokens positions).
 * KV traffic per layer-token is 2 x kvHeads x headDim x kvBytes; the pass reads the cache of all
 * `context` positions once (decode: the history plus the token just written; prefill: FlashAttention
 * reading each K/V tile once, its minimum) and writes `tokens` new positions.
 * Ops: 2 x per-layer weights x tokens + 2 x LM-head weights (logits of the last token only, as vLLM
 * computes them in prefill) + attention 2 x 2 x heads x headDim x attended keys per layer.
 */
export function gpuPassRoofline(gpu: GpuSpec, model: Qwen3Config, opts: ResolvedGpuRooflineOptions, tokens: number, context: number): RooflinePhase {
  const kvBytesPerToken = kvElementsPerTokenPerLayer(model) * model.layers * opts.kvBytesPerElement;
  const bytes =
    layerLinearWeights(model) * opts.weightBytesPerParam +
    lmHeadWeights(model) * opts.lmHeadBytesPerParam +
    tokens * model.hidden * opts.lmHeadBytesPerParam +
    normWeights(model) * GPU_NORM_BYTES_PER_PARAM +
    context * kvBytesPerToken +
    tokens * kvBytesPerToken;
  const linearOps = 2 * layerLinearWeights(model) * tokens + 2 * lmHeadWeights(model);
  const attentionOps = 2 * attentionMacsPerLayer(model, tokens, context) * model.layers;
  const memorySeconds = bytes / (gpu.hbmBandwidthGBps * 1e9 * opts.bandwidthEfficiency);
  const computeSeconds =
    linearOps / (gpuLinearPeakOpsPerSecond(gpu, opts.linearPrecision) * opts.computeEfficiency) +
    attentionOps / (gpu.fp16DenseTflops * 1e12 * opts.computeEfficiency);
  const bound = memorySeconds >= computeSeconds ? 'memory' : 'compute';
  return { bytes, linearOps, attentionOps, memorySeconds, computeSeconds, seconds: Math.max(memorySeconds, computeSeconds), bound };
}

/**
 * Roofline estimate of a batch-1 request on a GPU: TTFT = the prefill pass over the prompt;
 * decode step s (1..outputTokens-1) = one token at context promptTokens + s; each pass takes
 * max(bytes / (BW x eff), ops / (peak x eff)) (see {@link gpuPassRoofline}). Energy at the GPU's
 * board power (see {@link LatencyEstimate}). An upper bound on GPU performance by construction.
 */
export function gpuRoofline(gpu: GpuSpec, model: Qwen3Config, options: GpuRooflineOptions): GpuRooflineEstimate {
  const opts = resolveGpuRooflineOptions(options);
  const prefill = gpuPassRoofline(gpu, model, opts, opts.promptTokens, opts.promptTokens);
  let decodeSecondsTotal = 0;
  let first: RooflinePhase | null = null;
  let last: RooflinePhase | null = null;
  for (let s = 1; s < opts.outputTokens; s++) {
    const step = gpuPassRoofline(gpu, model, opts, 1, opts.promptTokens + s);
    decodeSecondsTotal += step.seconds;
    if (first === null) first = step;
    last = step;
  }
  const effNote =
    opts.bandwidthEfficiency === 1 && opts.computeEfficiency === 1
      ? 'efficiencies 1.0'
      : `bandwidth efficiency ${opts.bandwidthEfficiency}, compute efficiency ${opts.computeEfficiency}`;
  const estimate = latencyEstimate({
    system: gpu.name,
    method: 'roofline (upper bound on GPU performance)',
    promptTokens: opts.promptTokens,
    outputTokens: opts.outputTokens,
    boardWatts: gpu.boardPowerWatts,
    ttftSeconds: prefill.seconds,
    decodeSecondsTotal,
    notes: [
      `${gpu.name}: ${GPU_ROOFLINE_NOTE}; ${effNote}; weights ${opts.weightBytesPerParam} B/param, ` +
        `LM head ${opts.lmHeadBytesPerParam} B/param, KV ${opts.kvBytesPerElement} B/element, linear layers at the ` +
        `${opts.linearPrecision.toUpperCase()} peak; energy at ${gpu.boardPowerWatts} W board power`,
    ],
  });
  return Object.freeze({ ...estimate, gpu, options: opts, prefill, firstDecodeStep: first, lastDecodeStep: last });
}
