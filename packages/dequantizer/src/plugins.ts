import { paramsSchemaFromDefaults, registerStage, type AccumulatedTileMeta, type StagePlugin } from '@lut-llm/contracts';
import { dequantizerLatencyCycles, dequantizerTileCycles } from './cycle-model.js';
import { DEFAULT_DEQUANTIZER_PARAMS, resolveDequantizerParams, type DequantizerParams } from './params.js';
import { dequantizerActor, dequantizerStage } from './stage.js';

/** The reference dequantizer: per-group FP32 scale and zero point on the INT32 sums (one firing per output tile). */
export const dequantizerPlugin: StagePlugin<DequantizerParams> = {
  kind: 'dequantizer',
  name: dequantizerStage.implementation,
  description: 'the reference: y = (acc - zero point x P) x scale per weight group, INT32 -> FP32',
  packageName: '@lut-llm/dequantizer',
  params: paramsSchemaFromDefaults(DEFAULT_DEQUANTIZER_PARAMS),
  resolve: (o) => resolveDequantizerParams(o),
  actor: (name, p) => dequantizerActor(name, p),
  hooks: { install: dequantizerStage.install },
  // II = T x ceil(w / lanes), latency = subtract + convert + multiply (cycle-model.ts).
  cycleModel: (p, firings) =>
    firings.map((f) => {
      const m = f['in'] as AccumulatedTileMeta;
      return { iiCycles: dequantizerTileCycles(p, m.tokens, m.outEnd - m.outStart), latencyCycles: dequantizerLatencyCycles(p) };
    }),
};
registerStage(dequantizerPlugin);
