import { linearShapes, type LinearName, type Qwen3Config } from '@lut-llm/model';
import { kvChannelBytesPerCycle, streamBytesPerCycle } from '../platform/bandwidth.js';
import type { PlatformConfig } from '../platform/schema.js';
import { lutLinearStream } from '../platform/vq-storage.js';
import { gpuLinearPeakOpsPerSecond, resolveGpuRooflineOptions, type GpuRooflineOptions } from './gpu-roofline.js';
import type { GpuSpec } from './gpu-specs.js';
import { analyticalParams } from './lut-llm-params.js';
import { attentionMacsPerLayer, chunkedHistoryReads, kvElementsPerTokenPerLayer } from './workload.js';

export type RooflineOpName = LinearName | 'attention';

/** One operator (one instance: one layer's op, or the LM head) on one system's roofline. */
export interface RooflinePoint {
  readonly op: RooflineOpName;
  readonly system: string;
  /** What `ops` counts: FLOPs on a GPU and for attention; table look-ups for LUT-LLM linear ops. */
  readonly opUnit: 'flop' | 'lookup';
  readonly ops: number;
  readonly bytes: number;
  /** ops / bytes (Infinity when nothing is read, e.g. attention of the first token on LUT-LLM). */
  readonly intensityOpsPerByte: number;
  /** Compute roof (x compute efficiency on GPUs). */
  readonly peakOpsPerSecond: number;
  /** Memory roof (x bandwidth efficiency on GPUs). */
  readonly bandwidthBytesPerSecond: number;
  /** peak / bandwidth: the intensity above which the op is compute-bound. */
  readonly ridgeOpsPerByte: number;
  /** min(peak, intensity x bandwidth). */
  readonly attainableOpsPerSecond: number;
  readonly bound: 'memory' | 'compute';
  /** ops / attainable = max(bytes / bandwidth, ops / peak). */
  readonly seconds: number;
}

export interface LayerRooflineRow {
  readonly op: RooflineOpName;
  readonly gpu: RooflinePoint;
  readonly lutLlm: RooflinePoint;
}

/** GPU options as in {@link gpuRoofline}, plus the pass shape: `tokens` new tokens ending at position `context`. */
export type LayerRooflineOptions = Omit<GpuRooflineOptions, 'promptTokens' | 'outputTokens'> & {
  /** Tokens processed per pass over the weights: 1 for decode (default), the prompt length for prefill. */
  readonly tokens?: number;
  /** Position of the last token (keys it attends, including itself); >= tokens. */
  readonly context: number;
};

function point(op: RooflineOpName, system: string, opUnit: 'flop' | 'lookup', ops: number, bytes: number, peak: number, bw: number): RooflinePoint {
  const intensity = ops / bytes;
  const attainable = Math.min(peak, intensity * bw);
  return Object.freeze({
    op, system, opUnit, ops, bytes,
    intensityOpsPerByte: intensity,
    peakOpsPerSecond: peak,
    bandwidthBytesPerSecond: bw,
    ridgeOpsPerByte: peak / bw,
    attainableOpsPerSecond: attainable,
    bound: intensity * bw < peak ? 'memory' : 'compute',
    seconds: ops / attainable,
  });
}

/**
 * Roofline points of each linear op (qkv, o, gate_up, down, lm_head) and of attention, one
 * instance each, for the GPU and for the LUT-LLM design on `platform`.
 *
 * GPU: linear ops = 2 x in x out x tokens FLOPs over in x out x bytes/param (LM head at
 * lmHeadBytesPerParam), peak at `linearPrecision`; attention = 2 x 2 x heads x headDim x attended
 * keys FLOPs over the K/V cache read (context positions) and written (tokens positions), FP16 peak.
 *
 * The LM head always counts one token: a pass computes the logits of its last token only.
 *
 * LUT-LLM: linear ops = tokens x P x M look-ups over the indices + tables streamed (10 bits per
 * weight with the default VQ format: 4-bit index per v = 2 weights + a 64 x 16 INT8 table per
 * (position, 512-output group)), once per prefillChunkTokens chunk; peak = matchers x outputLanes
 * look-ups per cycle; bandwidth = the weight channels. Attention = the same FLOPs over the KV history
 * read from HBM; peak = 2 arrays x macsPerCycle x 2 FLOP per cycle; bandwidth = the KV read channels.
 */
export function layerRooflinePoints(gpu: GpuSpec, model: Qwen3Config, platform: PlatformConfig, options: LayerRooflineOptions): LayerRooflineRow[] {
  const tokens = options.tokens ?? 1;
  const { context } = options;
  const opts = resolveGpuRooflineOptions({ ...options, promptTokens: 1, outputTokens: 1 });
  const p = analyticalParams(platform);
  const hz = platform.clockMhz * 1e6;
  const gpuBw = gpu.hbmBandwidthGBps * 1e9 * opts.bandwidthEfficiency;
  const gpuLinearPeak = gpuLinearPeakOpsPerSecond(gpu, opts.linearPrecision) * opts.computeEfficiency;
  const gpuFp16Peak = gpu.fp16DenseTflops * 1e12 * opts.computeEfficiency;
  const lutPeak = p.matchers * p.outputLanes * hz;
  const lutBw = streamBytesPerCycle(platform, 'weights') * hz;
  const passes = Math.ceil(tokens / p.prefillChunkTokens);
  const lutSystem = `${platform.name} (LUT-LLM)`;

  const rows: LayerRooflineRow[] = [];
  for (const shape of linearShapes(model)) {
    const isLmHead = shape.name === 'lm_head';
    const bytesPerParam = isLmHead ? opts.lmHeadBytesPerParam : opts.weightBytesPerParam;
    // A pass computes logits for its last token only (vLLM and LUT-LLM alike), so the LM head sees 1 token.
    const opTokens = isLmHead ? 1 : tokens;
    const opPasses = isLmHead ? 1 : passes;
    const s = lutLinearStream(shape.inFeatures, shape.outFeatures, platform);
    rows.push({
      op: shape.name,
      gpu: point(shape.name, gpu.name, 'flop', 2 * shape.weightCount * opTokens, shape.weightCount * bytesPerParam, gpuLinearPeak, gpuBw),
      lutLlm: point(shape.name, lutSystem, 'lookup', opTokens * s.lookupsPerToken, opPasses * s.weightStreamBytes, lutPeak, lutBw),
    });
  }

  const flops = 2 * attentionMacsPerLayer(model, tokens, context);
  const kvPerPosition = kvElementsPerTokenPerLayer(model);
  const gpuKvBytes = (context + tokens) * kvPerPosition * opts.kvBytesPerElement;
  const lutKvBytes = chunkedHistoryReads(tokens, p.prefillChunkTokens, context) * kvPerPosition * platform.dataFormats.kvBytesPerElement;
  rows.push({
    op: 'attention',
    gpu: point('attention', gpu.name, 'flop', flops, gpuKvBytes, gpuFp16Peak, gpuBw),
    lutLlm: point('attention', lutSystem, 'flop', flops, lutKvBytes, 2 * p.attentionMacsPerCycle * 2 * hz, kvChannelBytesPerCycle(platform) * hz),
  });
  return rows;
}
