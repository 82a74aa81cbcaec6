import { checkStageConformance, describeStageConformance } from '@lut-llm/contracts/conformance';
import { expect, it } from 'vitest';
import { dequantizerConformanceCases } from './conformance-cases.js';
import { dequantizerPlugin } from './plugins.js';

/**
 * The dequantizer on itself (cases: conformance-cases.ts). Cycles alone (conformance formula):
 * 32 lanes -> II = T x ceil(32 / 32) = 2, latency 1 + 3 + 3 = 7: firings start at 0, 2, 4,
 * outputs ready at 7, 9, 11, the sink completes at 12.
 */
const [kase] = dequantizerConformanceCases();
describeStageConformance(dequantizerPlugin, [kase!]);

it('dequantizer alone: 12 cycles (hand-derived above)', () => {
  expect(checkStageConformance(dequantizerPlugin, kase!).cycles).toBe(12);
});
