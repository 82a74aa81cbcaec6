import { VqInputError, assertInt } from './errors.js';
import { Rng } from './rng.js';

/** Options of `syntheticWeights`. */
export interface SyntheticWeightOptions {
  /** Element std. Default 1/sqrt(D): typical of LLM projections (output variance ~ input variance). */
  readonly std?: number;
}

/** Gaussian weights W [M][D] row-major, N(0, std^2). */
export function syntheticWeights(M: number, D: number, rng: Rng, opts: SyntheticWeightOptions = {}): Float32Array {
  assertInt('out-features M', M, 1);
  assertInt('in-features D', D, 1);
  const std = opts.std ?? 1 / Math.sqrt(D);
  if (!(std > 0 && Number.isFinite(std))) throw new VqInputError(`weight std must be a positive finite number, got ${std}`);
  const w = new Float32Array(M * D);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
  return w;
}

/** Options of `syntheticActivations`. */
export interface SyntheticActivationOptions {
  /** Std of ordinary channels. Default 1 (activations after RMSNorm are roughly unit scale). */
  readonly std?: number;
  /**
   * Number of outlier channels. Default max(1, round(D / 512)): a handful per layer, as measured
   * in real LLMs (LLM.int8(): a few systematic outlier dimensions per hidden state); 0 disables.
   */
  readonly outlierChannels?: number;
  /** Smallest outlier magnitude multiplier. Default 20 (issue 3: outliers 20-100x larger). */
  readonly outlierScaleMin?: number;
  /** Largest outlier magnitude multiplier. Default 100. */
  readonly outlierScaleMax?: number;
  /**
   * Seed that picks the outlier channels, their multipliers and signs. Default
   * `DEFAULT_OUTLIER_SEED`: a model's outlier channels are a property of the model, not of the
   * tokens, so calibration and evaluation batches drawn with different `rng`s (same D and options)
   * share the same outlier channels.
   */
  readonly outlierSeed?: number;
}

/** Default `outlierSeed` (any fixed value). */
export const DEFAULT_OUTLIER_SEED = 0x0d7;

/** Result of `syntheticActivationsWithInfo`. */
export interface SyntheticActivations {
  /** x [T][D] row-major. */
  readonly x: Float32Array;
  /** Outlier channel indices, ascending. */
  readonly outlierChannels: Int32Array;
  /** Magnitude multiplier of each outlier channel (same order). */
  readonly outlierScales: Float32Array;
}

/**
 * Activations x [T][D] with heavy-tailed outlier channels: ordinary channels are N(0, std^2);
 * each outlier channel c (distinct, chosen by `outlierSeed`, NOT by `rng`) has a multiplier s_c ~ U[min, max] and a
 * sign sigma_c = +-1, and x[t][c] = s_c * std * (sigma_c + N(0, 1)): systematically large with a
 * consistent sign across tokens, as real LLM outlier features are.
 */
export function syntheticActivationsWithInfo(T: number, D: number, rng: Rng, opts: SyntheticActivationOptions = {}): SyntheticActivations {
  assertInt('tokens T', T, 1);
  assertInt('in-features D', D, 1);
  const std = opts.std ?? 1;
  const count = opts.outlierChannels ?? Math.max(1, Math.round(D / 512));
  const lo = opts.outlierScaleMin ?? 20;
  const hi = opts.outlierScaleMax ?? 100;
  assertInt('outlierChannels', count, 0, D);
  if (!(std > 0 && Number.isFinite(std))) throw new VqInputError(`activation std must be a positive finite number, got ${std}`);
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) {
    throw new VqInputError(`outlier scales must satisfy 0 < outlierScaleMin <= outlierScaleMax, got [${lo}, ${hi}]`);
  }
  const chanRng = new Rng(opts.outlierSeed ?? DEFAULT_OUTLIER_SEED);
  // Partial Fisher-Yates: the first `count` entries of a random permutation.
  const perm = new Int32Array(D);
  for (let i = 0; i < D; i++) perm[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + chanRng.int(D - i);
    const tmp = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = tmp;
  }
  const channels = perm.slice(0, count).sort();
  const scales = new Float32Array(count);
  const signs = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    scales[i] = lo + (hi - lo) * chanRng.nextFloat();
    signs[i] = chanRng.nextU32() & 1 ? 1 : -1;
  }
  const x = new Float32Array(T * D);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal() * std;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < count; i++) {
      const k = t * D + channels[i]!;
      x[k] = scales[i]! * (signs[i]! * std + x[k]!);
    }
  }
  return { x, outlierChannels: channels, outlierScales: scales };
}

/** `syntheticActivationsWithInfo(...).x`. */
export function syntheticActivations(T: number, D: number, rng: Rng, opts: SyntheticActivationOptions = {}): Float32Array {
  return syntheticActivationsWithInfo(T, D, rng, opts).x;
}
