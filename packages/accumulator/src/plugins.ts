import { paramsSchemaFromDefaults, registerStage, type PsumTileMeta, type StagePlugin } from '@lut-llm/contracts';
import { accumulatorLatencyCycles, accumulatorTileCycles } from './cycle-model.js';
import { DEFAULT_FP32_ACCUMULATOR_PARAMS, DEFAULT_INT32_ACCUMULATOR_PARAMS, resolveAccumulatorParams, type AccumulatorParams } from './params.js';
import { accumulatorActor, fp32AccumulatorStage, int32AccumulatorStage } from './stage.js';

/**
 * INT32 (co-quantized partial sums) and FP32 (the FP32 variants) accumulators; the variant picks
 * one. `blocks` and `tilesPerBlock` are the op's schedule: the accelerator derives them from the
 * shape (and refuses them from a spec); a conformance case sets them.
 */
function plugin(name: 'int32' | 'fp32', description: string, defaults: AccumulatorParams): StagePlugin<AccumulatorParams> {
  return {
    kind: 'accumulator',
    name,
    description,
    packageName: '@lut-llm/accumulator',
    params: paramsSchemaFromDefaults(defaults),
    resolve: (o) => resolveAccumulatorParams(o, defaults),
    actor: (n, p) => accumulatorActor(n, p, name),
    // II = T x ceil(w / lanes) per partial-sum tile; latency = buffer read + adder tree (cycle-model.ts).
    cycleModel: (p, firings) =>
      firings.map((f) => {
        const m = f['in'] as PsumTileMeta;
        return { iiCycles: accumulatorTileCycles(p, m.tokens, m.outEnd - m.outStart), latencyCycles: accumulatorLatencyCycles(p) };
      }),
    // install: the actor and its private output-buffer self-loop (what a graph and a plugin built on this one use).
    hooks: { numeric: name, install: (name === 'int32' ? int32AccumulatorStage : fp32AccumulatorStage).install },
  };
}
export const int32AccumulatorPlugin = plugin('int32', 'integer adders over INT32 partial sums (co-quantization: order-free, bit-exact)', DEFAULT_INT32_ACCUMULATOR_PARAMS);
export const fp32AccumulatorPlugin = plugin('fp32', 'FP32 adders folding looked-up terms in position order (weight-only and activation-only variants)', DEFAULT_FP32_ACCUMULATOR_PARAMS);
registerStage(int32AccumulatorPlugin);
registerStage(fp32AccumulatorPlugin);
