import { describe, expect, it } from 'vitest';
import { encodeActivations } from './centroid-search.js';
import { lutGemv } from './lut-kernel.js';
import { assertQuantizedLinear, assertWeightIndicesInRange, weightIndexAt } from './quantized-linear.js';
import { Rng } from './rng.js';
import { synthesizeQuantizedLinear } from './synthesize.js';
import { syntheticActivations } from './synthetic.js';

describe('synthesizeQuantizedLinear', () => {
  it('is valid and deterministic for the rng state', () => {
    const a = synthesizeQuantizedLinear(64, 32, { groupSize: 32 }, new Rng(1));
    const b = synthesizeQuantizedLinear(64, 32, { groupSize: 32 }, new Rng(1));
    expect(() => assertQuantizedLinear(a)).not.toThrow();
    expect(Buffer.from(a.weightIndices.buffer).equals(Buffer.from(b.weightIndices.buffer))).toBe(true);
    expect(Array.from(a.lut)).toEqual(Array.from(b.lut));
  });

  it('draws indices in [0, cW) for a non-power-of-two codebook', () => {
    const q = synthesizeQuantizedLinear(33, 8, { cW: 12, groupSize: 8 }, new Rng(2));
    const seen = new Set<number>();
    for (let p = 0; p < q.positions; p++) for (let n = 0; n < 33; n++) seen.add(weightIndexAt(q, p, n));
    expect(Math.max(...seen)).toBeLessThan(12);
    expect(seen.size).toBeGreaterThan(9);
    expect(() => assertWeightIndicesInRange(q)).not.toThrow();
    const bad = { ...q, weightIndices: q.weightIndices.slice() };
    bad.weightIndices[q.weightIndexRowBytes + 1] = 0xff; // position 1, outputs 2 and 3 -> index 15
    expect(() => assertWeightIndicesInRange(bad)).toThrow(/weightIndices\[p=1\]\[n=2\] = 15 is out of range for cW = 12/);
  });

  it('builds a full Qwen3-1.7B down_proj (2048 x 6144, 12.6 M weights) and runs it', () => {
    const q = synthesizeQuantizedLinear(2048, 6144, {}, new Rng(3));
    expect([q.positions, q.groups, q.weightIndices.length, q.lut.length]).toEqual([3072, 4, 3072 * 1024, 3072 * 4 * 1024]);
    const x = syntheticActivations(1, 6144, new Rng(4));
    const y = lutGemv(q, encodeActivations(x, 1, q.actCodebooks, q.cfg));
    expect(y.length).toBe(2048);
    // Unit-variance inputs, weights of std 1/sqrt(D): outputs of order 1, not degenerate.
    let s2 = 0;
    for (const v of y) s2 += v * v;
    expect(Math.sqrt(s2 / 2048)).toBeGreaterThan(0.3);
    expect(Math.sqrt(s2 / 2048)).toBeLessThan(3);
  });

  it('rejects bad options', () => {
    expect(() => synthesizeQuantizedLinear(8, 8, {}, new Rng(1), { weightStd: -1 })).toThrow(/weightStd must be a positive finite number, got -1/);
    expect(() => synthesizeQuantizedLinear(8, 7, {}, new Rng(1))).toThrow(/D = 7 is not divisible by v = 2/);
  });
});
