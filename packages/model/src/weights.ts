import { kvWidth, qWidth, type Qwen3Config } from './config.js';

/**
 * The FP32 weights of one Qwen3 decoder layer. Matrices are row-major [out][in], as in PyTorch's
 * `nn.Linear.weight` and in the safetensors checkpoints.
 */
export interface Qwen3LayerWeights {
  /** [heads * headDim][hidden] */
  readonly qProj: Float32Array;
  /** [kvHeads * headDim][hidden] */
  readonly kProj: Float32Array;
  /** [kvHeads * headDim][hidden] */
  readonly vProj: Float32Array;
  /** [hidden][heads * headDim] */
  readonly oProj: Float32Array;
  /** [intermediate][hidden] */
  readonly gateProj: Float32Array;
  /** [intermediate][hidden] */
  readonly upProj: Float32Array;
  /** [hidden][intermediate] */
  readonly downProj: Float32Array;
  /** RMSNorm weight before attention, [hidden] (`input_layernorm`). */
  readonly inputNorm: Float32Array;
  /** RMSNorm weight before the MLP, [hidden] (`post_attention_layernorm`). */
  readonly postAttnNorm: Float32Array;
  /** Per-head RMSNorm weight on queries, [headDim] (`self_attn.q_norm`). */
  readonly qNorm: Float32Array;
  /** Per-head RMSNorm weight on keys, [headDim] (`self_attn.k_norm`). */
  readonly kNorm: Float32Array;
}

/** The weights outside the decoder layers. */
export interface Qwen3GlobalWeights {
  /** [vocab][hidden] (`model.embed_tokens.weight`). */
  readonly embedTokens: Float32Array;
  /** [hidden] (`model.norm.weight`). */
  readonly finalNorm: Float32Array;
  /** [vocab][hidden]; the same array as `embedTokens` when the config ties embeddings. */
  readonly lmHead: Float32Array;
}

/** Where a model's weights come from (synthetic generator, safetensors checkpoint, ...). */
export interface Qwen3WeightSource {
  readonly config: Qwen3Config;
  /**
   * Identifies the weights for on-disk caches (quantized models): equal ids must mean equal
   * weights. Optional; a cache needs it (or an explicit id).
   */
  readonly sourceId?: string;
  /** Weights of decoder layer `index` (0-based); may be produced on demand. */
  layer(index: number): Qwen3LayerWeights;
  /** Embedding, final norm and LM head. */
  globals(): Qwen3GlobalWeights;
}

export type Qwen3LayerTensorName = keyof Qwen3LayerWeights;

/** The names of a layer's tensors, in a fixed order (used for seeding and for iteration). */
export const QWEN3_LAYER_TENSORS: readonly Qwen3LayerTensorName[] = [
  'qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj', 'inputNorm', 'postAttnNorm', 'qNorm', 'kNorm',
];

/** Expected shape of every tensor of a layer ([out, in] for matrices, [n] for norm weights). */
export function layerTensorShapes(cfg: Qwen3Config): Readonly<Record<Qwen3LayerTensorName, readonly number[]>> {
  const q = qWidth(cfg);
  const kv = kvWidth(cfg);
  return {
    qProj: [q, cfg.hidden],
    kProj: [kv, cfg.hidden],
    vProj: [kv, cfg.hidden],
    oProj: [cfg.hidden, q],
    gateProj: [cfg.intermediate, cfg.hidden],
    upProj: [cfg.intermediate, cfg.hidden],
    downProj: [cfg.hidden, cfg.intermediate],
    inputNorm: [cfg.hidden],
    postAttnNorm: [cfg.hidden],
    qNorm: [cfg.headDim],
    kNorm: [cfg.headDim],
  };
}

/** Throws if a layer index is not an integer in [0, cfg.layers). */
export function checkLayerIndex(cfg: Qwen3Config, layer: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= cfg.layers) {
    throw new RangeError(`${cfg.name}: layer index ${layer} is out of range [0, ${cfg.layers})`);
  }
}

/** Throws (naming the tensor) if any array of `w` has the wrong length for `cfg`. */
export function checkLayerWeights(cfg: Qwen3Config, w: Qwen3LayerWeights, layer: number): void {
  const shapes = layerTensorShapes(cfg);
  for (const name of QWEN3_LAYER_TENSORS) {
    const arr = w[name];
    const expected = shapes[name].reduce((a, b) => a * b, 1);
    if (!(arr instanceof Float32Array)) throw new TypeError(`${cfg.name} layer ${layer}: ${name} must be a Float32Array`);
    if (arr.length !== expected) {
      throw new RangeError(`${cfg.name} layer ${layer}: ${name} has ${arr.length} values, expected ${expected} (shape [${shapes[name].join(', ')}])`);
    }
  }
}

/** Throws (naming the tensor) if any global array has the wrong length for `cfg`. */
export function checkGlobalWeights(cfg: Qwen3Config, g: Qwen3GlobalWeights): void {
  const table = cfg.vocab * cfg.hidden;
  const check = (name: string, arr: Float32Array, expected: number): void => {
    if (!(arr instanceof Float32Array)) throw new TypeError(`${cfg.name}: ${name} must be a Float32Array`);
    if (arr.length !== expected) throw new RangeError(`${cfg.name}: ${name} has ${arr.length} values, expected ${expected}`);
  };
  check('embedTokens', g.embedTokens, table);
  check('finalNorm', g.finalNorm, cfg.hidden);
  check('lmHead', g.lmHead, table);
}
