import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import { ATTENTION_IMPLEMENTATIONS, DEFAULT_ATTENTION_PARAMS, resolveAttentionParams, type AttentionHardwareParams, type AttentionImplementation } from './params.js';

const DESCRIPTIONS: Record<AttentionImplementation, string> = {
  pipelined: 'pipelined FlashAttention tiles (prefill, causal tiles skipped) and FlashDecoding split-K (decode)',
  'as-built': "the authors' attention unit as built (LUT-FPGA/LUT-LLM HLS): no causal skipping, sequential loops",
};

function plugin(name: string, description: string, fixed: Partial<AttentionHardwareParams>): StagePlugin<AttentionHardwareParams> {
  return {
    kind: 'attention',
    name,
    description,
    packageName: '@lut-llm/attention',
    params: paramsSchemaFromDefaults(DEFAULT_ATTENTION_PARAMS, {}, ['implementation', 'decodeSplitK']),
    resolve: (o) => resolveAttentionParams({ ...o, ...fixed }),
    // What the accelerator writes to platform.stages.attention for this choice.
    hooks: { platformParams: fixed },
  };
}

/**
 * The attention units, by `AttentionHardwareParams.implementation` (the shape comes from the
 * model), and the pipelined unit with sequential decode (no FlashDecoding split-K).
 */
export const ATTENTION_PLUGINS: readonly StagePlugin<AttentionHardwareParams>[] = [
  ...ATTENTION_IMPLEMENTATIONS.map((name) => plugin(name, DESCRIPTIONS[name], { implementation: name, ...(name === 'pipelined' ? { decodeSplitK: true } : {}) })),
  plugin('pipelined-sequential-decode', 'the pipelined unit decoding sequentially: one online-softmax state rescaled chunk by chunk, no split-K partials to merge', {
    implementation: 'pipelined',
    decodeSplitK: false,
  }),
];
for (const p of ATTENTION_PLUGINS) registerStage(p);
