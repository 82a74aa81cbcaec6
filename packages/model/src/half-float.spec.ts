import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half-float.js';

describe('BF16', () => {
  it('round-trips exactly representable values', () => {
    for (const v of [0, 1, -2, 0.5, 3.140625, 65280, 2 ** -126, -(2 ** 127)]) expect(bf16ToF32(f32ToBf16(v))).toBe(v);
    expect(bf16ToF32(f32ToBf16(1))).toBe(1);
    expect(bf16ToF32(f32ToBf16(3.140625))).toBe(3.140625);
    expect(f32ToBf16(-0) >>> 15).toBe(1);
  });
  it('rounds to nearest, ties to even', () => {
    // BF16 has 7 mantissa bits: spacing 2^-7 in [1, 2).
    expect(bf16ToF32(f32ToBf16(1 + 2 ** -8))).toBe(1); // tie, 1 is even
    expect(bf16ToF32(f32ToBf16(1 + 3 * 2 ** -8))).toBe(1 + 2 * 2 ** -7); // tie, rounds up to even
    expect(bf16ToF32(f32ToBf16(1 + 2 ** -8 + 2 ** -20))).toBe(1 + 2 ** -7); // above the tie
    expect(bf16ToF32(f32ToBf16(Math.PI))).toBe(3.140625);
  });
  it('keeps NaN and infinities', () => {
    expect(bf16ToF32(f32ToBf16(NaN))).toBeNaN();
    expect(bf16ToF32(f32ToBf16(Infinity))).toBe(Infinity);
    expect(bf16ToF32(f32ToBf16(-Infinity))).toBe(-Infinity);
  });
  it('relative error is at most 2^-8 for normal values', () => {
    fc.assert(fc.property(fc.float({ min: Math.fround(1e-30), max: Math.fround(1e30), noNaN: true }), (v) => {
      const r = bf16ToF32(f32ToBf16(v));
      return Math.abs(r - v) <= Math.abs(v) * 2 ** -8;
    }));
  });
});

describe('F16', () => {
  it('decodes known bit patterns', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x0400)).toBe(2 ** -14);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0x7e00)).toBeNaN();
  });
  it('encodes with round-to-nearest-even, overflow to Infinity, subnormals', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // halfway to 2^16 rounds up to Infinity
    expect(f32ToF16(1e6)).toBe(0x7c00);
    expect(f32ToF16(2 ** -24)).toBe(0x0001);
    expect(f32ToF16(2 ** -25)).toBe(0x0000); // tie to even (0)
    expect(f32ToF16(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 -> 2
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16(NaN)).toBe(0x7e00);
  });
  it('every F16 value round-trips through FP32', () => {
    const bad: number[] = [];
    for (let b = 0; b < 65536; b++) {
      const v = f16ToF32(b);
      if (!Number.isNaN(v) && f32ToF16(v) !== b) bad.push(b);
    }
    expect(bad).toEqual([]);
  });
});
