import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import { DEFAULT_SFU_PARAMS, resolveSfuParams, type SfuHardwareParams } from './params.js';

/** The streaming SFU (one actor per op instance, lane-parallel reductions). */
export const streamingSfuPlugin: StagePlugin<SfuHardwareParams> = {
  kind: 'sfu',
  name: 'streaming',
  description: 'the reference: lane-parallel streaming SFU, reduction trees per statistic pass',
  packageName: '@lut-llm/sfu',
  params: paramsSchemaFromDefaults(DEFAULT_SFU_PARAMS, {}, ['rowsPerToken']),
  resolve: (o) => resolveSfuParams(o),
};
registerStage(streamingSfuPlugin);
