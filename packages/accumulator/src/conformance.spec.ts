import { checkStageConformance, describeStageConformance } from '@lut-llm/contracts/conformance';
import { expect, it } from 'vitest';
import { fp32AccumulatorCase, int32AccumulatorCase } from './conformance-cases.js';
import { fp32AccumulatorPlugin, int32AccumulatorPlugin } from './plugins.js';

// The accumulators on themselves (cases and their references: conformance-cases.ts).
const int32Default = int32AccumulatorCase({}, 'INT32, 3 blocks x 2 tiles of 40, T = 2');
const int32SlowBuffer = int32AccumulatorCase({ bufferReadLatencyCycles: 10 }, 'INT32 with a 10-cycle buffer read (the self-loop stalls)');
describeStageConformance(int32AccumulatorPlugin, [int32Default, int32SlowBuffer]);
describeStageConformance(fp32AccumulatorPlugin, [fp32AccumulatorCase()]);

// Hand-derived (conformance formula with the self-loop): II = T x ceil(40 / 512) = 2;
// L = buffer read 3 + ceil(log2(1 + 1)) x 1 = 4. Firing i (block i / 2, tile i % 2) reads the
// buffer token of firing i - 2, ready at s_{i-2} + L:
//   s = 0, 2, max(4, 4) = 4, max(6, 6) = 6, 8, 10; the last block's tiles are ready at 12 and 14,
//   the sink completes at 15.
// Buffer read 10 (L = 11): s = 0, 2, max(4, 11) = 11, max(13, 13) = 13, max(15, 22) = 22,
//   max(24, 24) = 24; outputs ready at 33 and 35, the sink completes at 36.
it('accumulator alone: 15 cycles, 36 with a 10-cycle buffer read (hand-derived)', () => {
  expect(checkStageConformance(int32AccumulatorPlugin, int32Default).cycles).toBe(15);
  expect(checkStageConformance(int32AccumulatorPlugin, int32SlowBuffer).cycles).toBe(36);
});
