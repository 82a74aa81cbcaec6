import { bpcsuResources, centroidSearchConformanceCases } from '@lut-llm/centroid-search';
import { checkStageConformance } from '@lut-llm/contracts/conformance';
import { describe, expect, it } from 'vitest';
import { plugin } from './index.js';

/**
 * Hand-derived cycles (packages/centroid-search cycle-model.ts, c_a = 64, l = 32, dPE 4 cycles,
 * comparator 1, fan-out budget 16, double-buffered centroids):
 *   chains = 64 / 32 = 2, tree depth ceil(log2 2) = 1, 1 comparator per lane;
 *   fan-out: 2 chain heads <= 16 -> 0 replication stages;
 *   latency L = 0 + 32 x 4 + 1 x 1 = 129; reload 32, so II = max(T, 32).
 * Alone (source -> stage -> sink, conformance formula): block i starts at 32 i, its indices are
 * ready at 32 i + 129, the sink reads them then and completes one cycle later:
 *   GEMV, 3 blocks: 2 x 32 + 129 + 1 = 194;  GEMM T = 5, 2 blocks: 32 + 129 + 1 = 162.
 */
describe('two-chain centroid search: hand-derived cycles', () => {
  const p = plugin.resolve({});
  it('2 chains of 32 dPEs, 1 comparator per lane (16 lanes: 16 comparators, vs 48 for the BPCSU)', () => {
    expect(p.chainLength).toBe(32);
    expect(bpcsuResources(p).comparators).toBe(16);
    expect(plugin.cycleModel!(p, [{ act: { tokens: 1 } }])).toEqual([{ iiCycles: 32, latencyCycles: 129 }]);
  });
  it('alone: 194 cycles for 3 GEMV blocks, 162 for 2 GEMM blocks of T = 5', () => {
    const [gemv, gemm] = centroidSearchConformanceCases();
    expect(checkStageConformance(plugin, gemv!).cycles).toBe(194);
    expect(checkStageConformance(plugin, gemm!).cycles).toBe(162);
  });
});
