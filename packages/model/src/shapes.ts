import { kvWidth, qWidth, validateQwen3Config, type Qwen3Config } from './config.js';

/**
 * The linear operations of Qwen3 as LUT-LLM executes them: the decoder layer's four rounds of
 * LUTLinear (QKV fused, O, gate+up fused, down), then the LM head once per token.
 */
export type LinearName = 'qkv' | 'o' | 'gate_up' | 'down' | 'lm_head';

/** One linear operation y = W x with W of shape [outFeatures][inFeatures]. */
export interface LinearShape {
  readonly name: LinearName;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** How many times the op occurs in the model: `layers` for per-layer ops, 1 for the LM head. */
  readonly instances: number;
  /** Weights of one instance, `inFeatures * outFeatures`. */
  readonly weightCount: number;
}

/** The order in which a decoder layer runs its linear operations. */
export const LAYER_LINEAR_NAMES: readonly Exclude<LinearName, 'lm_head'>[] = ['qkv', 'o', 'gate_up', 'down'];

function shape(name: LinearName, inFeatures: number, outFeatures: number, instances: number): LinearShape {
  return Object.freeze({ name, inFeatures, outFeatures, instances, weightCount: inFeatures * outFeatures });
}

/**
 * The linear ops in execution order: qkv (hidden -> (heads + 2 kvHeads) headDim, rows q then k then v),
 * o (heads headDim -> hidden), gate_up (hidden -> 2 intermediate, rows gate then up),
 * down (intermediate -> hidden) — each once per layer — then lm_head (hidden -> vocab) once.
 */
export function linearShapes(cfg: Qwen3Config): readonly LinearShape[] {
  validateQwen3Config(cfg);
  const L = cfg.layers;
  return Object.freeze([
    shape('qkv', cfg.hidden, qWidth(cfg) + 2 * kvWidth(cfg), L),
    shape('o', qWidth(cfg), cfg.hidden, L),
    shape('gate_up', cfg.hidden, 2 * cfg.intermediate, L),
    shape('down', cfg.intermediate, cfg.hidden, L),
    shape('lm_head', cfg.hidden, cfg.vocab, 1),
  ]);
}

/** Parameter counts of a Qwen3 model (numbers of weights, not bytes). */
export interface Qwen3ParameterCounts {
  /** Embedding matrix, vocab x hidden. */
  readonly embedding: number;
  /** q, k, v, o projections of one layer. */
  readonly attentionPerLayer: number;
  /** gate, up, down projections of one layer. */
  readonly mlpPerLayer: number;
  /** input_layernorm + post_attention_layernorm (hidden each) + q_norm + k_norm (headDim each). */
  readonly normsPerLayer: number;
  /** Everything in one decoder layer. */
  readonly perLayer: number;
  /** All decoder layers. */
  readonly layers: number;
  /** Final RMSNorm (hidden). */
  readonly finalNorm: number;
  /** Separate LM head (vocab x hidden), 0 when tied to the embedding. */
  readonly lmHead: number;
  /** Unique parameters (a tied LM head is counted once, as the embedding). */
  readonly total: number;
  /** total minus the embedding and a separate LM head (the "non-embedding" count model cards quote). */
  readonly nonEmbedding: number;
  /** Weights of the linear layers the accelerator turns into look-ups, per token: the four per-layer
   * projections of all layers plus the LM head (counted even when tied, since it runs). */
  readonly linearPerToken: number;
}

/** Counts the parameters of a config (exact integers). */
export function parameterCounts(cfg: Qwen3Config): Qwen3ParameterCounts {
  validateQwen3Config(cfg);
  const q = qWidth(cfg);
  const kv = kvWidth(cfg);
  const embedding = cfg.vocab * cfg.hidden;
  const attentionPerLayer = cfg.hidden * q + 2 * cfg.hidden * kv + q * cfg.hidden;
  const mlpPerLayer = 3 * cfg.hidden * cfg.intermediate;
  const normsPerLayer = 2 * cfg.hidden + 2 * cfg.headDim;
  const perLayer = attentionPerLayer + mlpPerLayer + normsPerLayer;
  const layers = perLayer * cfg.layers;
  const finalNorm = cfg.hidden;
  const lmHead = cfg.tiedEmbeddings ? 0 : cfg.vocab * cfg.hidden;
  const total = embedding + layers + finalNorm + lmHead;
  const linearPerToken = linearShapes(cfg).reduce((s, l) => s + l.weightCount * l.instances, 0);
  return Object.freeze({
    embedding, attentionPerLayer, mlpPerLayer, normsPerLayer, perLayer, layers, finalNorm, lmHead, total,
    nonEmbedding: total - embedding - lmHead, linearPerToken,
  });
}

/**
 * Bytes to store all unique parameters at `bytesPerParam` (2 for BF16/FP16, 4 for FP32).
 * Exact while below 2^53.
 */
export function weightBytes(cfg: Qwen3Config, bytesPerParam: number): number {
  if (!(bytesPerParam > 0) || !Number.isFinite(bytesPerParam)) {
    throw new RangeError(`weightBytes: bytesPerParam must be a finite number > 0, got ${bytesPerParam}`);
  }
  return parameterCounts(cfg).total * bytesPerParam;
}
