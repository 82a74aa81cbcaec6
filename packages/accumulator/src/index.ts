/**
 * @lut-llm/accumulator — the accumulation stage of LUTLinear (DESIGN.md 1.2, stage 3): partial sums
 * of each position block added into the on-chip (URAM) output buffer; a tile leaves when its last
 * block is in. INT32 for co-quantization, FP32 (ordered fold of per-position terms) for the
 * weight-only and activation-only variants.
 */
export {
  DEFAULT_INT32_ACCUMULATOR_PARAMS,
  DEFAULT_FP32_ACCUMULATOR_PARAMS,
  URAM_READ_LATENCY_CYCLES,
  AccumulatorError,
  resolveAccumulatorParams,
  type AccumulatorParams,
} from './params.js';
export { accumulatorTileCycles, accumulatorLatencyCycles, accumulatorBufferBytes } from './cycle-model.js';
export { accumulateInt32, accumulateFp32Terms, accumulatorKernel } from './kernel.js';
export { accumulatorActor, int32AccumulatorStage, fp32AccumulatorStage } from './stage.js';
export { accumulate, type AccumulatorTile } from './operator.js';
export { int32AccumulatorPlugin, fp32AccumulatorPlugin } from './plugins.js';
export { accumulatorConformanceCases, int32AccumulatorCase, fp32AccumulatorCase } from './conformance-cases.js';
