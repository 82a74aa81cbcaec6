import { describe, expect, it } from 'vitest';
import { silu, siluScalar, swiglu } from './activations.js';
import { argmax } from './argmax.js';
import { matmulRows, matvec } from './matvec.js';
import { rmsNorm } from './rms-norm.js';
import { softmax } from './softmax.js';

describe('rmsNorm', () => {
  it('normalises rows by their root mean square and scales by the weight', () => {
    // Row [3, 4]: mean square 12.5, rms sqrt(12.5) = 3.5355...; weight [1, 2].
    const y = rmsNorm(new Float32Array([3, 4, 0, 0]), new Float32Array([1, 2]), 1e-6);
    expect(y[0]).toBeCloseTo(3 / Math.sqrt(12.5 + 1e-6), 6);
    expect(y[1]).toBeCloseTo((2 * 4) / Math.sqrt(12.5 + 1e-6), 6);
    expect(Array.from(y.subarray(2))).toEqual([0, 0]); // eps keeps the zero row finite
  });
  it('applies per head when the weight is one head wide', () => {
    const y = rmsNorm(new Float32Array([1, 1, 10, 10]), new Float32Array([1, 1]), 1e-6);
    expect(y[0]).toBeCloseTo(1, 5);
    expect(y[2]).toBeCloseTo(1, 5);
    expect(() => rmsNorm(new Float32Array(3), new Float32Array(2), 1e-6)).toThrow(/input length 3 is not a multiple of the weight length 2/);
  });
});

describe('softmax', () => {
  it('is stable for large inputs and sums to 1', () => {
    const p = softmax([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(() => softmax([])).toThrow(/empty input/);
  });
});

describe('silu / swiglu', () => {
  it('silu(x) = x sigmoid(x)', () => {
    expect(siluScalar(0)).toBe(0);
    expect(siluScalar(1)).toBeCloseTo(0.7310585786300049, 12);
    expect(siluScalar(-1)).toBeCloseTo(-0.2689414213699951, 12);
    expect(silu(new Float32Array([2]))[0]).toBeCloseTo(2 / (1 + Math.exp(-2)), 6);
  });
  it('swiglu = silu(gate) * up', () => {
    const y = swiglu(new Float32Array([1, -1]), new Float32Array([2, 3]));
    expect(y[0]).toBeCloseTo(2 * 0.7310585786300049, 6);
    expect(y[1]).toBeCloseTo(3 * -0.2689414213699951, 6);
    expect(() => swiglu(new Float32Array(2), new Float32Array(3))).toThrow(/gate has 2 values but up has 3/);
  });
});

describe('matvec / matmulRows', () => {
  it('multiplies a row-major [out][in] matrix', () => {
    const w = new Float32Array([1, 2, 3, 4, 5, 6]); // 2 x 3
    expect(Array.from(matvec(w, new Float32Array([1, 0, -1]), 2, 3))).toEqual([-2, -2]);
    expect(Array.from(matmulRows(w, new Float32Array([1, 0, -1, 0, 1, 0]), 2, 2, 3))).toEqual([-2, -2, 2, 5]);
    expect(() => matvec(w, new Float32Array(2), 2, 3)).toThrow(/input has 2 values, expected inFeatures = 3/);
  });
});

describe('argmax', () => {
  it('returns the first maximum', () => {
    expect(argmax([1, 5, 5, 2])).toBe(1);
    expect(() => argmax([])).toThrow(/empty/);
  });
});
