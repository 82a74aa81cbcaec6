import type { LinearTilePlan, LinearVariant } from '@lut-llm/contracts';
import { blockPositionRange } from '@lut-llm/contracts';
import type { VqConfig } from '@lut-llm/vq';

/**
 * Bytes each HBM stream moves per token of the LUTLinear graph (the loaders' cost models).
 * Element sizes are the data the functional model actually carries:
 */

/** Activations stream in as FP32 (the reference's input stream is a vector of floats). */
export const ACTIVATION_ELEMENT_BYTES = 4;
/** Activation centroids are FP32 (vq's codebooks; the reference streams float pairs). */
export const CENTROID_ELEMENT_BYTES = 4;
/** Weight-only VQ streams its weight codebooks as FP32 (vq's weight codebooks). */
export const WEIGHT_CODEBOOK_ELEMENT_BYTES = 4;
/** Per group: an FP32 scale and an INT32 zero point. */
export const SCALE_BYTES_PER_GROUP = 8;
/** Outputs leave as FP32. */
export const OUTPUT_ELEMENT_BYTES = 4;

/** Numbers the byte counts depend on. */
export interface TrafficParams {
  readonly numerics: Pick<VqConfig, 'v' | 'cA' | 'cW' | 'lutBits'>;
  /** Bits per packed weight index: ceil(log2 c_w). */
  readonly weightIndexBits: number;
  /** Bytes per activation-only 1D table entry (entryBits / 8). */
  readonly activationOnlyEntryBytes: number;
}

function tileDims(plan: LinearTilePlan, block: number, tile: number) {
  const { posStart, posEnd } = blockPositionRange(plan, block);
  return { np: posEnd - posStart, w: plan.tileOutEnd[tile]! - plan.tileOutStart[tile]!, loads: plan.tileLoadsTable[tile] === 1 };
}

/**
 * Weight stream of (block, tile), np positions x w outputs:
 * - co-quant:        np * ( [new group] c_a * c_w * lutBits / 8  +  ceil(w * indexBits / 8) )
 * - weight-only:     np * ( [new group] c_w * v * 4              +  ceil(w * indexBits / 8) )
 * - activation-only: np * c_a * w * entryBytes                    (a 1D table per output)
 */
export function weightTileBytes(variant: LinearVariant, plan: LinearTilePlan, block: number, tile: number, t: TrafficParams): number {
  const { np, w, loads } = tileDims(plan, block, tile);
  const { v, cA, cW, lutBits } = t.numerics;
  const indexBytes = Math.ceil((w * t.weightIndexBits) / 8);
  switch (variant) {
    case 'co-quant':
      return np * ((loads ? (cA * cW * lutBits) / 8 : 0) + indexBytes);
    case 'weight-only':
      return np * ((loads ? cW * v * WEIGHT_CODEBOOK_ELEMENT_BYTES : 0) + indexBytes);
    case 'activation-only':
      return np * cA * w * t.activationOnlyEntryBytes;
  }
}

/** Activations of a block: T * np * v * 4. */
export function activationTileBytes(plan: LinearTilePlan, block: number): number {
  const { posStart, posEnd } = blockPositionRange(plan, block);
  return plan.shape.tokens * (posEnd - posStart) * plan.shape.v * ACTIVATION_ELEMENT_BYTES;
}

/** Activation centroids of a block: np * c_a * v * 4. */
export function centroidTileBytes(plan: LinearTilePlan, block: number, cA: number): number {
  const { posStart, posEnd } = blockPositionRange(plan, block);
  return (posEnd - posStart) * cA * plan.shape.v * CENTROID_ELEMENT_BYTES;
}

/** Outputs of a tile: T * w * 4. */
export function outputTileBytes(plan: LinearTilePlan, tile: number): number {
  return plan.shape.tokens * (plan.tileOutEnd[tile]! - plan.tileOutStart[tile]!) * OUTPUT_ELEMENT_BYTES;
}
