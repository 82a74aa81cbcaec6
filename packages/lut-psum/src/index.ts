/**
 * @lut-llm/lut-psum — the LUT partial-sum stage of LUTLinear (DESIGN.md 1.2, stage 2): the
 * reference 2D-table systolic matcher chain (co-quantization), the 1D-table alternate
 * (activation-only VQ, per-output look-ups), weight-only VQ as de-quantisation + DSP arithmetic
 * (the paper's) and its online-table alternate (T-MAC style),
 * with their cycle models, on-chip table banks and kernels built on vq's tile kernels.
 */
export {
  DEFAULT_LUT_PSUM_2D_PARAMS,
  DEFAULT_LUT_PSUM_1D_PARAMS,
  DEFAULT_WEIGHT_ONLY_PSUM_PARAMS,
  DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS,
  FP32_ADD_LATENCY_CYCLES,
  FP32_MUL_LATENCY_CYCLES,
  ISO_DSP_FP32_ADD_LANES,
  LutPsumError,
  resolveLutPsum2dParams,
  resolveLutPsum1dParams,
  resolveWeightOnlyPsumParams,
  resolveWeightOnlyDspPsumParams,
  type LutPsum2dParams,
  type LutPsum1dParams,
  type WeightOnlyPsumParams,
  type WeightOnlyDspPsumParams,
} from './params.js';
export {
  fanoutStages,
  lutPsum2dBank,
  lutPsum2dResources,
  lutPsum2dTileCycles,
  lutPsum2dPortAccesses,
  lutPsum2dLatencyCycles,
  lutPsum2dRegisterBits,
  lutPsum1dBank,
  lutPsum1dResources,
  lutPsum1dTileCycles,
  lutPsum1dPortAccesses,
  lutPsum1dLatencyCycles,
  lutPsum1dTableBytes,
  weightOnlyPsumTileCycles,
  weightOnlyPsumLatencyCycles,
  weightOnlyDspPsumTileCycles,
  weightOnlyDspPsumLatencyCycles,
  type PsumTileShape,
} from './cycle-model.js';
export { lutPsum2dTile, lutPsum1dTerms, weightOnlyPsumTerms, lutPsum2dKernel, lutPsum1dKernel, weightOnlyPsumKernel } from './kernel.js';
export { indexRegisterActor } from './index-register.js';
export {
  lutPsum2dStage,
  lutPsum1dStage,
  weightOnlyPsumStage,
  weightOnlyDspPsumStage,
  type LutPsumStage,
} from './stage.js';
export { lutPsum2d, lutPsum1d, weightOnlyPsum, type LutPsumInput, type WeightOnlyPsumInput, type LutPsumTile } from './operator.js';
export { LUT_PSUM_PLUGINS, lutPsumPlugin, lutPsumStageOf, lutPsumConformanceCases } from './plugins.js';
