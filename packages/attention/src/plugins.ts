import { paramsSchemaFromDefaults, registerStage, type AttentionJob, type AttentionShape, type StagePlugin } from '@lut-llm/contracts';
import type { Bindings, GraphBuilder } from '@lut-llm/core';
import { z } from 'zod';
import { attentionActor, attentionSchedule, invokeAttention, type AttentionStageParams } from './actor.js';
import { ATTENTION_IMPLEMENTATIONS, DEFAULT_ATTENTION_PARAMS, resolveAttentionParams, type AttentionHardwareParams, type AttentionImplementation } from './params.js';

const DESCRIPTIONS: Record<AttentionImplementation, string> = {
  pipelined: 'pipelined FlashAttention tiles (prefill, causal tiles skipped) and FlashDecoding split-K (decode)',
  'as-built': "the authors' attention unit as built (LUT-FPGA/LUT-LLM HLS): no causal skipping, sequential loops",
};

function plugin(name: string, description: string, fixed: Partial<AttentionHardwareParams>): StagePlugin<AttentionStageParams> {
  const hw = paramsSchemaFromDefaults(DEFAULT_ATTENTION_PARAMS, {}, ['implementation', 'decodeSplitK']) as unknown as z.ZodObject;
  return {
    kind: 'attention',
    name,
    description,
    packageName: '@lut-llm/attention',
    // `shape` and `jobs` come from the model and the pass (a conformance case gives its own).
    params: hw.extend({ shape: z.custom<AttentionShape>((v) => typeof v === 'object' && v !== null).optional(), jobs: z.array(z.custom<AttentionJob>()).optional() }).strict() as unknown as z.ZodType<Partial<AttentionStageParams>>,
    resolve: (o) => {
      const { jobs, ...rest } = o;
      return { ...resolveAttentionParams({ ...rest, ...fixed }), jobs: jobs ?? [] };
    },
    actor: (n, p) => attentionActor(n, p),
    // The static schedule's costs: per job a q firing, then one per history chunk (cycle-model.ts attentionFiringCosts).
    cycleModel: (p) => attentionSchedule(p).map((f) => f.cost),
    // What the accelerator writes to platform.stages.attention for this choice.
    hooks: {
      platformParams: fixed,
      // The unit and its running-state self-loop (carry), as the pass graph invokes it.
      install: (g: GraphBuilder, n: string, p: AttentionStageParams, b: Bindings) => {
        invokeAttention(g, n, p, { q: b.in!['q']!, out: b.out!['out']!, ...(b.in?.['kv'] ? { kv: b.in['kv'] } : {}) });
        return [n];
      },
    },
  };
}

/**
 * The attention units, by `AttentionHardwareParams.implementation` (the shape comes from the
 * model), and the pipelined unit with sequential decode (no FlashDecoding split-K).
 */
export const ATTENTION_PLUGINS: readonly StagePlugin<AttentionStageParams>[] = [
  ...ATTENTION_IMPLEMENTATIONS.map((name) => plugin(name, DESCRIPTIONS[name], { implementation: name, ...(name === 'pipelined' ? { decodeSplitK: true } : {}) })),
  plugin('pipelined-sequential-decode', 'the pipelined unit decoding sequentially: one online-softmax state rescaled chunk by chunk, no split-K partials to merge', {
    implementation: 'pipelined',
    decodeSplitK: false,
  }),
];
for (const p of ATTENTION_PLUGINS) registerStage(p);
