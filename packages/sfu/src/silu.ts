import type { SiluVariant } from '@lut-llm/contracts';

const f = Math.fround;

/** SiLU of one value in FP32 steps: e = exp(-x), y = x / (1 + e). */
export function siluExact(x: number): number {
  return f(x / f(1 + f(Math.exp(-x))));
}

/**
 * Breakpoints of the 9-segment piecewise-linear SiLU. The paper uses a 9-segment PWL SiLU but
 * does not list its breakpoints; these were chosen by a minimax search (coordinate descent on
 * the maximum absolute error over [-24, 24]) and rounded to multiples of 1/4 (cheap comparators).
 * Segments: x <= -6 -> 0; 7 chords between consecutive breakpoints through (b, SiLU(b)) (the
 * outer two end on the saturation lines: (-6, 0) and (5.25, 5.25)); x >= 5.25 -> x.
 */
export const SILU_PWL9_BREAKPOINTS: readonly number[] = [-6, -3.5, -1.75, -0.75, 0, 0.75, 1.75, 5.25];

/**
 * Maximum absolute error of `siluPwl9` against exact SiLU over the reals (measured on a 5e-4 grid
 * over [-30, 30]; it peaks near x = 0.37, inside the (0, 0.75) chord; the tails are bounded by
 * 6 sigmoid(-6) ~ 0.015 and 5.25 sigmoid(-5.25) ~ 0.027).
 */
export const SILU_PWL9_MAX_ABS_ERROR = 0.0325;

const PWL = (() => {
  const b = SILU_PWL9_BREAKPOINTS;
  const y = b.map((v, i) => (i === 0 ? 0 : i === b.length - 1 ? v : v / (1 + Math.exp(-v))));
  const slope: number[] = [];
  const intercept: number[] = [];
  for (let i = 0; i + 1 < b.length; i++) {
    const s = (y[i + 1]! - y[i]!) / (b[i + 1]! - b[i]!);
    slope.push(f(s));
    intercept.push(f(y[i]! - s * b[i]!));
  }
  return { slope, intercept };
})();

/** 9-segment piecewise-linear SiLU: segment select by comparators, then y = slope x + intercept in FP32. */
export function siluPwl9(x: number): number {
  const b = SILU_PWL9_BREAKPOINTS;
  if (x <= b[0]!) return 0;
  if (x >= b[b.length - 1]!) return f(x);
  let i = 0;
  while (x > b[i + 1]!) i++;
  return f(f(PWL.slope[i]! * x) + PWL.intercept[i]!);
}

/** Element-wise SiLU. */
export function siluFp32(x: Float32Array, variant: SiluVariant = 'exact'): Float32Array {
  const fn = variant === 'pwl9' ? siluPwl9 : siluExact;
  return Float32Array.from(x, fn);
}

/** SwiGLU gating of the MLP: SiLU(gate) x up, element-wise, FP32. */
export function swigluFp32(gate: Float32Array, up: Float32Array, variant: SiluVariant = 'exact'): Float32Array {
  if (gate.length !== up.length) throw new RangeError(`swiglu: gate has ${gate.length} values but up has ${up.length}`);
  const fn = variant === 'pwl9' ? siluPwl9 : siluExact;
  const out = new Float32Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = fn(gate[i]!) * up[i]!;
  return out;
}
