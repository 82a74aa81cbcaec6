import type { DistanceMetric } from '@lut-llm/vq';
import { FP32_ADD_LATENCY_CYCLES, FP32_MUL_LATENCY_CYCLES } from '@lut-llm/contracts';

/**
 * Hardware parameters of the centroid-search stage (DESIGN.md 1.2, stage 1). Every field has a
 * default in `DEFAULT_BPCSU_PARAMS` whose reason is given there.
 *
 * Topology: each BPCSU (one per position lane) holds `centroids` dPEs arranged as
 * `ceil(centroids / chainLength)` chains of `chainLength` dPEs; the chains' results meet in an
 * argmin tree of `chains - 1` comparators and depth `ceil(log2(chains))`. `chainLength =
 * centroids` is one long chain (no tree); `chainLength = 1` is a full reduction tree.
 */
export interface BpcsuParams {
  /** BPCSUs = position lanes: positions searched in parallel, one per LUT-PSum matcher. */
  readonly lanes: number;
  /** c_a: centroids (dPEs) per BPCSU. */
  readonly centroids: number;
  /** v: elements per sub-vector. */
  readonly subvectorLength: number;
  /** l: dPEs per chain. */
  readonly chainLength: number;
  /** Distance a dPE computes. */
  readonly distance: DistanceMetric;
  /** Latency of one dPE (distance + compare-select with the carried best), in cycles. */
  readonly dpeLatencyCycles: number;
  /** Latency of one argmin-tree comparator (compare two (distance, index) pairs, select), in cycles. */
  readonly comparatorLatencyCycles: number;
  /** Loads one register may drive within a cycle; a wider broadcast adds a replication stage per factor. */
  readonly maxFanoutPerStage: number;
  /**
   * Centroid registers are double-buffered (a shadow register per dPE): the next block's centroids
   * shift in while the current block is searched, so the reload costs max(T, l) instead of T + l.
   */
  readonly centroidDoubleBuffer: boolean;
}

/** FP32 subtract on a DSPFP32: an add with the operand negated (contracts' dsp.ts). */
export const FP32_SUB_LATENCY_CYCLES = FP32_ADD_LATENCY_CYCLES;
/** FP32 multiply (or fused multiply-add) on a DSPFP32 (contracts' dsp.ts). */
export { FP32_MUL_LATENCY_CYCLES };
/**
 * Compare two FP32 magnitudes and select (distance, index): a 32-bit fabric comparator and a mux,
 * which close in one cycle at 227 MHz.
 */
export const COMPARE_SELECT_LATENCY_CYCLES = 1;

/**
 * dPE latency for a metric (v = 2):
 * - chebyshev: |x_e - c_e| for both elements in parallel (one FP32 subtract, the absolute value is
 *   a sign-bit clear), then max of the two and compare-select with the carried best:
 *   3 + 1 = 4 cycles.
 * - l2sq: subtract (3), square one difference (3), fused multiply-add of the other (3), then
 *   compare-select (1): 10 cycles.
 */
export function defaultDpeLatencyCycles(distance: DistanceMetric): number {
  return distance === 'chebyshev'
    ? FP32_SUB_LATENCY_CYCLES + COMPARE_SELECT_LATENCY_CYCLES
    : FP32_SUB_LATENCY_CYCLES + 2 * FP32_MUL_LATENCY_CYCLES + COMPARE_SELECT_LATENCY_CYCLES;
}

/**
 * The reference design (DESIGN.md 1.1-1.2):
 * - lanes 16: 16 BPCSUs, one per LUT-PSum matcher (position lane);
 * - centroids 64, subvectorLength 2: c_a = 64 two-element activation centroids;
 * - chainLength 16: 4 chains of 16 dPEs and a 3-comparator, 2-level argmin tree;
 * - distance 'chebyshev': the reference BPCSU needs no multiplier (squared L2 is the option);
 * - dpeLatencyCycles 4 (see `defaultDpeLatencyCycles`); comparatorLatencyCycles 1;
 * - maxFanoutPerStage 16: a 64-bit register bus driving more than ~16 dPE inputs needs a
 *   replication stage to close timing at 227 MHz (what the tools' max_fanout does); the paper is
 *   silent, 16 is a common fan-out budget for wide buses on UltraScale+/Versal fabric;
 * - centroidDoubleBuffer true: each dPE of the reference reads its centroid from a depth-2
 *   stream, i.e. the next centroid waits in a shadow slot while the current one is in use.
 */
export const DEFAULT_BPCSU_PARAMS: BpcsuParams = Object.freeze({
  lanes: 16,
  centroids: 64,
  subvectorLength: 2,
  chainLength: 16,
  distance: 'chebyshev',
  dpeLatencyCycles: defaultDpeLatencyCycles('chebyshev'),
  comparatorLatencyCycles: COMPARE_SELECT_LATENCY_CYCLES,
  maxFanoutPerStage: 16,
  centroidDoubleBuffer: true,
});

/** Thrown for invalid centroid-search parameters or payloads; the message names the field. */
export class CentroidSearchError extends Error {
  override readonly name = 'CentroidSearchError';
}

function int(what: string, x: number, min: number): void {
  if (!Number.isInteger(x) || x < min) throw new CentroidSearchError(`centroid-search: ${what} must be an integer >= ${min}, got ${String(x)}`);
}

/**
 * Defaults filled in and validated. When `distance` is overridden and `dpeLatencyCycles` is not,
 * the dPE latency follows the metric.
 */
export function resolveBpcsuParams(partial: Partial<BpcsuParams> = {}): BpcsuParams {
  for (const k of Object.keys(partial)) {
    if (!(k in DEFAULT_BPCSU_PARAMS)) throw new CentroidSearchError(`centroid-search: unknown parameter '${k}' (known: ${Object.keys(DEFAULT_BPCSU_PARAMS).join(', ')})`);
  }
  const distance = partial.distance ?? DEFAULT_BPCSU_PARAMS.distance;
  const p: BpcsuParams = {
    ...DEFAULT_BPCSU_PARAMS,
    dpeLatencyCycles: defaultDpeLatencyCycles(distance),
    ...stripUndefined(partial),
  };
  int('lanes', p.lanes, 1);
  int('centroids', p.centroids, 1);
  if (p.centroids > 256) throw new CentroidSearchError(`centroid-search: centroids must be <= 256 (8-bit indices), got ${p.centroids}`);
  int('subvectorLength', p.subvectorLength, 1);
  int('chainLength', p.chainLength, 1);
  if (p.chainLength > p.centroids) {
    throw new CentroidSearchError(`centroid-search: chainLength (${p.chainLength}) must be <= centroids (${p.centroids})`);
  }
  int('dpeLatencyCycles', p.dpeLatencyCycles, 1);
  int('comparatorLatencyCycles', p.comparatorLatencyCycles, 0);
  int('maxFanoutPerStage', p.maxFanoutPerStage, 2);
  if (p.distance !== 'chebyshev' && p.distance !== 'l2sq') {
    throw new CentroidSearchError(`centroid-search: distance must be 'chebyshev' or 'l2sq', got ${String(p.distance)}`);
  }
  return Object.freeze(p);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, val] of Object.entries(o)) if (val !== undefined) (out as Record<string, unknown>)[k] = val;
  return out;
}
