import { describe, expect, it } from 'vitest';
import { bpcsuBlockCycles, bpcsuLatencyCycles, bpcsuResources, bpcsuTopology, fanoutStages } from './cycle-model.js';
import { CentroidSearchError, DEFAULT_BPCSU_PARAMS, resolveBpcsuParams } from './params.js';

describe('BPCSU cycle model (hand-derived)', () => {
  it('reference: 4 chains of 16, 3 comparators in 2 levels; latency 16 x 4 + 2 x 1 = 66', () => {
    const p = DEFAULT_BPCSU_PARAMS;
    expect(bpcsuTopology(p)).toEqual({ chains: 4, chainLength: 16, treeDepth: 2, comparators: 3, dpes: 64, inputFanout: 4 });
    // fan-out 4 <= 16: no replication stage; chain 16 dPEs x 4 cycles; tree 2 levels x 1 cycle.
    expect(bpcsuLatencyCycles(p)).toBe(66);
  });

  it('naive single chain of 64: latency 64 x 4 = 256 cycles (3.9x the chains)', () => {
    expect(bpcsuLatencyCycles(resolveBpcsuParams({ chainLength: 64 }))).toBe(256);
  });

  it('naive full tree: 1 replication stage for the 64-way broadcast + 1 dPE + 6 levels = 11 cycles, 63 comparators', () => {
    const p = resolveBpcsuParams({ chainLength: 1 });
    expect(bpcsuLatencyCycles(p)).toBe(1 + 4 + 6);
    expect(bpcsuResources(p).comparators).toBe(16 * 63);
    expect(bpcsuResources(DEFAULT_BPCSU_PARAMS).comparators).toBe(16 * 3);
  });

  it('squared L2 dPE: 3 + 3 + 3 + 1 = 10 cycles, chain latency 16 x 10 + 2 = 162', () => {
    const p = resolveBpcsuParams({ distance: 'l2sq' });
    expect(p.dpeLatencyCycles).toBe(10);
    expect(bpcsuLatencyCycles(p)).toBe(162);
  });

  it('block cycles: max(T, l) with double-buffered centroids, T + l without', () => {
    const p = DEFAULT_BPCSU_PARAMS;
    expect(bpcsuBlockCycles(p, 1)).toBe(16);
    expect(bpcsuBlockCycles(p, 100)).toBe(100);
    const single = resolveBpcsuParams({ centroidDoubleBuffer: false });
    expect(bpcsuBlockCycles(single, 1)).toBe(17);
    expect(bpcsuBlockCycles(single, 100)).toBe(116);
    expect(bpcsuBlockCycles(resolveBpcsuParams({ chainLength: 64 }), 1)).toBe(64);
  });

  it('fan-out stages: 0 up to F, 1 up to F^2, 2 up to F^3', () => {
    expect([1, 16, 17, 256, 257, 4096, 4097].map((n) => fanoutStages(n, 16))).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it('rejects invalid parameters, naming the field', () => {
    expect(() => resolveBpcsuParams({ lanes: 0 })).toThrow(CentroidSearchError);
    expect(() => resolveBpcsuParams({ chainLength: 65 })).toThrow(/chainLength \(65\) must be <= centroids \(64\)/);
    expect(() => resolveBpcsuParams({ dpeLatencyCycles: 1.5 })).toThrow(/dpeLatencyCycles/);
    expect(() => resolveBpcsuParams({ chains: 4 } as never)).toThrow(/unknown parameter 'chains'/);
  });
});
