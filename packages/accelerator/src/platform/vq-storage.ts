import { indexBitsFor } from '@lut-llm/vq';
import type { PlatformConfig, PlatformVq } from './schema.js';

/** Storage cost of co-quantized weights, per weight (DESIGN.md 1.1). */
export interface VqBitsPerWeight {
  /** Index bits per weight: ceil(log2 c_w) bits per sub-vector of v weights (4 / 2 = 2 for the defaults: "W2"). */
  readonly indexBits: number;
  /** Table bits per weight: one c_a x c_w table of lutBits entries per (position, group) covers v x G weights (64*16*8 / 1024 = 8). */
  readonly tableBits: number;
  /** indexBits + tableBits (10 with INT8 tables, 6 with INT4: DESIGN.md 1.1). */
  readonly totalBits: number;
}

/** Bits per weight streamed from HBM for a (large, G-divisible) layer in this VQ format. */
export function vqBitsPerWeight(vq: PlatformVq): VqBitsPerWeight {
  const indexBits = indexBitsFor(vq.cW) / vq.v;
  const tableBits = (vq.cA * vq.cW * vq.lutBits) / (vq.v * vq.groupSize);
  return { indexBits, tableBits, totalBits: indexBits + tableBits };
}

/** Bytes of one (position, group) 2D table in HBM: c_a x c_w entries of lutBits (INT4 packed two per byte). */
export function lutTableBytes(vq: PlatformVq): number {
  return Math.ceil((vq.cA * vq.cW * vq.lutBits) / 8);
}

/** What one co-quantized linear layer (inFeatures -> outFeatures) moves and looks up, per the platform's formats. */
export interface LutLinearStream {
  /** P = inFeatures / v. */
  readonly positions: number;
  /** ceil(outFeatures / G). */
  readonly groups: number;
  /** Packed weight indices: P rows of ceil(M x indexBits / 8) bytes (packages/vq's layout). */
  readonly indexBytes: number;
  /** 2D tables: P x groups x {@link lutTableBytes}. */
  readonly tableBytes: number;
  /** indexBytes + tableBytes: what the weight channels stream once per pass over the layer. */
  readonly weightStreamBytes: number;
  /** Activation codebooks: P x c_a x v x centroidBytesPerElement (centroid channels). */
  readonly centroidBytes: number;
  /** Table scales and zero points: groups x scaleBytesPerGroup (scales channel). */
  readonly scaleBytes: number;
  /** Look-ups per token: one table entry per (position, output) = P x M. */
  readonly lookupsPerToken: number;
}

/** Byte and look-up counts of one linear layer in the platform's VQ format; throws if v does not divide inFeatures. */
export function lutLinearStream(inFeatures: number, outFeatures: number, cfg: PlatformConfig): LutLinearStream {
  const { vq, dataFormats } = cfg;
  if (!Number.isInteger(inFeatures) || inFeatures < 1 || !Number.isInteger(outFeatures) || outFeatures < 1) {
    throw new RangeError(`lutLinearStream: features must be integers >= 1, got ${inFeatures} -> ${outFeatures}`);
  }
  if (inFeatures % vq.v !== 0) {
    throw new RangeError(`lutLinearStream: inFeatures ${inFeatures} is not a multiple of the sub-vector length v = ${vq.v}`);
  }
  const positions = inFeatures / vq.v;
  const groups = Math.ceil(outFeatures / vq.groupSize);
  const indexBytes = positions * Math.ceil((outFeatures * indexBitsFor(vq.cW)) / 8);
  const tableBytes = positions * groups * lutTableBytes(vq);
  return {
    positions,
    groups,
    indexBytes,
    tableBytes,
    weightStreamBytes: indexBytes + tableBytes,
    centroidBytes: positions * vq.cA * vq.v * dataFormats.centroidBytesPerElement,
    scaleBytes: groups * dataFormats.scaleBytesPerGroup,
    lookupsPerToken: positions * outFeatures,
  };
}
