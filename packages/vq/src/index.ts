/**
 * @lut-llm/vq — activation-weight co-quantization numerics of LUT-LLM (DESIGN.md 1.1):
 * seeded RNG and synthetic data, k-means codebooks, centroid search, index packing, quantized
 * 2D tables, the integer LUT kernel as tiles + whole-layer references, the weight-only and
 * activation-only VQ variants, FP32 and RTN INT8 baselines, and error metrics.
 */
export { Rng, deriveSeed } from './rng.js';
export { VqInputError } from './errors.js';
export type { DistanceMetric, VqConfig } from './config.js';
export {
  DEFAULT_VQ_CONFIG,
  DEFAULT_V,
  DEFAULT_CA,
  DEFAULT_CW,
  DEFAULT_GROUP_SIZE,
  DEFAULT_LUT_BITS,
  DEFAULT_DISTANCE,
  DEFAULT_KMEANS_ITERS,
  DEFAULT_SEED,
  MAX_CODEBOOK_SIZE,
  resolveVqConfig,
  indexBitsFor,
} from './config.js';
export { roundHalfEven, clamp, quantizeRound } from './rounding.js';
export { packIndices, unpackIndices, packedByteLength, readPackedIndex } from './packing.js';
export type { KmeansOptions, KmeansResult } from './kmeans.js';
export { kmeans } from './kmeans.js';
export { centroidDistance, nearestCentroid, encodeActivations } from './centroid-search.js';
export type { QuantizedLinear } from './quantized-linear.js';
export { assertQuantizedLinear, assertWeightIndicesInRange, linearShape, lutRange, lutTableOffset, weightIndexAt } from './quantized-linear.js';
export type { LutTables } from './lut-build.js';
export { buildLut, tableEntries } from './lut-build.js';
export { quantizeLinear } from './quantize-linear.js';
export type { SynthesizeOptions } from './synthesize.js';
export { synthesizeQuantizedLinear } from './synthesize.js';
export { lutAccumulateTile, dequantizeTile, lutGemm, lutGemv, lutLinear } from './lut-kernel.js';
export { weightOnlyAccumulateTile, weightOnlyGemm, weightOnlyGemv } from './weight-only.js';
export type { ActivationOnlyLinear } from './activation-only.js';
export {
  MAX_ACTIVATION_ONLY_TABLE_ENTRIES,
  buildActivationOnlyLinear,
  activationOnlyAccumulateTile,
  activationOnlyGemm,
  activationOnlyGemv,
  activationOnlyLinear,
} from './activation-only.js';
export { fp32Gemm, fp32Gemv } from './fp32.js';
export type { RtnInt8Weights } from './rtn-int8.js';
export { RTN_INT8_QMAX, quantizeRtnInt8Weights, quantizeRtnInt8Activations, rtnInt8Gemm, rtnInt8Gemv } from './rtn-int8.js';
export type { OutputComparison } from './metrics.js';
export { relativeL2Error, relativeMaxAbsError, cosineSimilarity, maxAbsError, sqnrDb, compareOutputs } from './metrics.js';
export type { SyntheticWeightOptions, SyntheticActivationOptions, SyntheticActivations } from './synthetic.js';
export { DEFAULT_OUTLIER_SEED, syntheticWeights, syntheticActivations, syntheticActivationsWithInfo } from './synthetic.js';
