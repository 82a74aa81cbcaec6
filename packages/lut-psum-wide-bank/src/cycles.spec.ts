import { lutPsumConformanceCases } from '@lut-llm/lut-psum';
import { checkStageConformance } from '@lut-llm/contracts/conformance';
import { expect, it } from 'vitest';
import { plugin } from './index.js';

/**
 * By hand. A GEMV tile of w <= 512 outputs makes 1 row read, plus c_a = 64 table-fill writes when
 * it brings a new table: 65 accesses on 8 partitions x 2 ports = 16 a cycle -> ceil(65 / 16) = 5
 * cycles (the reference's 8 ports: 9). II = T x ceil(w / 512) = 1, so the bank binds. Latency
 * = BRAM read 2 + fan-out of one row register to 512 lanes at 16 per stage (16, 256, 4096: 2
 * stages) + mux 1 + 16 matchers x adder 1 = 21.
 * The conformance case T = 1 (outputLanes 8: II 2; 66 accesses on tiles 0 and 2 of each block
 * -> ceil(66 / 16) = 5 cycles, else 2 accesses -> 1; latency 2 + 0 + 1 + 16 = 19):
 *   block 0: s 0 f 5 | s 5 f 6 | s 7 f 12 | s 12 f 13;  block 1: s 14 f 19 | s 19 f 20 | s 21 f 26 | s 26 f 27
 *   ready = f + 19: ..., the last at 46; the sink completes at 47 (the reference: 63).
 */
it('a decode tile costs 5 cycles of bank access (reference 9); the T = 1 conformance case takes 47 cycles (reference 63)', () => {
  const p = plugin.resolve({});
  expect(p.tablePartitions).toBe(8);
  const [cost] = plugin.cycleModel!(p, [{ weights: { tokens: 1, outStart: 0, outEnd: 512, loadsTable: true } as never }], 'm');
  expect(cost).toEqual({ iiCycles: 1, latencyCycles: 21, requests: [{ resource: 'm.table', units: 65 }] });
  expect(checkStageConformance(plugin, lutPsumConformanceCases('co-quant')[0]!).cycles).toBe(47);
});
