import { centroidSearchConformanceCases } from '@lut-llm/centroid-search';
import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { plugin } from './index.js';

// Exact indices against vq's nearest centroid, ports and rates, determinism, and the engine's
// cycles for the stage alone against the stated cost model (formula: @lut-llm/contracts conformance).
describeStageConformance(plugin, centroidSearchConformanceCases());
