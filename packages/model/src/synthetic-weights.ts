import { validateQwen3Config, type Qwen3Config } from './config.js';
import { seededRandom } from './random.js';
import {
  checkLayerIndex,
  layerTensorShapes,
  QWEN3_LAYER_TENSORS,
  type Qwen3GlobalWeights,
  type Qwen3LayerWeights,
  type Qwen3WeightSource,
} from './weights.js';

/**
 * Statistics of the synthetic weights. They are not trained weights (the logits mean nothing as
 * language), but they have the features that matter to quantization error and to numerical
 * behaviour of the forward pass:
 * - linear weights are zero-mean Gaussian with standard deviation `linearGain / sqrt(inFeatures)`,
 *   which keeps activations at a stable scale through the layers (trained Qwen3 projections have
 *   element standard deviations of the same order: ~0.02-0.05 for 2048-wide inputs);
 * - per-output-row and per-input-column scales are log-normal (`rowScaleSigma`, `colScaleSigma`),
 *   because trained weights have channels of very different magnitudes (the reason per-channel
 *   and group-wise quantizers exist), and a fraction `outlierColumnFraction` of input columns is
 *   multiplied by `outlierColumnGain` (the salient channels that make LLM quantization hard);
 * - RMSNorm weights are log-normal around 1 (`normSigma`): positive, with channel spread;
 * - embedding entries are Gaussian with `embeddingStd` (the Qwen3 initializer range, 0.02).
 */
export interface SyntheticWeightStats {
  readonly linearGain: number;
  readonly rowScaleSigma: number;
  readonly colScaleSigma: number;
  readonly outlierColumnFraction: number;
  readonly outlierColumnGain: number;
  readonly normSigma: number;
  readonly embeddingStd: number;
}

/** Defaults for {@link SyntheticWeightStats} (reasons in its doc comment). */
export const DEFAULT_SYNTHETIC_WEIGHT_STATS: SyntheticWeightStats = Object.freeze({
  linearGain: 1,
  rowScaleSigma: 0.2,
  colScaleSigma: 0.2,
  outlierColumnFraction: 1 / 256,
  outlierColumnGain: 4,
  normSigma: 0.2,
  embeddingStd: 0.02,
});

/**
 * Version of the synthetic generator: bump it whenever the same (config, seed, stats) would give
 * different weights (it is part of SyntheticQwen3Weights.sourceId, so caches are invalidated).
 */
export const SYNTHETIC_WEIGHTS_VERSION = 1;

/** Stream ids: layer tensors use [layer, tensorIndex, part]; globals use [GLOBAL_STREAM, tag, ...]. */
const GLOBAL_STREAM = 0xffff_ffff;
const TAG_EMBED = 1;
const TAG_FINAL_NORM = 2;
const TAG_LM_HEAD = 3;
const PART_SCALES = 0;
const PART_VALUES = 1;

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 0x1_0000_0000) throw new RangeError(`synthetic weights: seed must be an integer in [0, 2^32), got ${seed}`);
}

function syntheticMatrix(outF: number, inF: number, stats: SyntheticWeightStats, seed: number, stream: readonly number[]): Float32Array {
  const scalesRng = seededRandom(seed, ...stream, PART_SCALES);
  const rowScale = new Float64Array(outF);
  for (let o = 0; o < outF; o++) rowScale[o] = Math.exp(stats.rowScaleSigma * scalesRng.normal());
  const colScale = new Float64Array(inF);
  const base = stats.linearGain / Math.sqrt(inF);
  for (let i = 0; i < inF; i++) {
    const outlier = scalesRng.nextFloat() < stats.outlierColumnFraction;
    colScale[i] = base * Math.exp(stats.colScaleSigma * scalesRng.normal()) * (outlier ? stats.outlierColumnGain : 1);
  }
  const valuesRng = seededRandom(seed, ...stream, PART_VALUES);
  const w = new Float32Array(outF * inF);
  for (let o = 0; o < outF; o++) {
    const rs = rowScale[o]!;
    const row = o * inF;
    for (let i = 0; i < inF; i++) w[row + i] = valuesRng.normal() * rs * colScale[i]!;
  }
  return w;
}

function syntheticNorm(n: number, stats: SyntheticWeightStats, seed: number, stream: readonly number[]): Float32Array {
  const rng = seededRandom(seed, ...stream);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = Math.exp(stats.normSigma * rng.normal());
  return w;
}

/**
 * The weights of decoder layer `layer` for `seed`: the same (cfg, layer, seed, stats) always give
 * bit-identical arrays, and each layer is generated independently of the others (so a caller can
 * generate, quantize and drop one layer at a time).
 */
export function syntheticLayerWeights(
  cfg: Qwen3Config,
  layer: number,
  seed: number,
  stats: SyntheticWeightStats = DEFAULT_SYNTHETIC_WEIGHT_STATS,
): Qwen3LayerWeights {
  validateQwen3Config(cfg);
  checkLayerIndex(cfg, layer);
  checkSeed(seed);
  const shapes = layerTensorShapes(cfg);
  const out: Partial<Record<keyof Qwen3LayerWeights, Float32Array>> = {};
  QWEN3_LAYER_TENSORS.forEach((name, t) => {
    const s = shapes[name];
    out[name] = s.length === 2 ? syntheticMatrix(s[0]!, s[1]!, stats, seed, [layer, t]) : syntheticNorm(s[0]!, stats, seed, [layer, t]);
  });
  return out as Qwen3LayerWeights;
}

/** One row of the synthetic embedding (equal to row `token` of {@link syntheticEmbeddings}), without building the table. */
export function syntheticEmbeddingRow(
  cfg: Qwen3Config,
  token: number,
  seed: number,
  stats: SyntheticWeightStats = DEFAULT_SYNTHETIC_WEIGHT_STATS,
): Float32Array {
  if (!Number.isInteger(token) || token < 0 || token >= cfg.vocab) {
    throw new RangeError(`${cfg.name}: token id ${token} is out of range [0, ${cfg.vocab})`);
  }
  checkSeed(seed);
  const row = new Float32Array(cfg.hidden);
  fillEmbeddingRow(row, token, seed, stats, TAG_EMBED);
  return row;
}

function fillEmbeddingRow(row: Float32Array, token: number, seed: number, stats: SyntheticWeightStats, tag: number): void {
  const rng = seededRandom(seed, GLOBAL_STREAM, tag, token);
  for (let i = 0; i < row.length; i++) row[i] = stats.embeddingStd * rng.normal();
}

function syntheticTable(cfg: Qwen3Config, seed: number, stats: SyntheticWeightStats, tag: number): Float32Array {
  const table = new Float32Array(cfg.vocab * cfg.hidden);
  for (let v = 0; v < cfg.vocab; v++) fillEmbeddingRow(table.subarray(v * cfg.hidden, (v + 1) * cfg.hidden), v, seed, stats, tag);
  return table;
}

/** The whole embedding table [vocab][hidden] (1.2 GB in FP32 for Qwen3-1.7B: prefer rows for big configs). */
export function syntheticEmbeddings(
  cfg: Qwen3Config,
  seed: number,
  stats: SyntheticWeightStats = DEFAULT_SYNTHETIC_WEIGHT_STATS,
): Float32Array {
  validateQwen3Config(cfg);
  checkSeed(seed);
  return syntheticTable(cfg, seed, stats, TAG_EMBED);
}

/** Final RMSNorm weight [hidden]. */
export function syntheticFinalNorm(
  cfg: Qwen3Config,
  seed: number,
  stats: SyntheticWeightStats = DEFAULT_SYNTHETIC_WEIGHT_STATS,
): Float32Array {
  validateQwen3Config(cfg);
  checkSeed(seed);
  return syntheticNorm(cfg.hidden, stats, seed, [GLOBAL_STREAM, TAG_FINAL_NORM]);
}

/** Embedding, final norm and LM head (the embedding itself when the config ties them). */
export function syntheticGlobalWeights(
  cfg: Qwen3Config,
  seed: number,
  stats: SyntheticWeightStats = DEFAULT_SYNTHETIC_WEIGHT_STATS,
): Qwen3GlobalWeights {
  const embedTokens = syntheticEmbeddings(cfg, seed, stats);
  const lmHead = cfg.tiedEmbeddings ? embedTokens : syntheticTable(cfg, seed, stats, TAG_LM_HEAD);
  return { embedTokens, finalNorm: syntheticFinalNorm(cfg, seed, stats), lmHead };
}

/**
 * A {@link Qwen3WeightSource} that generates weights on demand. Layers are not cached (each call
 * regenerates, deterministically); the globals are generated once, on first use.
 */
export class SyntheticQwen3Weights implements Qwen3WeightSource {
  readonly config: Qwen3Config;
  readonly sourceId: string;
  private cachedGlobals: Qwen3GlobalWeights | undefined;

  constructor(
    config: Qwen3Config,
    readonly seed: number,
    readonly stats: SyntheticWeightStats = DEFAULT_SYNTHETIC_WEIGHT_STATS,
  ) {
    this.config = validateQwen3Config(config);
    checkSeed(seed);
    this.sourceId = `synthetic:v${SYNTHETIC_WEIGHTS_VERSION}:seed=${seed}:stats=${JSON.stringify(stats)}`;
  }

  layer(index: number): Qwen3LayerWeights {
    return syntheticLayerWeights(this.config, index, this.seed, this.stats);
  }

  globals(): Qwen3GlobalWeights {
    this.cachedGlobals ??= syntheticGlobalWeights(this.config, this.seed, this.stats);
    return this.cachedGlobals;
  }
}
