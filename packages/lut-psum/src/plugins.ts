import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import {
  DEFAULT_LUT_PSUM_1D_PARAMS,
  DEFAULT_LUT_PSUM_2D_PARAMS,
  DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS,
  DEFAULT_WEIGHT_ONLY_PSUM_PARAMS,
  resolveLutPsum1dParams,
  resolveLutPsum2dParams,
  resolveWeightOnlyDspPsumParams,
  resolveWeightOnlyPsumParams,
} from './params.js';

/**
 * The LUT-PSum implementations by name. Each needs its own weight format, so choosing one fixes
 * the LUTLinear variant (`hooks.variant`); the accelerator refuses a conflicting `--variant`.
 * The graph installs them through packages/accelerator's LUTLinear graph (index register + matchers).
 */
function plugin<P extends object>(name: string, description: string, defaults: P, resolve: (o: Partial<P>) => P, hooks: Record<string, unknown>): StagePlugin<P> {
  return { kind: 'lut-psum', name, description, packageName: '@lut-llm/lut-psum', params: paramsSchemaFromDefaults(defaults, {}, ['tilesPerBlock']), resolve, hooks };
}
export const LUT_PSUM_PLUGINS = [
  plugin('lut-2d', 'the reference: 2D tables (c_a x c_w pre-computed products per position), co-quantized weights', DEFAULT_LUT_PSUM_2D_PARAMS, resolveLutPsum2dParams, { variant: 'co-quant' }),
  plugin('lut-1d', '1D tables (c_a entries per position and output, activation-only VQ): FP32 adds instead of INT16 table reads', DEFAULT_LUT_PSUM_1D_PARAMS, resolveLutPsum1dParams, { variant: 'activation-only' }),
  plugin('weight-only-dsp', 'weight-only VQ: weights rebuilt from their codebooks and multiplied on DSPs', DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, resolveWeightOnlyDspPsumParams, { variant: 'weight-only', weightOnlyImplementation: 'dsp-dequant' }),
  plugin('weight-only-table', 'weight-only VQ: c_w partial dot products built online per token and looked up (T-MAC style)', DEFAULT_WEIGHT_ONLY_PSUM_PARAMS, resolveWeightOnlyPsumParams, { variant: 'weight-only', weightOnlyImplementation: 'online-table' }),
] as const;
for (const p of LUT_PSUM_PLUGINS) registerStage(p as StagePlugin<never>);
