/**
 * @lut-llm/model — Qwen3 configurations, synthetic and safetensors weights, and the FP32
 * reference forward pass that the emulated accelerator is checked against.
 */
export {
  DEFAULT_QWEN3_MODEL,
  QWEN3_CONFIGS,
  kvWidth,
  qWidth,
  qwen3Config,
  qwen3ConfigFromHf,
  tinyQwen3Config,
  validateQwen3Config,
  type HfQwen3ConfigJson,
  type Qwen3Config,
  type Qwen3ModelName,
} from './config.js';
export {
  LAYER_LINEAR_NAMES,
  linearShapes,
  parameterCounts,
  weightBytes,
  type LinearName,
  type LinearShape,
  type Qwen3ParameterCounts,
} from './shapes.js';
export { seededRandom } from './random.js';
export {
  QWEN3_LAYER_TENSORS,
  checkGlobalWeights,
  checkLayerIndex,
  checkLayerWeights,
  layerTensorShapes,
  type Qwen3GlobalWeights,
  type Qwen3LayerTensorName,
  type Qwen3LayerWeights,
  type Qwen3WeightSource,
} from './weights.js';
export {
  DEFAULT_SYNTHETIC_WEIGHT_STATS,
  SYNTHETIC_WEIGHTS_VERSION,
  SyntheticQwen3Weights,
  syntheticEmbeddingRow,
  syntheticEmbeddings,
  syntheticFinalNorm,
  syntheticGlobalWeights,
  syntheticLayerWeights,
  type SyntheticWeightStats,
} from './synthetic-weights.js';
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half-float.js';
export {
  MAX_SAFETENSORS_HEADER_BYTES,
  SAFETENSORS_DTYPE_BYTES,
  SUPPORTED_FLOAT_DTYPES,
  SafetensorsError,
  type SafetensorsDtype,
  type SafetensorsErrorCode,
  type SafetensorsTensorInfo,
  type SupportedFloatDtype,
} from './safetensors-format.js';
export { SafetensorsReader, decodeFloatTensor, type TensorSource } from './safetensors-reader.js';
export { encodeSafetensors, writeSafetensorsFile, type SafetensorsTensorInput } from './safetensors-writer.js';
export {
  HF_GLOBAL_TENSOR_NAMES,
  SafetensorsQwen3Weights,
  ShardedSafetensorsReader,
  hfLayerTensorName,
  loadQwen3Globals,
  loadQwen3Layer,
  openQwen3Checkpoint,
} from './checkpoint.js';
export { matmulRows, matvec } from './ops/matvec.js';
export { rmsNorm } from './ops/rms-norm.js';
export { applyRope, ropeInverseFrequencies } from './ops/rope.js';
export { softmax } from './ops/softmax.js';
export { silu, siluScalar, swiglu } from './ops/activations.js';
export { attention, type AttentionShape } from './ops/attention.js';
export { argmax } from './ops/argmax.js';
export { KvCache } from './kv-cache.js';
export { DenseLinear, denseLinearFactory, type LinearFactory, type LinearOp, type LinearSpec } from './linear.js';
export { concatRows, layerLinearWeights, qkvSplit } from './fused-weights.js';
export { Qwen3Reference, type Qwen3ReferenceOptions } from './reference.js';
export { decoderLayerForward, checkedApply, type DecoderLayerOps } from './decoder-layer.js';
export {
  Qwen3Calibrator,
  checkCalibrationTokens,
  syntheticCalibrationTokens,
  type LayerCalibration,
  type LayerLinearName,
  type LinearCalibration,
} from './quantize/calibration.js';
export {
  QUANT_CACHE_FORMAT_VERSION,
  QuantCacheError,
  decodeQuantCacheFile,
  encodeQuantCacheFile,
  type NamedQuantizedLinear,
} from './quantize/quant-cache-format.js';
export {
  quantCacheEntryDir,
  quantCacheKey,
  quantizeLmHead,
  quantizeModelLayer,
  quantizeQwen3Model,
  type QuantizeModelOptions,
  type QuantizeProgress,
  type QuantizedQwen3Layer,
  type QuantizedQwen3Model,
} from './quantize/quantize-model.js';
export { lutLinearOp, quantizedLinearFactory } from './quantize/lut-linear-factory.js';
