import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { attentionConformanceCases } from './conformance-cases.js';
import { ATTENTION_PLUGINS } from './plugins.js';

// Every attention unit on itself, against naive float64 attention (cases: conformance-cases.ts).
for (const plugin of ATTENTION_PLUGINS) describeStageConformance(plugin, attentionConformanceCases());
