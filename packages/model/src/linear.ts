import type { LinearName } from './shapes.js';
import { matmulRows } from './ops/matvec.js';

/**
 * A linear layer y = W x as the forward pass sees it. The FP32 reference uses {@link DenseLinear};
 * the accelerator swaps in quantized look-up-table linears through a {@link LinearFactory} and
 * compares logits.
 */
export interface LinearOp {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `x` is [tokens][inFeatures]; returns a new [tokens][outFeatures] array. */
  apply(x: Float32Array, tokens: number): Float32Array;
}

/** What a {@link LinearFactory} is given to build one linear op of the model. */
export interface LinearSpec {
  readonly name: LinearName;
  /** Decoder layer index, or null for the LM head. */
  readonly layer: number | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** FP32 weight, row-major [outFeatures][inFeatures] (fused ops: rows of q, k, v / gate, up). */
  readonly weight: Float32Array;
}

/** Builds the linear op the forward pass will call for one (layer, name). */
export type LinearFactory = (spec: LinearSpec) => LinearOp;

/** The plain FP32 dense linear (float64 accumulation per output). */
export class DenseLinear implements LinearOp {
  constructor(
    readonly weight: Float32Array,
    readonly outFeatures: number,
    readonly inFeatures: number,
    readonly label = 'linear',
  ) {
    if (!Number.isInteger(outFeatures) || outFeatures <= 0 || !Number.isInteger(inFeatures) || inFeatures <= 0) {
      throw new RangeError(`${label}: outFeatures and inFeatures must be positive integers, got ${outFeatures} x ${inFeatures}`);
    }
    if (weight.length !== outFeatures * inFeatures) {
      throw new RangeError(`${label}: weight has ${weight.length} values, expected ${outFeatures} x ${inFeatures} = ${outFeatures * inFeatures}`);
    }
  }

  apply(x: Float32Array, tokens: number): Float32Array {
    if (x.length !== tokens * this.inFeatures) {
      throw new RangeError(`${this.label}: input has ${x.length} values, expected tokens x inFeatures = ${tokens} x ${this.inFeatures}`);
    }
    return matmulRows(this.weight, x, tokens, this.outFeatures, this.inFeatures);
  }
}

/** The default factory: FP32 dense linears over the given weights (not copied). */
export const denseLinearFactory: LinearFactory = (spec) =>
  new DenseLinear(spec.weight, spec.outFeatures, spec.inFeatures, spec.layer === null ? spec.name : `layer ${spec.layer} ${spec.name}`);
