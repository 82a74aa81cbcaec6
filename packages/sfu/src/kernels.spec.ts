import { relativeMaxAbsError } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';
import {
  laneSumFp32,
  layerNormFp32,
  qkRmsNormFp32,
  residualAddFp32,
  rmsNormFp32,
  ropeFp32,
  ropeInverseFrequencies,
  SILU_PWL9_BREAKPOINTS,
  SILU_PWL9_MAX_ABS_ERROR,
  siluExact,
  siluPwl9,
  softmaxFp32,
  swigluFp32,
} from './index.js';

function rand(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return offset + scale * (s / 4294967296 - 0.5) * 4;
  });
}

/** max |a - ref| / max |ref| (the error measure of the acceptance criterion), vq's metric. */
const relMaxAbs = (a: ArrayLike<number>, ref: ArrayLike<number>): number => relativeMaxAbsError(ref, a);

// Float64 references: the obvious loops.
function refRms(x: Float32Array, n: number, eps: number, w?: Float32Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[o + i]! ** 2;
    const r = 1 / Math.sqrt(s / n + eps);
    for (let i = 0; i < n; i++) y[o + i] = x[o + i]! * r * (w ? w[i]! : 1);
  }
  return y;
}
function refLayerNorm(x: Float32Array, n: number, eps: number, w: Float32Array, b: Float32Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += n) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[o + i]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[o + i]! - m) ** 2;
    v /= n;
    for (let i = 0; i < n; i++) y[o + i] = ((x[o + i]! - m) / Math.sqrt(v + eps)) * w[i]! + b[i]!;
  }
  return y;
}
function refSoftmax(x: Float32Array, n: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += n) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, x[o + i]!);
    let z = 0;
    for (let i = 0; i < n; i++) z += Math.exp(x[o + i]! - m);
    for (let i = 0; i < n; i++) y[o + i] = Math.exp(x[o + i]! - m) / z;
  }
  return y;
}
const silu64 = (x: number) => x / (1 + Math.exp(-x));

describe('RMSNorm (FP32 datapath vs float64 reference; tolerance 1e-6 of max |ref|)', () => {
  it.each([
    [2048, 3],
    [37, 5],
    [128, 1],
  ])('row length %i, %i rows, with a weight', (n, rows) => {
    const x = rand(n * rows, n, 2);
    const w = rand(n, 7, 0.5, 1);
    expect(relMaxAbs(rmsNormFp32(x, n, 1e-6, w), refRms(x, n, 1e-6, w))).toBeLessThan(1e-6);
  });

  it('q/k norm normalises each head separately with one headDim weight (Qwen3)', () => {
    const heads = 4;
    const D = 16;
    const x = rand(2 * heads * D, 3);
    for (let i = 0; i < D; i++) x[D + i] = x[D + i]! * 50; // head 1 of token 0 is 50x larger
    const w = rand(D, 9, 0.2, 1);
    const y = qkRmsNormFp32(x, heads, D, 1e-6, w);
    expect(relMaxAbs(y, refRms(x, D, 1e-6, w))).toBeLessThan(1e-6);
    // A whole-row norm would shrink the other heads of token 0 by the big head's energy.
    expect(relMaxAbs(rmsNormFp32(x.subarray(0, heads * D), heads * D, 1e-6), refRms(x.subarray(0, heads * D), D, 1e-6))).toBeGreaterThan(0.5);
  });

  it('lane sums are FP32 sums (not float64): 1 + 2^-24 x 16 in one lane rounds away', () => {
    const v = new Float32Array(17).fill(2 ** -24);
    v[0] = 1;
    expect(laneSumFp32(v, 0, 17, 1)).toBe(1);
    expect(laneSumFp32(v, 0, 17, 16)).toBeGreaterThan(1); // lanes 1..15 sum their tiny values first
  });
});

describe('LayerNorm', () => {
  const n = 96;
  const w = rand(n, 1, 0.5, 1);
  const b = rand(n, 2, 0.1);
  it.each(['two-pass', 'one-pass'] as const)('%s matches float64 within 1e-5 of max |ref| for zero-mean-ish rows', (mode) => {
    const x = rand(n * 4, 11, 2, 0.3);
    expect(relMaxAbs(layerNormFp32(x, n, 1e-5, { weight: w, bias: b, mode }), refLayerNorm(x, n, 1e-5, w, b))).toBeLessThan(1e-5);
  });
  it('one-pass (E[x^2] - mean^2) loses accuracy when |mean| >> std; two-pass does not', () => {
    const x = rand(n, 13, 0.05, 300);
    const ref = refLayerNorm(x, n, 1e-5, w, b);
    const two = relMaxAbs(layerNormFp32(x, n, 1e-5, { weight: w, bias: b, mode: 'two-pass' }), ref);
    const one = relMaxAbs(layerNormFp32(x, n, 1e-5, { weight: w, bias: b, mode: 'one-pass' }), ref);
    expect(two).toBeLessThan(1e-4);
    expect(one).toBeGreaterThan(100 * two);
  });
});

describe('RoPE (Hugging Face rotate-half)', () => {
  it('hand-computed: headDim 4, theta 1e4, position 1 rotates pairs (0, 2) by 1 rad and (1, 3) by 0.01 rad', () => {
    expect(Array.from(ropeInverseFrequencies(4, 10000))).toEqual([1, 0.01]);
    const y = ropeFp32(Float32Array.from([1, 2, 3, 4]), 1, 1, 4, 10000);
    // y0 = 1 cos 1 - 3 sin 1; y2 = 3 cos 1 + 1 sin 1; y1 = 2 cos .01 - 4 sin .01; y3 = 4 cos .01 + 2 sin .01
    expect(y[0]).toBeCloseTo(-1.9841106485, 6);
    expect(y[1]).toBeCloseTo(1.9599006675, 6);
    expect(y[2]).toBeCloseTo(2.4623779025, 6);
    expect(y[3]).toBeCloseTo(4.0197996684, 6);
  });

  it('Qwen3 theta 1e6: inv_freq[i] = 1e6^(-2i/128); position 0 is the identity', () => {
    const inv = ropeInverseFrequencies(128, 1e6);
    expect(inv[1]).toBeCloseTo(10 ** (-6 / 64), 12);
    expect(inv[63]).toBeCloseTo(10 ** ((-6 * 126) / 128), 15);
    const x = rand(2 * 128, 4);
    expect(ropeFp32(x, 0, 2, 128)).toEqual(x);
  });

  it('equals the complex rotation (x_i + j x_{i+h}) e^{j pos inv_freq_i} at positions 1000..1002 (float64 reference, 1e-6)', () => {
    const heads = 2;
    const D = 128;
    const x = rand(3 * heads * D, 8);
    const y = ropeFp32(x, 1000, heads, D, 1e6);
    const inv = ropeInverseFrequencies(D, 1e6);
    const ref = new Float64Array(x.length);
    for (let t = 0; t < 3; t++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < D / 2; i++) {
          const o = (t * heads + h) * D;
          const a = (1000 + t) * inv[i]!;
          const re = x[o + i]!;
          const im = x[o + i + D / 2]!;
          ref[o + i] = re * Math.cos(a) - im * Math.sin(a);
          ref[o + i + D / 2] = re * Math.sin(a) + im * Math.cos(a);
        }
      }
    }
    expect(relMaxAbs(y, ref)).toBeLessThan(1e-6);
  });
});

describe('SiLU and SwiGLU', () => {
  it('exact SiLU is within 1e-6 relative (plus 1e-30 absolute) of float64', () => {
    for (let x = -30; x <= 30; x += 0.01) expect(Math.abs(siluExact(x) - silu64(x))).toBeLessThanOrEqual(1e-6 * Math.abs(silu64(x)) + 1e-30);
  });

  it(`9-segment PWL SiLU: max abs error ${SILU_PWL9_MAX_ABS_ERROR} (measured > 0.03, so it is really the approximation), saturates to 0 and x, continuous`, () => {
    let max = 0;
    for (let x = -30; x <= 30; x += 0.0005) max = Math.max(max, Math.abs(siluPwl9(x) - silu64(x)));
    expect(max).toBeGreaterThan(0.03);
    expect(max).toBeLessThanOrEqual(SILU_PWL9_MAX_ABS_ERROR);
    expect(siluPwl9(-7)).toBe(0);
    expect(siluPwl9(9)).toBe(9);
    for (const b of SILU_PWL9_BREAKPOINTS) expect(Math.abs(siluPwl9(b - 1e-6) - siluPwl9(b + 1e-6))).toBeLessThan(1e-5);
    expect(SILU_PWL9_BREAKPOINTS.length + 1).toBe(9); // 8 breakpoints -> 9 segments
  });

  it('SwiGLU = SiLU(gate) x up, element-wise', () => {
    const g = rand(6144, 21, 2);
    const u = rand(6144, 22);
    const ref = Float64Array.from(g, (x, i) => silu64(x) * u[i]!);
    expect(relMaxAbs(swigluFp32(g, u), ref)).toBeLessThan(1e-6);
    const pwl = relMaxAbs(swigluFp32(g, u, 'pwl9'), ref);
    expect(pwl).toBeGreaterThan(1e-4);
    expect(pwl).toBeLessThan(0.05);
    expect(() => swigluFp32(g, u.subarray(1))).toThrow(/gate has 6144 values but up has 6143/);
  });
});

describe('residual add and softmax', () => {
  it('residual add is the FP32 sum', () => {
    const a = rand(100, 1);
    const b = rand(100, 2, 1000);
    expect(residualAddFp32(a, b)).toEqual(Float32Array.from(a, (x, i) => Math.fround(x + b[i]!)));
  });
  it.each(['two-pass', 'one-pass'] as const)('%s softmax matches float64 within 1e-6 of max |ref| and rows sum to 1', (mode) => {
    const n = 301;
    const x = rand(n * 3, 5, 6);
    const y = softmaxFp32(x, n, { mode });
    expect(relMaxAbs(y, refSoftmax(x, n))).toBeLessThan(1e-6);
    for (let r = 0; r < 3; r++) expect(y.subarray(r * n, (r + 1) * n).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });
});
