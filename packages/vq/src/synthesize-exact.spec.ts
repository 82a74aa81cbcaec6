// synthesizeQuantizedLinear against its written definition on a twin Rng: Gaussian codebooks
// (activations x actStd, then weights x weightStd, default 1/sqrt(D)), then the indices: random
// bytes 4 per draw (the tail one per draw) when every bit pattern is a valid index and rows are
// whole bytes, else one rng.int(c_w) per (position, output).
import { describe, expect, it } from 'vitest';
import { Rng, synthesizeQuantizedLinear, unpackIndices } from './index.js';

describe('synthesizeQuantizedLinear by definition', () => {
  it('c_w = 16, M = 6 (3-byte rows, 6 bytes): one draw for 4 bytes, one per tail byte', () => {
    // D = 4: P = 2, weightStd 1/2; c_a = 2: 8 activation-codebook values; c_w 16, 1 group: 64 weight values.
    const q = synthesizeQuantizedLinear(6, 4, { v: 2, cA: 2, cW: 16, groupSize: 8 }, new Rng(31), { actStd: 2 });
    const twin = new Rng(31);
    const act = Array.from({ length: 8 }, () => Math.fround(twin.normal() * 2));
    const w = Array.from({ length: 64 }, () => Math.fround(twin.normal() * 0.5));
    const u = twin.nextU32();
    const bytes = [u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24, twin.nextU32() & 0xff, twin.nextU32() & 0xff];
    expect(Array.from(q.actCodebooks)).toEqual(act);
    expect(Array.from(q.weightCodebooks)).toEqual(w);
    expect(Array.from(q.weightIndices)).toEqual(bytes);
  });

  it('c_w = 3 (2-bit indices): one rng.int(3) per (position, output), packed', () => {
    const q = synthesizeQuantizedLinear(5, 4, { v: 2, cA: 1, cW: 3, groupSize: 8 }, new Rng(2), { weightStd: 0.25 });
    const twin = new Rng(2);
    for (let i = 0; i < 2 * 1 * 2 + 2 * 3 * 2; i++) twin.normal(); // 4 activation values, 12 weight values
    for (let p = 0; p < 2; p++) {
      const want = Array.from({ length: 5 }, () => twin.int(3));
      expect(Array.from(unpackIndices(q.weightIndices, 2, 5, undefined, p * q.weightIndexRowBytes))).toEqual(want);
    }
    expect(q.weightCodebooks.every((x) => Math.abs(x) < 2)).toBe(true); // std 0.25
  });

  it('option checks', () => {
    expect(() => synthesizeQuantizedLinear(2, 2, {}, new Rng(1), { actStd: 0 })).toThrow('actStd must be a positive finite number, got 0');
    expect(() => synthesizeQuantizedLinear(2, 2, {}, new Rng(1), { actStd: Infinity })).toThrow('actStd must be a positive finite number, got Infinity');
    expect(() => synthesizeQuantizedLinear(2, 2, {}, new Rng(1), { weightStd: -1 })).toThrow('weightStd must be a positive finite number, got -1');
    expect(() => synthesizeQuantizedLinear(2, 2, {}, new Rng(1), { weightStd: NaN })).toThrow('weightStd must be a positive finite number, got NaN');
  });
});
