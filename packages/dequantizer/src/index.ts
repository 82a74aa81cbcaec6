/**
 * @lut-llm/dequantizer — the dequantization stage of LUTLinear (DESIGN.md 1.2, stage 4): INT32
 * sums to FP32 with the group scale and zero point (vq.dequantizeTile), streaming.
 */
export { DEFAULT_DEQUANTIZER_PARAMS, DequantizerError, resolveDequantizerParams, type DequantizerParams } from './params.js';
export { dequantizerTileCycles, dequantizerLatencyCycles } from './cycle-model.js';
export { dequantizeOutputTile, dequantizerKernel } from './kernel.js';
export { dequantizerActor, dequantizerStage } from './stage.js';
export { dequantize, type DequantizerInput, type DequantizerTile } from './operator.js';
export { dequantizerPlugin } from './plugins.js';
export { dequantizerConformanceCases } from './conformance-cases.js';
