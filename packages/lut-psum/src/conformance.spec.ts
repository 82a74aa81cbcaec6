import { checkStageConformance, describeStageConformance } from '@lut-llm/contracts/conformance';
import type { LinearVariant, StagePlugin } from '@lut-llm/contracts';
import { expect, it } from 'vitest';
import { LUT_PSUM_PLUGINS, lutPsumConformanceCases } from './plugins.js';

// Every shipped LUT PSum against vq's tile kernels, with its table banks declared around it (the
// plugin's resources()): ports, rates, determinism, and the engine's cycles = the stated cost
// model including the bank's port accesses (formula: @lut-llm/contracts conformance).
for (const plugin of LUT_PSUM_PLUGINS) describeStageConformance(plugin as StagePlugin<{ outputLanes: number }>, lutPsumConformanceCases(plugin.hooks!['variant'] as LinearVariant));

/**
 * The 2D case T = 1 by hand (defaults but outputLanes 8): a 16-wide tile takes passes = 2, II = 2;
 * the BRAM table bank has tablePartitions 4 x 2 ports = 8 accesses a cycle; a tile makes
 * 1 x 2 row reads + 64 table-fill writes when it loads a table (tiles 0 and 2 of each block, G = 32)
 * = 66 accesses, 9 cycles, else 2 accesses, 1 cycle; latency = BRAM read 2 + fan-out stages
 * (8 lanes <= 16: 0) + mux 1 + 16 matchers x adder 1 = 19.
 * Firing starts s and access ends f (next start max(s + 2, f)), ready f + 19:
 *   block 0: s 0 f 9 | s 9 f 10 | s 11 f 20 | s 20 f 21;  block 1: s 22 f 31 | s 31 f 32 | s 33 f 42 | s 42 f 43
 *   ready 28 29 39 40 50 51 61 62; the sink reads the last at 62 and completes at 63.
 * Without the bank the same firings would end at 7 x 2 + 19 + 1 = 34: the table fills bind.
 */
it('lut-2d, T = 1: 63 cycles alone, derived by hand with the bank port accesses', () => {
  const r = checkStageConformance(LUT_PSUM_PLUGINS[0], lutPsumConformanceCases('co-quant')[0]!);
  expect(r.cycles).toBe(63);
});
