/**
 * Qwen3 model configurations as plain data.
 *
 * Field names follow the emulator's conventions; the Hugging Face `config.json` key each one
 * comes from is given in its doc comment (see {@link qwen3ConfigFromHf}).
 *
 * Qwen3 does NOT tie the attention width to the hidden size: the query projection is
 * `heads * headDim` wide and may differ from `hidden` (Qwen3-0.6B: hidden 1024, 16 x 128 = 2048;
 * Qwen3-4B: hidden 2560, 32 x 128 = 4096). Nothing here assumes `heads * headDim === hidden`.
 */
export interface Qwen3Config {
  /** Human-readable name, used in error messages (e.g. "Qwen3-1.7B"). */
  readonly name: string;
  /** Residual-stream width (`hidden_size`). */
  readonly hidden: number;
  /** SwiGLU MLP width (`intermediate_size`). */
  readonly intermediate: number;
  /** Number of decoder layers (`num_hidden_layers`). */
  readonly layers: number;
  /** Number of query heads (`num_attention_heads`). */
  readonly heads: number;
  /** Number of key/value heads, grouped-query attention (`num_key_value_heads`). */
  readonly kvHeads: number;
  /** Width of one attention head (`head_dim`); must be even for RoPE's rotate-half pairs. */
  readonly headDim: number;
  /** Vocabulary size (`vocab_size`): rows of the embedding and of the LM head. */
  readonly vocab: number;
  /** RoPE base (`rope_theta`): inv_freq[i] = ropeTheta^(-2i/headDim). */
  readonly ropeTheta: number;
  /** Epsilon added to the mean square in every RMSNorm (`rms_norm_eps`). */
  readonly rmsNormEps: number;
  /** True when the LM head reuses the embedding matrix (`tie_word_embeddings`). */
  readonly tiedEmbeddings: boolean;
  /** Longest sequence (prompt + generated tokens) the model supports (`max_position_embeddings`). */
  readonly maxPositionEmbeddings: number;
}

/** Names of the preset configurations in {@link QWEN3_CONFIGS}. */
export type Qwen3ModelName = 'Qwen3-0.6B' | 'Qwen3-1.7B' | 'Qwen3-4B' | 'Qwen3-8B' | 'Qwen3-32B';

/** Values shared by every Qwen3 dense model of the April 2025 release (their config.json files). */
const QWEN3_COMMON = {
  vocab: 151_936,
  headDim: 128,
  kvHeads: 8,
  ropeTheta: 1_000_000,
  rmsNormEps: 1e-6,
  maxPositionEmbeddings: 40_960,
} as const;

/**
 * The dense Qwen3 models, with the values of their Hugging Face `config.json` (Qwen/Qwen3-*,
 * release of April 2025; the later "-2507" variants of 4B changed rope_theta and context length
 * and are not these presets).
 */
export const QWEN3_CONFIGS: Readonly<Record<Qwen3ModelName, Qwen3Config>> = Object.freeze({
  'Qwen3-0.6B': Object.freeze({
    name: 'Qwen3-0.6B', ...QWEN3_COMMON, hidden: 1024, intermediate: 3072, layers: 28, heads: 16, tiedEmbeddings: true,
  }),
  'Qwen3-1.7B': Object.freeze({
    name: 'Qwen3-1.7B', ...QWEN3_COMMON, hidden: 2048, intermediate: 6144, layers: 28, heads: 16, tiedEmbeddings: true,
  }),
  'Qwen3-4B': Object.freeze({
    name: 'Qwen3-4B', ...QWEN3_COMMON, hidden: 2560, intermediate: 9728, layers: 36, heads: 32, tiedEmbeddings: true,
  }),
  'Qwen3-8B': Object.freeze({
    name: 'Qwen3-8B', ...QWEN3_COMMON, hidden: 4096, intermediate: 12_288, layers: 36, heads: 32, tiedEmbeddings: false,
  }),
  'Qwen3-32B': Object.freeze({
    name: 'Qwen3-32B', ...QWEN3_COMMON, hidden: 5120, intermediate: 25_600, layers: 64, heads: 64, tiedEmbeddings: false,
  }),
});

/** The model LUT-LLM runs (DESIGN.md section 4). */
export const DEFAULT_QWEN3_MODEL: Qwen3ModelName = 'Qwen3-1.7B';

/** Looks a preset up by name; the error lists the valid names. */
export function qwen3Config(name: string = DEFAULT_QWEN3_MODEL): Qwen3Config {
  const cfg = (QWEN3_CONFIGS as Record<string, Qwen3Config | undefined>)[name];
  if (cfg === undefined) {
    throw new RangeError(`unknown Qwen3 model "${name}"; known models: ${Object.keys(QWEN3_CONFIGS).join(', ')}`);
  }
  return cfg;
}

/**
 * A small Qwen3-shaped config for tests and functional runs: hidden 256, intermediate 512,
 * 2 layers, 4 query heads, 2 KV heads (2 query heads per KV head), head dim 64, vocabulary 512.
 * Overrides are applied on top and the result is validated.
 */
export function tinyQwen3Config(overrides: Partial<Qwen3Config> = {}): Qwen3Config {
  return validateQwen3Config({
    name: 'Qwen3-tiny',
    hidden: 256,
    intermediate: 512,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 64,
    vocab: 512,
    ropeTheta: 1_000_000,
    rmsNormEps: 1e-6,
    tiedEmbeddings: true,
    maxPositionEmbeddings: 2048,
    ...overrides,
  });
}

const POSITIVE_INTEGER_FIELDS = [
  'hidden', 'intermediate', 'layers', 'heads', 'kvHeads', 'headDim', 'vocab', 'maxPositionEmbeddings',
] as const;

/**
 * Checks a config and returns it (frozen copy). Throws a RangeError/TypeError that names the
 * config and the offending field. Rules: the size fields are positive integers; `heads` is a
 * multiple of `kvHeads` (grouped-query attention); `headDim` is even (RoPE rotates pairs
 * (i, i + headDim/2)); `ropeTheta` > 1 and `rmsNormEps` > 0 are finite numbers.
 * `heads * headDim` may differ from `hidden` (that is legal in Qwen3).
 */
export function validateQwen3Config(cfg: Qwen3Config): Qwen3Config {
  if (cfg === null || typeof cfg !== 'object') throw new TypeError(`Qwen3 config must be an object, got ${String(cfg)}`);
  const label = typeof cfg.name === 'string' && cfg.name.length > 0 ? `Qwen3 config "${cfg.name}"` : 'Qwen3 config (unnamed)';
  if (typeof cfg.name !== 'string' || cfg.name.length === 0) throw new TypeError(`${label}: name must be a non-empty string`);
  for (const field of POSITIVE_INTEGER_FIELDS) {
    const v = cfg[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`${label}: ${field} must be a positive integer, got ${String(v)}`);
    }
  }
  if (cfg.heads % cfg.kvHeads !== 0) {
    throw new RangeError(`${label}: heads (${cfg.heads}) must be a multiple of kvHeads (${cfg.kvHeads}) for grouped-query attention`);
  }
  if (cfg.headDim % 2 !== 0) {
    throw new RangeError(`${label}: headDim (${cfg.headDim}) must be even (RoPE rotates pairs (i, i + headDim/2))`);
  }
  if (typeof cfg.ropeTheta !== 'number' || !Number.isFinite(cfg.ropeTheta) || cfg.ropeTheta <= 1) {
    throw new RangeError(`${label}: ropeTheta must be a finite number > 1, got ${String(cfg.ropeTheta)}`);
  }
  if (typeof cfg.rmsNormEps !== 'number' || !Number.isFinite(cfg.rmsNormEps) || cfg.rmsNormEps <= 0) {
    throw new RangeError(`${label}: rmsNormEps must be a finite number > 0, got ${String(cfg.rmsNormEps)}`);
  }
  if (typeof cfg.tiedEmbeddings !== 'boolean') {
    throw new TypeError(`${label}: tiedEmbeddings must be a boolean, got ${String(cfg.tiedEmbeddings)}`);
  }
  return Object.freeze({ ...cfg });
}

/** Width of the query projection output, `heads * headDim` (not necessarily `hidden`). */
export function qWidth(cfg: Qwen3Config): number {
  return cfg.heads * cfg.headDim;
}

/** Width of the key (and of the value) projection output, `kvHeads * headDim`. */
export function kvWidth(cfg: Qwen3Config): number {
  return cfg.kvHeads * cfg.headDim;
}

/** The subset of a Hugging Face Qwen3 `config.json` this package reads. */
export interface HfQwen3ConfigJson {
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly head_dim?: number;
  readonly vocab_size: number;
  readonly rope_theta?: number;
  readonly rms_norm_eps?: number;
  readonly tie_word_embeddings?: boolean;
  readonly max_position_embeddings?: number;
  readonly model_type?: string;
}

/**
 * Builds a config from a parsed Hugging Face `config.json`. Missing optional keys take the
 * Transformers `Qwen3Config` defaults (head_dim 128, rope_theta 10000, eps 1e-6, tied false,
 * max positions 32768). Rejects `rope_scaling` (not modelled) and non-qwen3 `model_type`.
 */
export function qwen3ConfigFromHf(json: unknown, name = 'Qwen3 (config.json)'): Qwen3Config {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError(`${name}: config.json must be a JSON object`);
  }
  const j = json as Record<string, unknown>;
  if (j['model_type'] !== undefined && j['model_type'] !== 'qwen3') {
    throw new RangeError(`${name}: model_type is "${String(j['model_type'])}", expected "qwen3"`);
  }
  if (j['rope_scaling'] !== undefined && j['rope_scaling'] !== null) {
    throw new RangeError(`${name}: rope_scaling ${JSON.stringify(j['rope_scaling'])} is not supported (plain RoPE only)`);
  }
  const num = (key: string, fallback?: number): number => {
    const v = j[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number') throw new TypeError(`${name}: "${key}" must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const hidden = num('hidden_size');
  const heads = num('num_attention_heads');
  const tied = j['tie_word_embeddings'];
  if (tied !== undefined && typeof tied !== 'boolean') {
    throw new TypeError(`${name}: "tie_word_embeddings" must be a boolean, got ${JSON.stringify(tied)}`);
  }
  return validateQwen3Config({
    name,
    hidden,
    intermediate: num('intermediate_size'),
    layers: num('num_hidden_layers'),
    heads,
    kvHeads: num('num_key_value_heads'),
    headDim: num('head_dim', 128),
    vocab: num('vocab_size'),
    ropeTheta: num('rope_theta', 10_000),
    rmsNormEps: num('rms_norm_eps', 1e-6),
    tiedEmbeddings: tied ?? false,
    maxPositionEmbeddings: num('max_position_embeddings', 32_768),
  });
}
