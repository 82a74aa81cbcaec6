import { paramsSchemaFromDefaults, registerStage, type StagePlugin } from '@lut-llm/contracts';
import { ATTENTION_IMPLEMENTATIONS, DEFAULT_ATTENTION_PARAMS, resolveAttentionParams, type AttentionHardwareParams, type AttentionImplementation } from './params.js';

const DESCRIPTIONS: Record<AttentionImplementation, string> = {
  pipelined: 'pipelined FlashAttention tiles (prefill, causal tiles skipped) and FlashDecoding split-K (decode)',
  'as-built': "the authors' attention unit as built (LUT-FPGA/LUT-LLM HLS): no causal skipping, sequential loops",
};

/** The attention units, by `AttentionHardwareParams.implementation`; the shape comes from the model. */
export const ATTENTION_PLUGINS: readonly StagePlugin<AttentionHardwareParams>[] = ATTENTION_IMPLEMENTATIONS.map((name) => ({
  kind: 'attention' as const,
  name,
  description: DESCRIPTIONS[name],
  packageName: '@lut-llm/attention',
  params: paramsSchemaFromDefaults(DEFAULT_ATTENTION_PARAMS, {}, ['implementation']),
  resolve: (o: Partial<AttentionHardwareParams>) => resolveAttentionParams({ ...o, implementation: name }),
  hooks: { implementation: name },
}));
for (const p of ATTENTION_PLUGINS) registerStage(p);
