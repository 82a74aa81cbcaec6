import { lutPsumConformanceCases } from '@lut-llm/lut-psum';
import { describeStageConformance } from '@lut-llm/contracts/conformance';
import { plugin } from './index.js';

// Registration, ports, the reference's payloads within the contract's tolerance, rates,
// determinism, and the engine's cycles for the stage alone against its stated cost model
// (formula: @lut-llm/contracts conformance). Add a spec with the cycles you derive by hand.
describeStageConformance(plugin, lutPsumConformanceCases('co-quant'));
