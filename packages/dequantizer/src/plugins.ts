import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import { DEFAULT_DEQUANTIZER_PARAMS, resolveDequantizerParams, type DequantizerParams } from './params.js';

/** The reference dequantizer (per-group FP32 scale and zero point on the INT32 sums). */
export const dequantizerPlugin: StagePlugin<DequantizerParams> = {
  kind: 'dequantizer',
  name: 'scale-zero-point',
  description: 'the reference: y = scale x (acc - zero point x table sum) per weight group, FP32',
  packageName: '@lut-llm/dequantizer',
  params: paramsSchemaFromDefaults(DEFAULT_DEQUANTIZER_PARAMS),
  resolve: (o) => resolveDequantizerParams(o),
};
registerStage(dequantizerPlugin);
