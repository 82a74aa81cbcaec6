/**
 * Conversions between FP32 and the two 16-bit float formats of Hugging Face checkpoints:
 * BF16 (bfloat16: FP32's sign and 8-bit exponent, 7-bit mantissa) and F16 (IEEE binary16:
 * 5-bit exponent, 10-bit mantissa). FP32 -> 16 bit rounds to nearest, ties to even (as PyTorch's
 * `.to(torch.bfloat16)` / `.half()`); NaN stays NaN; F16 overflows to +-Infinity.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** BF16 bits -> FP32 value (exact: BF16 is the top half of an FP32). */
export function bf16ToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** FP32 value -> BF16 bits, round to nearest even. */
export function f32ToBf16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  if ((x & 0x7f80_0000) === 0x7f80_0000 && (x & 0x007f_ffff) !== 0) return ((x >>> 16) | 0x0040) & 0xffff; // quiet NaN
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** F16 bits -> FP32 value (exact, including subnormals, infinities and NaN). */
export function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** FP32 value -> F16 bits, round to nearest even; too large -> +-Infinity; NaN -> 0x7e00. */
export function f32ToF16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7f_ffff;
  if (exp === 0xff) return mant !== 0 ? 0x7e00 : sign | 0x7c00;
  // Unbiased exponent; F16 normal range is [-14, 15].
  const e = exp - 127;
  if (e > 15) return sign | 0x7c00;
  if (e >= -14) {
    // Normal: keep 10 mantissa bits, round the 13 dropped bits to nearest even.
    let h = ((e + 15) << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1; // may carry into the exponent (correct, up to Infinity)
    return sign | h;
  }
  if (e < -25) return sign; // below half of the smallest subnormal (2^-25): rounds to zero
  // Subnormal: value = m * 2^-24 with m = round(full mantissa * 2^(e + 24)).
  const full = mant | 0x80_0000; // 24-bit significand, value = full * 2^(e - 23)
  const shift = -e - 1; // full * 2^(e-23) / 2^-24 = full >> (-e - 1)
  let m = full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (m & 1) === 1)) m += 1;
  return sign | m;
}
