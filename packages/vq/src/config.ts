import { VqInputError, assertInt } from './errors.js';

/** Distance used by the centroid search (activation encoding). */
export type DistanceMetric = 'chebyshev' | 'l2sq';

/**
 * Parameters of activation-weight co-quantization (DESIGN.md 1.1). Every field is a named
 * hardware/numerics parameter; the defaults in `DEFAULT_VQ_CONFIG` document their reasons.
 *
 * The weight grouping axis is the OUTPUT axis (M): for each position, output columns
 * [g*groupSize, (g+1)*groupSize) share one weight codebook, one 2D table per position and one
 * table scale/zero point (across all positions). This is the axis along which the LUT PSum
 * matcher's 512 output lanes run; it is the only grouping implemented.
 */
export interface VqConfig {
  /** Sub-vector length (elements per position); D must be divisible by v. */
  readonly v: 2 | 4;
  /** Activation codebook size c_a (centroids per position), 1..256. */
  readonly cA: number;
  /** Weight codebook size c_w (centroids per (position, group)), 1..256. */
  readonly cW: number;
  /** Output columns per weight group, G. */
  readonly groupSize: number;
  /** Bits per 2D table entry: 8 (INT8 tables) or 4 (INT4 tables). */
  readonly lutBits: 8 | 4;
  /** Distance of the activation centroid search. */
  readonly distance: DistanceMetric;
  /** Maximum Lloyd iterations per codebook (k-means stops earlier when assignments settle). */
  readonly kmeansIters: number;
  /** Base seed of every codebook's k-means++ initialisation (derived per codebook). */
  readonly seed: number;
}

/** Default sub-vector length: DESIGN.md 1.1, the paper's v = 2 (a position is 2 elements). */
export const DEFAULT_V = 2;
/** Default activation codebook size: DESIGN.md 1.1, c_a = 64 (6-bit activation indices; 64 dPEs = 4 chains of 16). */
export const DEFAULT_CA = 64;
/** Default weight codebook size: DESIGN.md 1.1, c_w = 16 (4-bit weight indices, a 16:1 mux per output lane). */
export const DEFAULT_CW = 16;
/** Default weight group size: DESIGN.md 1.1, G = 512 (one group per matcher pass of 512 output lanes). */
export const DEFAULT_GROUP_SIZE = 512;
/** Default table precision: DESIGN.md 1.1, INT8 asymmetric tables (INT4 is the paper's faster option). */
export const DEFAULT_LUT_BITS = 8;
/** Default centroid-search distance: DESIGN.md 1.1, Chebyshev (the reference BPCSU needs no multiplier). */
export const DEFAULT_DISTANCE: DistanceMetric = 'chebyshev';
/**
 * Default Lloyd iteration cap: 25. Offline calibration cost, not a hardware fact; on our
 * synthetic data the inertia changes by < 0.1 % after ~15-20 iterations, so 25 converges
 * without making calibration slow.
 */
export const DEFAULT_KMEANS_ITERS = 25;
/** Default base seed: 0x1a7 (any fixed value; results are reproducible for a given seed). */
export const DEFAULT_SEED = 0x1a7;
/** Largest codebook size: indices are stored in one byte (Uint8Array), so c <= 256. */
export const MAX_CODEBOOK_SIZE = 256;

/** The paper's configuration (DESIGN.md 1.1). */
export const DEFAULT_VQ_CONFIG: VqConfig = Object.freeze({
  v: DEFAULT_V,
  cA: DEFAULT_CA,
  cW: DEFAULT_CW,
  groupSize: DEFAULT_GROUP_SIZE,
  lutBits: DEFAULT_LUT_BITS,
  distance: DEFAULT_DISTANCE,
  kmeansIters: DEFAULT_KMEANS_ITERS,
  seed: DEFAULT_SEED,
});

/** Fills missing fields from `DEFAULT_VQ_CONFIG` and validates all fields; throws `VqInputError`. */
export function resolveVqConfig(partial: Partial<VqConfig> = {}): VqConfig {
  const known = new Set(Object.keys(DEFAULT_VQ_CONFIG));
  for (const key of Object.keys(partial)) {
    if (!known.has(key)) throw new VqInputError(`VqConfig: unknown field '${key}' (known: ${[...known].join(', ')})`);
  }
  const cfg: VqConfig = { ...DEFAULT_VQ_CONFIG, ...stripUndefined(partial) };
  if (cfg.v !== 2 && cfg.v !== 4) throw new VqInputError(`VqConfig.v must be 2 or 4, got ${String(cfg.v)}`);
  assertInt('VqConfig.cA (activation codebook size)', cfg.cA, 1, MAX_CODEBOOK_SIZE);
  assertInt('VqConfig.cW (weight codebook size)', cfg.cW, 1, MAX_CODEBOOK_SIZE);
  assertInt('VqConfig.groupSize', cfg.groupSize, 1);
  if (cfg.lutBits !== 8 && cfg.lutBits !== 4) throw new VqInputError(`VqConfig.lutBits must be 8 or 4, got ${String(cfg.lutBits)}`);
  if (cfg.distance !== 'chebyshev' && cfg.distance !== 'l2sq') {
    throw new VqInputError(`VqConfig.distance must be 'chebyshev' or 'l2sq', got ${String(cfg.distance)}`);
  }
  assertInt('VqConfig.kmeansIters', cfg.kmeansIters, 0, 1_000_000);
  assertInt('VqConfig.seed', cfg.seed, 0, 0xffffffff);
  return Object.freeze(cfg);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, val] of Object.entries(o)) if (val !== undefined) (out as Record<string, unknown>)[k] = val;
  return out;
}

/** Bits needed to store an index into a codebook of `c` entries: ceil(log2 c), at least 1. */
export function indexBitsFor(c: number): number {
  assertInt('codebook size', c, 1, MAX_CODEBOOK_SIZE);
  let bits = 1;
  while (1 << bits < c) bits++;
  return bits;
}
