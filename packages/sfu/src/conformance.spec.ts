import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { sfuConformanceCases } from './conformance-cases.js';
import { streamingSfuPlugin } from './plugins.js';

// The streaming SFU on itself, against FP64 references written independently of the kernels (conformance-cases.ts).
describeStageConformance(streamingSfuPlugin, sfuConformanceCases());
