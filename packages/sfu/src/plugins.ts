import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import { z } from 'zod';
import { DEFAULT_SFU_STAGE_PARAMS, sfuActor, type SfuStageParams } from './actor.js';
import { sfuTokenCycles } from './cycle-model.js';
import { DEFAULT_SFU_PARAMS, resolveSfuParams, type SfuHardwareParams } from './params.js';
import type { SfuOp } from './ops.js';

/**
 * The streaming SFU (one actor per op instance, lane-parallel reductions). Its parameters are the
 * datapath's (`SfuHardwareParams`); `op` is given per instance (the pass graph sets it per op;
 * a conformance case gives its own), never from a platform file.
 */
export const streamingSfuPlugin: StagePlugin<SfuStageParams> = {
  kind: 'sfu',
  name: 'streaming',
  description: 'the reference: lane-parallel streaming SFU, reduction trees per statistic pass',
  packageName: '@lut-llm/sfu',
  params: (paramsSchemaFromDefaults(DEFAULT_SFU_PARAMS) as unknown as z.ZodObject).extend({ op: z.custom<SfuOp>((v) => typeof v === 'object' && v !== null).optional() }).strict() as unknown as z.ZodType<Partial<SfuStageParams>>,
  resolve: (o) => {
    const { op, ...hw } = o;
    return { ...resolveSfuParams(hw as Partial<SfuHardwareParams>), op: op ?? DEFAULT_SFU_STAGE_PARAMS.op };
  },
  actor: (name, p) => sfuActor(name, p),
  cycleModel: (p, firings) => {
    const { op, ...hw } = p;
    return firings.map((f) => sfuTokenCycles(op, hw, (f['in'] as { rows: number }).rows));
  },
};
registerStage(streamingSfuPlugin);
