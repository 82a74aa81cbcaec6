import { linearShapes, type LinearName, type LinearShape, type Qwen3Config } from '@lut-llm/model';
import { kvChannelBytesPerCycle, streamBytesPerCycle, cyclesToSeconds, type PlatformHbmStream } from '../platform/bandwidth.js';
import type { PlatformConfig } from '../platform/schema.js';
import { lutLinearStream } from '../platform/vq-storage.js';
import { checkRequest, latencyEstimate, type LatencyEstimate } from './latency-estimate.js';
import { analyticalParams, type LutLlmAnalyticalParams } from './lut-llm-params.js';
import { attendedKeys, chunkedHistoryReads, kvElementsPerTokenPerLayer } from './workload.js';

/**
 * A first-principles, per-operator model of LUT-LLM on a platform, in kernel cycles — the kind of
 * model the paper's authors used, and the reference the emulator is cross-checked against.
 *
 * Rules (every number comes from the platform config or {@link LutLlmAnalyticalParams}):
 * - Operators run one after another (DESIGN.md 1.3: LUTLinear rounds QKV, O, gate/up, down, with
 *   attention and the SFU between them). A model pass is the sum of its operators' cycles.
 * - Inside an operator, independent resources work in parallel, so an instance takes the MAX of its
 *   competing terms (HBM streams on their own channel groups, look-ups, centroid search...), plus a
 *   fill of one HBM read latency for operators that start by reading HBM.
 * - A stream of B bytes over a channel group takes ceil(B / (channels x bytesPerCyclePerChannel)).
 *
 * - The SFU work of a layer (norms, RoPE, SwiGLU, residual adds) is counted serially after the
 *   rounds: a LUTLinear output is complete only once the last block of positions is accumulated
 *   (DESIGN.md 1.2 stage 3), so the SFU cannot start on it earlier.
 *
 * What it is blind to (and the emulator is not): stalls from FIFO sizing, port and channel
 * contention, pipeline latencies of the stages (tens of cycles each), and any overlap across
 * operator boundaries other than the KV prefetch (e.g. the SFU finishing one round while the next
 * round's tables already stream).
 */

export type AnalyticalOpName = 'embedding' | LinearName | 'attention' | 'sfu' | 'final_norm';

/** One operator of a model pass. */
export interface AnalyticalOp {
  readonly name: AnalyticalOpName;
  /** How many times it runs per pass (layers, or 1). */
  readonly instances: number;
  /** Competing cycle counts of one instance; it takes the largest. */
  readonly terms: Readonly<Record<string, number>>;
  /** The largest term's key. */
  readonly bound: string;
  /** Cycles added once per instance before the terms overlap (HBM read latency). */
  readonly fillCycles: number;
  /** max(terms) + fillCycles. */
  readonly cyclesPerInstance: number;
  /** cyclesPerInstance x instances. */
  readonly totalCycles: number;
  /** Informational counts of one instance (bytes, look-ups, MACs, hidden cycles). */
  readonly details: Readonly<Record<string, number>>;
}

export interface AnalyticalBreakdown {
  readonly phase: 'decode' | 'prefill';
  readonly model: string;
  readonly platform: string;
  readonly clockMhz: number;
  /** Tokens processed by the pass (1 for decode). */
  readonly tokens: number;
  /** Position of the last token = keys it attends (including itself). */
  readonly context: number;
  readonly params: LutLlmAnalyticalParams;
  /** Operators in execution order; per-layer ones carry instances = layers. */
  readonly ops: readonly AnalyticalOp[];
  readonly totalCycles: number;
  readonly seconds: number;
}

function op(name: AnalyticalOpName, instances: number, terms: Record<string, number>, fillCycles: number, details: Record<string, number> = {}): AnalyticalOp {
  let bound = '';
  let max = -Infinity;
  for (const [k, v] of Object.entries(terms)) {
    if (v > max) {
      max = v;
      bound = k;
    }
  }
  const cyclesPerInstance = max + fillCycles;
  return Object.freeze({
    name, instances, terms: Object.freeze(terms), bound, fillCycles, cyclesPerInstance,
    totalCycles: cyclesPerInstance * instances, details: Object.freeze(details),
  });
}

/** Cycles to move `bytes` over a stream's channel group. */
function streamCycles(platform: PlatformConfig, stream: PlatformHbmStream, bytes: number): number {
  return Math.ceil(bytes / streamBytesPerCycle(platform, stream));
}

/**
 * One LUTLinear round over `tokens` tokens, streaming its tables `passes` times.
 * Terms: weightStream (indices + tables over the weight channels, once per pass), centroidStream
 * (activation codebooks over the centroid channels, once per pass), scaleStream (scales and zero
 * points over the scales channel), centroidSearch (tokens x ceil(P / bpcsus): each BPCSU encodes one
 * position per cycle), lookup (tokens x ceil(P / matchers) x ceil(M / outputLanes): each cycle the
 * matcher chain covers `matchers` positions x `outputLanes` outputs), and for the LM head
 * logitsWrite (the logits of the last token, FP32, over the output channels).
 */
function linearOp(platform: PlatformConfig, p: LutLlmAnalyticalParams, shape: LinearShape, tokens: number, passes: number, instances: number): AnalyticalOp {
  const s = lutLinearStream(shape.inFeatures, shape.outFeatures, platform);
  const terms: Record<string, number> = {
    weightStream: passes * streamCycles(platform, 'weights', s.weightStreamBytes),
    centroidStream: passes * streamCycles(platform, 'centroids', s.centroidBytes),
    scaleStream: passes * streamCycles(platform, 'scales', s.scaleBytes),
    centroidSearch: tokens * Math.ceil(s.positions / p.bpcsus),
    lookup: tokens * Math.ceil(s.positions / p.matchers) * Math.ceil(shape.outFeatures / p.outputLanes),
  };
  if (shape.name === 'lm_head') {
    terms['logitsWrite'] = streamCycles(platform, 'output', shape.outFeatures * platform.dataFormats.activationBytesPerElement);
  }
  return op(shape.name, instances, terms, platform.hbm.readLatencyCycles, {
    positions: s.positions,
    groups: s.groups,
    indexBytes: s.indexBytes,
    tableBytes: s.tableBytes,
    weightStreamBytes: s.weightStreamBytes,
    centroidBytes: s.centroidBytes,
    scaleBytes: s.scaleBytes,
    lookups: tokens * s.lookupsPerToken,
    passes,
  });
}

/**
 * Per-layer SFU work per token, in FP32 elements: RMSNorms make two passes (sum of squares, then
 * scale): input and post-attention norms 2 x hidden each, q/k norms 2 x (heads + kvHeads) x headDim;
 * RoPE (heads + kvHeads) x headDim; SwiGLU intermediate; two residual adds 2 x hidden.
 */
function sfuElementsPerTokenPerLayer(model: Qwen3Config): number {
  const qk = (model.heads + model.kvHeads) * model.headDim;
  return 2 * model.hidden * 2 + 2 * qk + qk + model.intermediate + 2 * model.hidden;
}

/** RMSNorm weights of one layer (2 hidden + 2 headDim), in elements; RoPE cos/sin add headDim per token. */
function sfuParamElementsPerLayer(model: Qwen3Config): number {
  return 2 * model.hidden + 2 * model.headDim;
}

function sfuOp(platform: PlatformConfig, p: LutLlmAnalyticalParams, model: Qwen3Config, tokens: number, passes: number): AnalyticalOp {
  const elements = tokens * sfuElementsPerTokenPerLayer(model);
  const paramBytes = (passes * sfuParamElementsPerLayer(model) + tokens * model.headDim) * platform.dataFormats.ropeNormBytesPerElement;
  return op('sfu', model.layers, {
    compute: Math.ceil(elements / p.sfuElementsPerCycle),
    paramStream: streamCycles(platform, 'ropeNorm', paramBytes),
  }, 0, { elements, paramBytes });
}

/**
 * Attention of one layer. Terms: compute (QK^T and PV arrays of attentionMacsPerCycle each, run as
 * a pipeline: heads x headDim x attended keys / macsPerCycle), kvExposed (the KV channels' time
 * not hidden under the QKV round: the history read, prefetched while QKV runs (DESIGN.md 1.2
 * stage 7), and the new tokens' K and V written over the same channels, the as-built design's
 * 2 K + 2 V ports: memory `kvCacheChannelGroup`). Decode reads the context - 1 history positions;
 * prefill chunk k reads the k x chunk positions of earlier chunks (the chunk's own K/V are on chip).
 */
function attentionOp(platform: PlatformConfig, p: LutLlmAnalyticalParams, model: Qwen3Config, tokens: number, context: number, qkvCyclesPerInstance: number): AnalyticalOp {
  const kvBytesPerPosition = kvElementsPerTokenPerLayer(model) * platform.dataFormats.kvBytesPerElement;
  const historyPositions = chunkedHistoryReads(tokens, p.prefillChunkTokens, context);
  const kvReadBytes = historyPositions * kvBytesPerPosition;
  const kvWriteBytes = tokens * kvBytesPerPosition;
  const kvBytesPerCycle = kvChannelBytesPerCycle(platform);
  const kvReadCycles = Math.ceil(kvReadBytes / kvBytesPerCycle);
  const kvWriteCycles = Math.ceil(kvWriteBytes / kvBytesPerCycle);
  const hiddenUnderQkv = Math.min(kvReadCycles, qkvCyclesPerInstance);
  const macsPerArray = model.heads * model.headDim * attendedKeys(tokens, context);
  return op('attention', model.layers, {
    compute: Math.ceil(macsPerArray / p.attentionMacsPerCycle),
    kvExposed: kvReadCycles - hiddenUnderQkv + kvWriteCycles,
  }, 0, { historyPositions, kvReadBytes, kvReadCycles, kvWriteCycles, hiddenUnderQkv, macsPerArray });
}

function checkPositive(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1, got ${String(v)}`);
}

function pass(model: Qwen3Config, platform: PlatformConfig, tokens: number, context: number): AnalyticalBreakdown {
  const p = analyticalParams(platform);
  const passes = tokens === 1 ? 1 : Math.ceil(tokens / p.prefillChunkTokens);
  const shapes = linearShapes(model);
  const byName = (n: LinearName): LinearShape => shapes.find((s) => s.name === n)!;
  const layers = model.layers;
  const f = platform.dataFormats;

  const embedding = op('embedding', 1, {
    rowRead: streamCycles(platform, 'input', tokens * model.hidden * f.activationBytesPerElement),
  }, platform.hbm.readLatencyCycles, { bytes: tokens * model.hidden * f.activationBytesPerElement });
  const qkv = linearOp(platform, p, byName('qkv'), tokens, passes, layers);
  const attention = attentionOp(platform, p, model, tokens, context, qkv.cyclesPerInstance);
  const o = linearOp(platform, p, byName('o'), tokens, passes, layers);
  const gateUp = linearOp(platform, p, byName('gate_up'), tokens, passes, layers);
  const down = linearOp(platform, p, byName('down'), tokens, passes, layers);
  const sfu = sfuOp(platform, p, model, tokens, passes);
  // Only the last token's hidden state reaches the final norm and LM head (prefill computes one set of logits).
  const finalNorm = op('final_norm', 1, {
    compute: Math.ceil((2 * model.hidden) / p.sfuElementsPerCycle),
    paramStream: streamCycles(platform, 'ropeNorm', model.hidden * f.ropeNormBytesPerElement),
  }, 0);
  const lmHead = linearOp(platform, p, byName('lm_head'), 1, 1, 1);

  const ops = [embedding, qkv, attention, o, gateUp, down, sfu, finalNorm, lmHead];
  const totalCycles = ops.reduce((s, x) => s + x.totalCycles, 0);
  return Object.freeze({
    phase: tokens === 1 ? 'decode' : 'prefill',
    model: model.name,
    platform: platform.name,
    clockMhz: platform.clockMhz,
    tokens,
    context,
    params: p,
    ops: Object.freeze(ops),
    totalCycles,
    seconds: cyclesToSeconds(platform, totalCycles),
  });
}

/**
 * Cycles of one decode step (one token) whose attention covers `context` positions (the cache
 * history plus the new token, so context >= 1), with the per-operator breakdown.
 */
export function analyticalDecodeCycles(model: Qwen3Config, platform: PlatformConfig, context: number): AnalyticalBreakdown {
  checkPositive('context', context);
  return pass(model, platform, 1, context);
}

/**
 * Cycles of the prefill of a `promptTokens`-token prompt (tables streamed once per
 * prefillChunkTokens chunk, every look-up and attention pair computed, one set of logits).
 */
export function analyticalPrefillCycles(model: Qwen3Config, platform: PlatformConfig, promptTokens: number): AnalyticalBreakdown {
  checkPositive('promptTokens', promptTokens);
  return pass(model, platform, promptTokens, promptTokens);
}

/** Note printed with every analytical LUT-LLM figure. */
export const ANALYTICAL_NOTE =
  'analytical per-operator model (max of HBM streams and look-up time per operator, operators in sequence): ' +
  'blind to FIFO stalls, contention and stage pipeline latencies, which the emulator measures';

/**
 * Request-level estimate of LUT-LLM from the analytical model: TTFT = prefill of the prompt; decode
 * step s at context promptTokens + s; energy at the platform's board power (an upper bound when it
 * is the board maximum, as for the V80 preset).
 */
export function analyticalLatency(
  model: Qwen3Config,
  platform: PlatformConfig,
  request: { readonly promptTokens: number; readonly outputTokens: number },
): LatencyEstimate {
  checkRequest(request.promptTokens, request.outputTokens);
  const ttftSeconds = analyticalPrefillCycles(model, platform, request.promptTokens).seconds;
  let decodeSecondsTotal = 0;
  for (let s = 1; s < request.outputTokens; s++) {
    decodeSecondsTotal += analyticalDecodeCycles(model, platform, request.promptTokens + s).seconds;
  }
  return latencyEstimate({
    system: `${platform.name} (LUT-LLM)`,
    method: 'analytical model',
    promptTokens: request.promptTokens,
    outputTokens: request.outputTokens,
    boardWatts: platform.boardPowerWatts,
    ttftSeconds,
    decodeSecondsTotal,
    notes: [
      `${platform.name}: ${ANALYTICAL_NOTE}; energy at ${platform.boardPowerWatts} W board power ` +
        '(the board maximum for the V80 preset: an upper bound on energy)',
    ],
  });
}
