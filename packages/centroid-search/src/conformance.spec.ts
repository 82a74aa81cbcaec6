import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { bpcsuPlugin, centroidSearchConformanceCases, fullTreePlugin, singleChainPlugin } from './index.js';

// Every shipped centroid-search implementation, against vq's exact nearest centroid, and its
// cycles alone against the stated cost model (formula: packages/contracts conformance.ts).
for (const plugin of [bpcsuPlugin, singleChainPlugin, fullTreePlugin]) describeStageConformance(plugin, centroidSearchConformanceCases());
