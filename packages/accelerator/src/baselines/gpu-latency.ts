import type { Qwen3Config } from '@lut-llm/model';
import { linearShapes } from '@lut-llm/model';
import type { GpuSpec } from './gpu-specs.js';
import { checkRequest, latencyEstimate, sumDecodeSteps, type LatencyEstimate } from './latency-estimate.js';
import { attentionMacsPerLayer, kvElementsPerTokenPerLayer } from './workload.js';

/**
 * A per-kernel GPU latency model for batch-1 LLM inference, in the style of LLM-Viewer (one
 * roofline per kernel, summed) and LLMCompass (GEMMs timed by their tiling on the compute units),
 * plus what both leave out at batch 1: a fixed cost per kernel (launch + synchronisation), the
 * achieved (not peak) HBM bandwidth, attention kernels below their roofline, GEMM efficiency by
 * shape, and the de-quantisation cost of INT8 / INT4 weights. Every parameter is named in
 * {@link GpuLatencyParams} with its public source (packages/accelerator/README.md, "GPU latency
 * model"); none is fitted to a published end-to-end latency. `--gpu-measured` fits the two free
 * ones (kernelOverheadSeconds, hbmEfficiency) to the user's own measurements (gpu-calibration.ts).
 *
 * A pass (prefill of T tokens, or one decode step) is the kernel sequence of vLLM's Qwen3 model
 * (vllm/model_executor/models/qwen3.py): per layer
 *   input_norm (fused add + RMSNorm), qkv_proj, q_norm, k_norm, rotary_emb, kv_cache_write,
 *   attention (FlashAttention in prefill; FlashDecoding split-KV + combine = 2 kernels in decode),
 *   o_proj, post_attention_norm, gate_up_proj, silu_and_mul, down_proj
 * = 12 kernels per layer in prefill, 13 in decode; per pass embedding, final_norm, lm_head (last
 * token only) and sampler. Each kernel takes
 *   max(bytes / (peak BW x hbmEfficiency x kernel's bandwidth factor), flops / (peak x efficiency)) + kernelOverheadSeconds.
 */

/** Weight format of the linear layers: BF16, GPTQ INT8 (W8A16) or GPTQ/Marlin INT4 (W4A16). */
export type GpuWeightFormat = 'bf16' | 'int8' | 'int4';
export const GPU_WEIGHT_FORMATS: readonly GpuWeightFormat[] = Object.freeze(['bf16', 'int8', 'int4']);

export interface GpuLatencyParams {
  /**
   * FREE (calibrated). Achieved fraction of peak HBM bandwidth of a streaming kernel. Default:
   * BabelStream triad (Deakin et al., UoB-HPC/BabelStream) reaches ~0.9 of peak on A100 and
   * ~0.8 on CDNA2 (MI200-series) GPUs.
   */
  readonly hbmEfficiency: number;
  /**
   * FREE (calibrated). Seconds each kernel adds for its launch and the synchronisation behind
   * it. Default 4e-6: NVIDIA Technical Blog "Getting Started with CUDA Graphs" (2019) measures a
   * 2.9 us kernel taking 3.8 us per launch back to back and 9.6 us with a synchronisation after
   * each; the pegainfer CUDA-graph study measures 4-6 us per launch. Same default for the MI210
   * (no public HIP figure of the same kind found): calibrate it.
   */
  readonly kernelOverheadSeconds: number;
  /** Streaming multiprocessors (A100: 108) / compute units (MI210: 104): vendor datasheets. */
  readonly computeUnits: number;
  /**
   * GEMM output tile (rows x columns) one SM computes at a time: 128 x 128, the typical cuBLAS
   * tile of NVIDIA's "Matrix Multiplication Background User's Guide" (2.3). Tile and wave
   * quantization (its chapter 3) give the GEMM efficiency by shape.
   */
  readonly gemmTileRows: number;
  readonly gemmTileCols: number;
  /**
   * Rows of one tensor-core instruction (mma.m16n8k16 on Ampere; MFMA 16x16 on CDNA2): 16. A GEMM
   * with fewer token rows than a tile (decode, short prefill) is padded to a multiple of this, as
   * Marlin's 16-row thread blocks do, not to a whole 128-row tile.
   */
  readonly mmaRows: number;
  /**
   * Fraction of the tensor peak a large, well-shaped GEMM reaches: 0.8 (NVIDIA's guide shows
   * large FP16 GEMMs on A100 near 250 of 312 TFLOPS). Same default for the MI210 (assumed).
   */
  readonly gemmPeakFraction: number;
  /**
   * Fraction of the FP16 tensor peak FlashAttention-2 reaches in prefill: 0.5, the low end of
   * the 50-73% the FlashAttention-2 paper (Dao, 2023) reports on A100 forward (short causal
   * sequences sit at the low end). Same default for the MI210 (assumed).
   */
  readonly flashAttentionEfficiency: number;
  /**
   * FlashDecoding's KV read relative to a streaming kernel's bandwidth: 1.0 (Flash-Decoding,
   * Dao et al. 2023, splits the KV sequence over all SMs precisely to reach full bandwidth at
   * batch 1); its cost below the roofline is its 2 kernels (split + combine).
   */
  readonly flashDecodingBandwidthFactor: number;
  /** Kernels of FlashDecoding per layer (split-KV attention + combine): 2. */
  readonly flashDecodingKernels: number;
  /**
   * De-quantisation cost of quantized weights, as the fraction of the bandwidth-ideal speed-up a
   * weight-only kernel keeps: 0.95 for INT4 and INT8. Marlin (Frantar et al., IST-DASLab/marlin
   * README) reports "close to ideal (4x)" INT4 speed-ups at batch <= 16; the same fraction is
   * assumed for vLLM's 8-bit GPTQ-Marlin path (no separate figure found).
   */
  readonly dequantBandwidthFactor: number;
  /** GPTQ group size: one FP16 scale per `quantGroupSize` weights of a column (128, GPTQ's default). */
  readonly quantGroupSize: number;
}

/** Defaults per GPU (see each field's source); hbmEfficiency and computeUnits differ by device. */
const GPU_LATENCY_A100: GpuLatencyParams = Object.freeze({
  hbmEfficiency: 0.9,
  kernelOverheadSeconds: 4e-6,
  computeUnits: 108,
  gemmTileRows: 128,
  gemmTileCols: 128,
  mmaRows: 16,
  gemmPeakFraction: 0.8,
  flashAttentionEfficiency: 0.5,
  flashDecodingBandwidthFactor: 1,
  flashDecodingKernels: 2,
  dequantBandwidthFactor: 0.95,
  quantGroupSize: 128,
});

export const GPU_LATENCY_DEFAULTS: Readonly<Record<'a100' | 'mi210', GpuLatencyParams>> = Object.freeze({
  a100: GPU_LATENCY_A100,
  // Same sources as the A100 where no MI210-specific figure was found (see each field).
  mi210: Object.freeze({ ...GPU_LATENCY_A100, hbmEfficiency: 0.8, computeUnits: 104 }),
});

/** The free parameters calibration fits (everything else stays as modelled). */
export const GPU_FREE_PARAMETERS = Object.freeze(['kernelOverheadSeconds', 'hbmEfficiency'] as const);

export type GpuKernelKind = 'gemm' | 'attention' | 'decode-attention' | 'elementwise';

/** One kernel of a pass, before timing. */
export interface GpuKernel {
  readonly name: string;
  readonly kind: GpuKernelKind;
  /** How many times it runs in the pass (layers, or 1). */
  readonly count: number;
  /** HBM bytes of one launch. */
  readonly bytes: number;
  /** Tensor FLOPs of one launch. */
  readonly flops: number;
  /** Multiplies the achieved bandwidth (de-quantisation, FlashDecoding); 1 otherwise. */
  readonly bandwidthFactor: number;
  /** Fraction of the tensor peak its FLOPs run at (GEMM shape efficiency, FlashAttention); 1 if flops = 0. */
  readonly computeEfficiency: number;
  /** Kernels launched per instance (FlashDecoding: 2). */
  readonly launches: number;
}

/** A kernel with its time split: memory seconds at peak bandwidth (before hbmEfficiency) and compute seconds. */
export interface TimedGpuKernel extends GpuKernel {
  /** bytes / (peak BW x bandwidthFactor): divide by hbmEfficiency for the memory time. */
  readonly memorySecondsAtPeak: number;
  readonly computeSeconds: number;
  /** One launch: max(memory, compute) + launches x overhead. */
  readonly seconds: number;
  readonly bound: 'memory' | 'compute' | 'overhead';
}

export interface GpuPassLatency {
  readonly tokens: number;
  readonly context: number;
  readonly kernels: readonly TimedGpuKernel[];
  /** Launches in the pass (sum of count x launches). */
  readonly launches: number;
  readonly seconds: number;
}

/** Bytes per weight of a format, incl. GPTQ's FP16 group scales (2 B per group). */
export function weightBytesPerParam(format: GpuWeightFormat, quantGroupSize: number): number {
  if (format === 'bf16') return 2;
  const bits = format === 'int8' ? 8 : 4;
  return bits / 8 + 2 / quantGroupSize;
}

/**
 * GEMM efficiency by shape from tile and wave quantization (NVIDIA's Matrix Multiplication
 * Background guide, chapter 3): an M x N output is cut into tiles of tileRows x tileCols (rows
 * padded to a multiple of mmaRows when M < tileRows) that run in waves of `computeUnits`;
 * efficiency = useful / computed tile area x filled / launched wave slots x gemmPeakFraction.
 * With fewer tiles than compute units the reduction dimension is split over the idle ones
 * (split-K / stream-K, as CUTLASS and Marlin do), so there is no wave loss then.
 * Example: M = 256, N = 14080 on 108 SMs: 2 x 110 = 220 tiles in 3 waves of 108 -> 220/324 x 0.8.
 */
export function gemmShapeEfficiency(p: GpuLatencyParams, rows: number, cols: number): number {
  const tileRows = rows >= p.gemmTileRows ? p.gemmTileRows : p.mmaRows * Math.ceil(rows / p.mmaRows);
  const tr = Math.ceil(rows / tileRows);
  const tc = Math.ceil(cols / p.gemmTileCols);
  const tiles = tr * tc;
  const tileFill = (rows * cols) / (tiles * tileRows * p.gemmTileCols);
  const waveFill = tiles >= p.computeUnits ? tiles / (Math.ceil(tiles / p.computeUnits) * p.computeUnits) : 1;
  return tileFill * waveFill * p.gemmPeakFraction;
}

/**
 * The kernels of one pass: `tokens` new tokens, the last at position `context` (decode: 1, prompt
 * + s; prefill: T, T). Activations, norms and KV are BF16 (2 B); only the linear weights change
 * with `format`. Bytes per kernel:
 * - GEMM: in x out x bytes/param + tokens x (in + out) x 2 (the LM head: 1 token);
 * - attention (prefill): Q, O (tokens x heads x headDim x 2 each) + K, V of `context` positions;
 *   FLOPs 2 x attentionMacs; decode: the same bytes, memory-bound, 2 launches;
 * - elementwise: read + write of its activations (+ its weights for norms).
 */
export function gpuPassKernels(model: Qwen3Config, format: GpuWeightFormat, p: GpuLatencyParams, tokens: number, context: number): GpuKernel[] {
  const b = 2; // BF16 activations
  const wb = weightBytesPerParam(format, p.quantGroupSize);
  const dq = format === 'bf16' ? 1 : p.dequantBandwidthFactor;
  const L = model.layers;
  const h = model.hidden;
  const qkDim = (model.heads + model.kvHeads) * model.headDim;
  const kvPerPos = kvElementsPerTokenPerLayer(model) * b;
  const decode = tokens === 1 && context > 1;
  const ew = (name: string, count: number, elementsRead: number, elementsWritten: number, weightElems = 0): GpuKernel => ({
    name, kind: 'elementwise', count, bytes: (elementsRead + elementsWritten + weightElems) * b, flops: 0, bandwidthFactor: 1, computeEfficiency: 1, launches: 1,
  });
  const shapes = linearShapes(model);
  const gemm = (name: 'qkv' | 'o' | 'gate_up' | 'down' | 'lm_head', label: string): GpuKernel => {
    const s = shapes.find((x) => x.name === name)!;
    const t = name === 'lm_head' ? 1 : tokens;
    // The LM head is tied to the embedding in Qwen3-1.7B and quantization recipes keep it BF16.
    const bytesPerParam = name === 'lm_head' ? 2 : wb;
    return {
      name: label,
      kind: 'gemm',
      count: name === 'lm_head' ? 1 : L,
      bytes: s.weightCount * bytesPerParam + t * (s.inFeatures + s.outFeatures) * b,
      flops: 2 * s.weightCount * t,
      bandwidthFactor: name === 'lm_head' ? 1 : dq,
      computeEfficiency: gemmShapeEfficiency(p, t, s.outFeatures),
      launches: 1,
    };
  };
  const attnBytes = 2 * tokens * model.heads * model.headDim * b + context * kvPerPos;
  const attnFlops = 2 * attentionMacsPerLayer(model, tokens, context);
  const attention: GpuKernel = decode
    ? { name: 'attention (FlashDecoding)', kind: 'decode-attention', count: L, bytes: attnBytes, flops: attnFlops, bandwidthFactor: p.flashDecodingBandwidthFactor, computeEfficiency: p.flashAttentionEfficiency, launches: p.flashDecodingKernels }
    : { name: 'attention (FlashAttention)', kind: 'attention', count: L, bytes: attnBytes, flops: attnFlops, bandwidthFactor: 1, computeEfficiency: p.flashAttentionEfficiency, launches: 1 };
  return [
    ew('embedding', 1, tokens * h, tokens * h),
    ew('input_norm', L, 2 * tokens * h, 2 * tokens * h, h),
    gemm('qkv', 'qkv_proj'),
    ew('q_norm', L, tokens * model.heads * model.headDim, tokens * model.heads * model.headDim, model.headDim),
    ew('k_norm', L, tokens * model.kvHeads * model.headDim, tokens * model.kvHeads * model.headDim, model.headDim),
    ew('rotary_emb', L, tokens * qkDim, tokens * qkDim),
    ew('kv_cache_write', L, tokens * 2 * model.kvHeads * model.headDim, tokens * 2 * model.kvHeads * model.headDim),
    attention,
    gemm('o', 'o_proj'),
    ew('post_attention_norm', L, 2 * tokens * h, 2 * tokens * h, h),
    gemm('gate_up', 'gate_up_proj'),
    ew('silu_and_mul', L, tokens * 2 * model.intermediate, tokens * model.intermediate),
    gemm('down', 'down_proj'),
    ew('final_norm', 1, h, h, h),
    gemm('lm_head', 'lm_head'),
    // Greedy sampling reads the FP32 logits once.
    { name: 'sampler', kind: 'elementwise', count: 1, bytes: model.vocab * 4, flops: 0, bandwidthFactor: 1, computeEfficiency: 1, launches: 1 },
  ];
}

/** Peak FLOP/s of the tensor cores for this format's GEMMs: weight-only formats compute in FP16 (DESIGN.md 1.4). */
function tensorPeak(gpu: GpuSpec): number {
  return gpu.fp16DenseTflops * 1e12;
}

/** Times each kernel of a pass with `p` (see the module comment); the pass is their sum. */
export function timeGpuPass(gpu: GpuSpec, kernels: readonly GpuKernel[], p: GpuLatencyParams, tokens: number, context: number): GpuPassLatency {
  const bw = gpu.hbmBandwidthGBps * 1e9;
  let seconds = 0;
  let launches = 0;
  const timed = kernels.map((k): TimedGpuKernel => {
    const memorySecondsAtPeak = k.bytes / (bw * k.bandwidthFactor);
    const computeSeconds = k.flops > 0 ? k.flops / (tensorPeak(gpu) * k.computeEfficiency) : 0;
    const mem = memorySecondsAtPeak / p.hbmEfficiency;
    const overhead = k.launches * p.kernelOverheadSeconds;
    const s = Math.max(mem, computeSeconds) + overhead;
    seconds += s * k.count;
    launches += k.launches * k.count;
    const bound = overhead > Math.max(mem, computeSeconds) ? 'overhead' : mem >= computeSeconds ? 'memory' : 'compute';
    return { ...k, memorySecondsAtPeak, computeSeconds, seconds: s, bound };
  });
  return { tokens, context, kernels: timed, launches, seconds };
}

/** Checks every field of a parameter set; throws a RangeError naming the bad one. */
export function checkGpuLatencyParams(p: GpuLatencyParams): GpuLatencyParams {
  const frac = ['hbmEfficiency', 'gemmPeakFraction', 'flashAttentionEfficiency', 'flashDecodingBandwidthFactor', 'dequantBandwidthFactor'] as const;
  for (const k of frac) if (!(p[k] > 0 && p[k] <= 1)) throw new RangeError(`GPU latency parameter ${k} must be in (0, 1], got ${String(p[k])}`);
  if (!(p.kernelOverheadSeconds >= 0) || !Number.isFinite(p.kernelOverheadSeconds)) {
    throw new RangeError(`GPU latency parameter kernelOverheadSeconds must be a finite number >= 0, got ${String(p.kernelOverheadSeconds)}`);
  }
  for (const k of ['computeUnits', 'gemmTileRows', 'gemmTileCols', 'mmaRows', 'flashDecodingKernels', 'quantGroupSize'] as const) {
    if (!Number.isSafeInteger(p[k]) || p[k] < 1) throw new RangeError(`GPU latency parameter ${k} must be an integer >= 1, got ${String(p[k])}`);
  }
  return p;
}

export interface GpuLatencyOptions {
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly format: GpuWeightFormat;
  readonly params: GpuLatencyParams;
  /** How the parameters were obtained, printed in the method column. Default 'modelled'. */
  readonly provenance?: string;
}

export interface GpuLatencyEstimate extends LatencyEstimate {
  readonly gpu: GpuSpec;
  readonly format: GpuWeightFormat;
  readonly params: GpuLatencyParams;
  readonly prefill: GpuPassLatency;
  /** First decode step (null without decode steps). */
  readonly firstDecodeStep: GpuPassLatency | null;
}

/** Sum of the decode steps s = 1..outputTokens-1 (step s at context promptTokens + s). */
export function gpuDecodeSeconds(gpu: GpuSpec, model: Qwen3Config, format: GpuWeightFormat, p: GpuLatencyParams, promptTokens: number, outputTokens: number): number {
  return sumDecodeSteps(promptTokens, outputTokens, (c) => timeGpuPass(gpu, gpuPassKernels(model, format, p, 1, c), p, 1, c).seconds);
}

/**
 * Latency of a batch-1 request on a GPU by the per-kernel model: TTFT = the prefill pass; decode
 * step s at context promptTokens + s; energy at the GPU's board power (GpuSpec.boardPowerWatts,
 * sourced there).
 */
export function gpuLatency(gpu: GpuSpec, model: Qwen3Config, o: GpuLatencyOptions): GpuLatencyEstimate {
  checkRequest(o.promptTokens, o.outputTokens);
  if (!GPU_WEIGHT_FORMATS.includes(o.format)) throw new RangeError(`format must be one of ${GPU_WEIGHT_FORMATS.join(', ')}, got ${String(o.format)}`);
  const p = checkGpuLatencyParams(o.params);
  const prefill = timeGpuPass(gpu, gpuPassKernels(model, o.format, p, o.promptTokens, o.promptTokens), p, o.promptTokens, o.promptTokens);
  const first = o.outputTokens > 1 ? timeGpuPass(gpu, gpuPassKernels(model, o.format, p, 1, o.promptTokens + 1), p, 1, o.promptTokens + 1) : null;
  const provenance = o.provenance ?? 'modelled';
  const e = latencyEstimate({
    system: `${gpu.name} ${o.format.toUpperCase()}`,
    method: `per-kernel model, ${provenance}`,
    promptTokens: o.promptTokens,
    outputTokens: o.outputTokens,
    boardWatts: gpu.boardPowerWatts,
    ttftSeconds: prefill.seconds,
    decodeSecondsTotal: gpuDecodeSeconds(gpu, model, o.format, p, o.promptTokens, o.outputTokens),
    notes: [
      `${gpu.name} ${o.format.toUpperCase()} (${provenance}): HBM efficiency ${p.hbmEfficiency.toFixed(3)}, ` +
        `${(p.kernelOverheadSeconds * 1e6).toFixed(2)} us per kernel launch x ${prefill.launches} launches (prefill), ` +
        `${first?.launches ?? 0} per decode step; energy at ${gpu.boardPowerWatts} W board power (${gpu.sources[gpu.sources.length - 1]})`,
    ],
  });
  return Object.freeze({ ...e, gpu, format: o.format, params: p, prefill, firstDecodeStep: first });
}
