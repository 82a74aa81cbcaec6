import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import { DEFAULT_FP32_ACCUMULATOR_PARAMS, DEFAULT_INT32_ACCUMULATOR_PARAMS, resolveAccumulatorParams, type AccumulatorParams } from './params.js';

/** INT32 (co-quantized partial sums) and FP32 (the FP32 variants) accumulators; the variant picks one (`hooks.numeric`). */
function plugin(name: 'int32' | 'fp32', description: string, defaults: AccumulatorParams): StagePlugin<AccumulatorParams> {
  return {
    kind: 'accumulator',
    name,
    description,
    packageName: '@lut-llm/accumulator',
    params: paramsSchemaFromDefaults(defaults, {}, ['blocks', 'tilesPerBlock']),
    resolve: (o) => resolveAccumulatorParams(o, defaults),
    hooks: { numeric: name },
  };
}
export const int32AccumulatorPlugin = plugin('int32', 'integer adders over INT32 partial sums (co-quantization: order-free, bit-exact)', DEFAULT_INT32_ACCUMULATOR_PARAMS);
export const fp32AccumulatorPlugin = plugin('fp32', 'FP32 adders folding looked-up terms in position order (weight-only and activation-only variants)', DEFAULT_FP32_ACCUMULATOR_PARAMS);
registerStage(int32AccumulatorPlugin);
registerStage(fp32AccumulatorPlugin);
