/**
 * The one rounding rule of the package: round half to even ("banker's rounding"), as IEEE 754's
 * default and as numpy/PyTorch `round`. Every float -> integer quantisation here (LUT entries,
 * zero points, RTN INT8) uses it, then clamps to the integer range (saturation, never wrap).
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for |x| < 2^52
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f - 2 * Math.floor(f / 2) === 0 ? f : f + 1;
}

/** Clamps `x` to [lo, hi] (saturating arithmetic of the integer formats). */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Round half to even, then saturate to [lo, hi]. */
export function quantizeRound(x: number, lo: number, hi: number): number {
  return clamp(roundHalfEven(x), lo, hi);
}
