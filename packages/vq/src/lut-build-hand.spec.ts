// buildLut on tables small enough to quantize by hand (the formulas in lut-build.ts): the scale
// and zero point of each group over all positions, round-half-to-even ties, the constant-table
// rules and the saturating clamp.
import { describe, expect, it } from 'vitest';
import { buildLut, resolveVqConfig, tableEntries } from './index.js';

const f32 = (...v: number[]) => Float32Array.from(v);

describe('buildLut by hand', () => {
  it('INT8, 2 positions x 2 groups: scale and zero point per group over both positions; ties to even', () => {
    const cfg = resolveVqConfig({ v: 2, cA: 2, cW: 2, lutBits: 8 });
    // act [p][a][v]: p0 a0 = (1, 0), a1 = (0, 1); p1 a0 = (1, 0), a1 = (0, -1)
    const act = f32(1, 0, 0, 1, 1, 0, 0, -1);
    // weights [p][g][w][v]
    const w = f32(
      ...[-32, 0.125, 0, 0.375], // p0 g0: w0, w1
      ...[2, 2, 2, 2], //           p0 g1
      ...[31.75, 0, 1, 0.125], //   p1 g0
      ...[2, -2, 2, -2], //         p1 g1
    );
    // Group 0 entries [a][w]: p0 [-32, 0, 0.125, 0.375], p1 [31.75, 1, 0, -0.125] (0 + 0 x 31.75 + (-1) x 0 = +0).
    expect(Array.from(tableEntries(act, w, 1, 0, 2, 2, 2, 2, new Float64Array(4)))).toEqual([31.75, 1, 0, -0.125]);
    // tmin -32, tmax 31.75: scale (31.75 + 32) / 255 = 0.25, zero point -128 - rhe(-32 / 0.25) = 0.
    // q = rhe(t / 0.25): -128, 0, rhe(0.5) = 0, rhe(1.5) = 2 | 127, 4, 0, rhe(-0.5) = 0.
    // Group 1: every entry is 2 (constant): scale float32(2 / 255), zero point -128 - rhe(2 / scale) =
    // -128 - 255 = -383, q = clamp(255 - 383) = -128 (dequantized: scale x 255 = 2).
    const t = buildLut(act, w, 2, 2, cfg);
    expect(Array.from(t.lutScale)).toEqual([0.25, Math.fround(2 / 255)]);
    expect(Array.from(t.lutZeroPoint)).toEqual([0, -383]);
    // layout [p][g][a][w]
    expect(Array.from(t.lut)).toEqual([-128, 0, 0, 2, -128, -128, -128, -128, 127, 4, 0, 0, -128, -128, -128, -128]);
  });

  it('INT4 with an offset range [1, 8.5]: scale 7.5 / 15 = 0.5, zero point -8 - rhe(2) = -10', () => {
    const cfg = resolveVqConfig({ v: 2, cA: 2, cW: 2, lutBits: 4 });
    // entries [a0w0, a0w1, a1w0, a1w1] = [1, 8.5, 1.25, 2.75] -> rhe(t / 0.5) - 10 = [2, 17, rhe(2.5) = 2, rhe(5.5) = 6] - 10
    const t = buildLut(f32(1, 0, 0, 1), f32(1, 1.25, 8.5, 2.75), 1, 1, cfg);
    expect(Array.from(t.lutScale)).toEqual([0.5]);
    expect(Array.from(t.lutZeroPoint)).toEqual([-10]);
    expect(Array.from(t.lut)).toEqual([-8, 7, -8, -4]);
  });

  it('an all-zero table: scale float32(1 / 255), zero point qmin, every entry qmin (dequantizes to 0 exactly)', () => {
    const cfg = resolveVqConfig({ v: 2, cA: 2, cW: 2, lutBits: 8 });
    const t = buildLut(f32(1, 0, 0, 1), new Float32Array(4), 1, 1, cfg);
    expect(Array.from(t.lutScale)).toEqual([Math.fround(1 / 255)]);
    expect(Array.from(t.lutZeroPoint)).toEqual([-128]);
    expect(Array.from(t.lut)).toEqual([-128, -128, -128, -128]);
  });

  it('a negative constant table (INT4): scale float32(|tmin| / 15), zero point -8 - rhe(-15) = 7, every entry -8', () => {
    // entries all -3: scale = float32(3 / 15) = float32(0.2); -3 / scale rounds to -15; zp = -8 + 15 = 7;
    // q = clamp(-15 + 7 = -8) = -8: dequantized 0.2 x (-8 - 7) = -3.
    const cfg = resolveVqConfig({ v: 2, cA: 1, cW: 2, lutBits: 4 });
    const t = buildLut(f32(1, 1), f32(-1, -2, -2, -1), 1, 1, cfg);
    expect(Array.from(t.lutScale)).toEqual([Math.fround(0.2)]);
    expect(Array.from(t.lutZeroPoint)).toEqual([7]);
    expect(Array.from(t.lut)).toEqual([-8, -8]);
  });
});
