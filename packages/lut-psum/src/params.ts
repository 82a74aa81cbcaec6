import type { OnChipKind } from '@lut-llm/memory';
import { FP32_ADD_LATENCY_CYCLES, FP32_MUL_LATENCY_CYCLES } from '@lut-llm/contracts';

/**
 * Parameters of the three LUT-PSum implementations (DESIGN.md 1.2, stage 2). Each default is
 * justified in its `DEFAULT_*` record. `tilesPerBlock` is the op's schedule, not hardware: the
 * matcher's index register holds a block's activation indices (or activations) for that many
 * output tiles; `install` needs it, a bare `actor` does not.
 */

/** Co-quantization: 2D tables T[a][w], a row read once per token into registers, 16:1 muxes. */
export interface LutPsum2dParams {
  /** Matchers in the systolic chain = position lanes (one position of the block each). */
  readonly matchers: number;
  /** Output lanes per matcher: outputs picked and added per cycle per matcher. */
  readonly outputLanes: number;
  /** c_a: rows of a table (activation centroids). */
  readonly activationCentroids: number;
  /** c_w: entries per row (weight centroids); a lane's mux is c_w:1. */
  readonly weightCentroids: number;
  /** Bits per table entry (8: INT8 tables, 4: INT4 tables). */
  readonly lutBits: 8 | 4;
  /** On-chip memory the tables live in. */
  readonly tableMemory: OnChipKind;
  /** Cyclic partitions of the table's row dimension: each adds the primitive's ports. */
  readonly tablePartitions: number;
  /**
   * 'registers': per token, one row T[a][0..c_w) is read (one port access) and copied into
   * registers that every lane's mux reads (the reference design). 'direct': every lane reads its
   * own entry from the table memory (one port access per lane per token): port contention.
   */
  readonly rowFetch: 'registers' | 'direct';
  /** Copies of the row registers; each drives outputLanes / copies muxes (fan-out vs flip-flops). */
  readonly registerCopies: number;
  /** Loads one register may drive within a cycle; a wider fan-out adds a replication stage per factor. */
  readonly maxFanoutPerStage: number;
  /** c_w:1 multiplexer (a LUT6 tree for c_w = 16): cycles. */
  readonly muxLatencyCycles: number;
  /** One INT adder stage of the systolic chain (packed SIMD lanes): cycles. */
  readonly adderLatencyCycles: number;
  /** Output tiles per position block of the op (schedule; see the module comment). */
  readonly tilesPerBlock: number;
}

/** Activation-only VQ: 1D FP32 tables per (position, output), one look-up per output lane. */
export interface LutPsum1dParams {
  readonly matchers: number;
  readonly outputLanes: number;
  readonly activationCentroids: number;
  /** Bits per table entry: 32 (the FP32 tables of vq's activation-only reference). */
  readonly entryBits: number;
  /** FP32 adders per matcher (a tile of `outputLanes` outputs takes outputLanes / this passes). */
  readonly fp32AddLanes: number;
  readonly fp32AddLatencyCycles: number;
  /** On-chip memory of the per-lane tables (each lane owns a bank of c_a entries). */
  readonly tableMemory: OnChipKind;
  readonly tilesPerBlock: number;
}

/** Weight-only VQ: per token a 1D table of c_w FP32 dot products is built online, then looked up. */
export interface WeightOnlyPsumParams {
  readonly matchers: number;
  readonly outputLanes: number;
  readonly weightCentroids: number;
  readonly subvectorLength: number;
  readonly fp32AddLanes: number;
  /** FP32 multiply-adds per cycle per matcher for building the online table (c_w x v per token). */
  readonly tableBuildMacsPerCycle: number;
  readonly fp32MulLatencyCycles: number;
  readonly fp32AddLatencyCycles: number;
  readonly muxLatencyCycles: number;
  readonly registerCopies: number;
  readonly maxFanoutPerStage: number;
  readonly tilesPerBlock: number;
}

// FP32 operator latencies: one definition for the linear-layer stages (contracts' dsp.ts).
export { FP32_ADD_LATENCY_CYCLES, FP32_MUL_LATENCY_CYCLES };
/**
 * FP32 adder lanes per matcher in the FP32 variants: 128, chosen for an iso-DSP comparison. The
 * co-quantized matcher adds 512 INT lanes packed 4 per DSP58 (the reference's 4 x 12-bit SIMD
 * words), i.e. 128 DSPs per matcher; one DSPFP32 is one FP32 adder, so the same DSPs give 128
 * FP32 lanes. (512 FP32 lanes x 16 matchers would take 8192 of the V80's ~10.8k DSPs, leaving too
 * few for attention.)
 */
export const ISO_DSP_FP32_ADD_LANES = 128;

/**
 * The reference co-quantized matcher chain:
 * - matchers 16, outputLanes 512, c_a 64, c_w 16, INT8 tables (DESIGN.md 1.1-1.2);
 * - tableMemory 'bram', tablePartitions 4: the reference partitions the table's row (c_a)
 *   dimension cyclically by 4 (each matcher needs 4 row writes per cycle to absorb its 64 B/cycle
 *   share of the 1024 B/cycle weight stream);
 * - rowFetch 'registers', registerCopies 1: one row copied to one set of 16 registers per token
 *   (replication left to the tools), which is how the design avoids 512 reads of one memory;
 * - maxFanoutPerStage 16: as the BPCSU's input bus; 512 muxes per register cost 2 stages;
 * - muxLatencyCycles 1 (a 16:1 mux is two LUT6 levels, one cycle at 227 MHz);
 * - adderLatencyCycles 1 (a 12-bit SIMD add in a DSP58/fabric closes in one cycle).
 */
export const DEFAULT_LUT_PSUM_2D_PARAMS: LutPsum2dParams = Object.freeze({
  matchers: 16,
  outputLanes: 512,
  activationCentroids: 64,
  weightCentroids: 16,
  lutBits: 8,
  tableMemory: 'bram',
  tablePartitions: 4,
  rowFetch: 'registers',
  registerCopies: 1,
  maxFanoutPerStage: 16,
  muxLatencyCycles: 1,
  adderLatencyCycles: 1,
  tilesPerBlock: 1,
});

/**
 * Activation-only 1D tables: FP32 entries (vq's reference keeps them FP32), per-lane LUTRAM banks
 * (c_a = 64 entries x 32 bits per lane per position fit LUTRAM; BRAM would take one BRAM36 per
 * lane, 8192 of them, more than the V80 has), iso-DSP FP32 adders.
 */
export const DEFAULT_LUT_PSUM_1D_PARAMS: LutPsum1dParams = Object.freeze({
  matchers: 16,
  outputLanes: 512,
  activationCentroids: 64,
  entryBits: 32,
  fp32AddLanes: ISO_DSP_FP32_ADD_LANES,
  fp32AddLatencyCycles: FP32_ADD_LATENCY_CYCLES,
  tableMemory: 'lutram',
  tilesPerBlock: 1,
});

/**
 * Weight-only online tables: iso-DSP FP32 adders; tableBuildMacsPerCycle 32 = c_w x v, so one
 * table per token per cycle (32 more DSPs per matcher); the table lives in registers.
 */
export const DEFAULT_WEIGHT_ONLY_PSUM_PARAMS: WeightOnlyPsumParams = Object.freeze({
  matchers: 16,
  outputLanes: 512,
  weightCentroids: 16,
  subvectorLength: 2,
  fp32AddLanes: ISO_DSP_FP32_ADD_LANES,
  tableBuildMacsPerCycle: 32,
  fp32MulLatencyCycles: FP32_MUL_LATENCY_CYCLES,
  fp32AddLatencyCycles: FP32_ADD_LATENCY_CYCLES,
  muxLatencyCycles: 1,
  registerCopies: 1,
  maxFanoutPerStage: 16,
  tilesPerBlock: 1,
});

/** Thrown for invalid LUT-PSum parameters or tiles; the message names the field. */
export class LutPsumError extends Error {
  override readonly name = 'LutPsumError';
}

export function checkInt(stage: string, what: string, x: number, min: number): void {
  if (!Number.isInteger(x) || x < min) throw new LutPsumError(`${stage}: ${what} must be an integer >= ${min}, got ${String(x)}`);
}

function merge<T extends object>(defaults: T, partial: Partial<T>): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in defaults)) throw new LutPsumError(`unknown parameter '${k}' (known: ${Object.keys(defaults).join(', ')})`);
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

const KINDS: readonly OnChipKind[] = ['bram', 'uram', 'lutram'];

export function resolveLutPsum2dParams(partial: Partial<LutPsum2dParams> = {}): LutPsum2dParams {
  const p = merge(DEFAULT_LUT_PSUM_2D_PARAMS, partial);
  const s = 'lut-psum (2D)';
  for (const k of ['matchers', 'outputLanes', 'activationCentroids', 'weightCentroids', 'tablePartitions', 'registerCopies', 'tilesPerBlock'] as const) {
    checkInt(s, k, p[k], 1);
  }
  checkInt(s, 'maxFanoutPerStage', p.maxFanoutPerStage, 2);
  checkInt(s, 'muxLatencyCycles', p.muxLatencyCycles, 0);
  checkInt(s, 'adderLatencyCycles', p.adderLatencyCycles, 0);
  if (p.lutBits !== 8 && p.lutBits !== 4) throw new LutPsumError(`${s}: lutBits must be 8 or 4, got ${String(p.lutBits)}`);
  if (!KINDS.includes(p.tableMemory)) throw new LutPsumError(`${s}: tableMemory must be one of ${KINDS.join(', ')}, got ${String(p.tableMemory)}`);
  if (p.rowFetch !== 'registers' && p.rowFetch !== 'direct') throw new LutPsumError(`${s}: rowFetch must be 'registers' or 'direct', got ${String(p.rowFetch)}`);
  if (p.registerCopies > p.outputLanes) throw new LutPsumError(`${s}: registerCopies (${p.registerCopies}) must be <= outputLanes (${p.outputLanes})`);
  return Object.freeze(p);
}

export function resolveLutPsum1dParams(partial: Partial<LutPsum1dParams> = {}): LutPsum1dParams {
  const p = merge(DEFAULT_LUT_PSUM_1D_PARAMS, partial);
  const s = 'lut-psum (1D)';
  for (const k of ['matchers', 'outputLanes', 'activationCentroids', 'entryBits', 'fp32AddLanes', 'tilesPerBlock'] as const) checkInt(s, k, p[k], 1);
  checkInt(s, 'fp32AddLatencyCycles', p.fp32AddLatencyCycles, 0);
  if (!KINDS.includes(p.tableMemory)) throw new LutPsumError(`${s}: tableMemory must be one of ${KINDS.join(', ')}, got ${String(p.tableMemory)}`);
  return Object.freeze(p);
}

export function resolveWeightOnlyPsumParams(partial: Partial<WeightOnlyPsumParams> = {}): WeightOnlyPsumParams {
  const p = merge(DEFAULT_WEIGHT_ONLY_PSUM_PARAMS, partial);
  const s = 'lut-psum (weight-only)';
  for (const k of ['matchers', 'outputLanes', 'weightCentroids', 'subvectorLength', 'fp32AddLanes', 'tableBuildMacsPerCycle', 'registerCopies', 'tilesPerBlock'] as const) {
    checkInt(s, k, p[k], 1);
  }
  checkInt(s, 'maxFanoutPerStage', p.maxFanoutPerStage, 2);
  for (const k of ['fp32MulLatencyCycles', 'fp32AddLatencyCycles', 'muxLatencyCycles'] as const) checkInt(s, k, p[k], 0);
  return Object.freeze(p);
}

/**
 * Weight-only VQ as the paper compares it (DESIGN.md 1.1): each weight sub-vector is rebuilt from
 * its (position, group) codebook (de-quantisation: a c_w:1 mux of the codebook registers, driven
 * by the 4-bit index) and multiplied with the real activations on DSPs (FP32 arithmetic):
 * compute-bound on the DSP budget, as the authors' analytical model treats it.
 */
export interface WeightOnlyDspPsumParams
  extends Pick<
    WeightOnlyPsumParams,
    'matchers' | 'outputLanes' | 'weightCentroids' | 'subvectorLength' | 'fp32MulLatencyCycles' | 'fp32AddLatencyCycles' | 'registerCopies' | 'maxFanoutPerStage' | 'tilesPerBlock'
  > {
  /** FP32 multiply-adds per cycle per matcher: one DSP58 in DSPFP32 mode each. */
  readonly dspMacsPerMatcher: number;
  /** c_w:1 mux that de-quantizes an index to its codebook entry: cycles. */
  readonly muxLatencyCycles: number;
}

/**
 * dspMacsPerMatcher 128 = ISO_DSP_FP32_ADD_LANES: the 2048 DSPs of the co-quantized matcher chain
 * (512 INT lanes packed 4 per DSP58, x 16 matchers) used as 2048 DSPFP32 multiply-adders, so the
 * variants are compared on one DSP budget. Mux, fan-out and FP32 latencies as the other variants.
 */
const { fp32AddLanes: _lanes, tableBuildMacsPerCycle: _build, ...WEIGHT_ONLY_SHARED } = DEFAULT_WEIGHT_ONLY_PSUM_PARAMS;
export const DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS: WeightOnlyDspPsumParams = Object.freeze({ ...WEIGHT_ONLY_SHARED, dspMacsPerMatcher: ISO_DSP_FP32_ADD_LANES });

export function resolveWeightOnlyDspPsumParams(partial: Partial<WeightOnlyDspPsumParams> = {}): WeightOnlyDspPsumParams {
  const p = merge(DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, partial);
  const s = 'lut-psum (weight-only DSP)';
  for (const k of ['matchers', 'outputLanes', 'weightCentroids', 'subvectorLength', 'dspMacsPerMatcher', 'registerCopies', 'tilesPerBlock'] as const) checkInt(s, k, p[k], 1);
  checkInt(s, 'maxFanoutPerStage', p.maxFanoutPerStage, 2);
  for (const k of ['fp32MulLatencyCycles', 'fp32AddLatencyCycles', 'muxLatencyCycles'] as const) checkInt(s, k, p[k], 0);
  return Object.freeze(p);
}
