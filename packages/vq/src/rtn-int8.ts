import { assertFinite, assertInt, assertLength, VqInputError } from './errors.js';
import { quantizeRound } from './rounding.js';

/**
 * RTN ("round to nearest") INT8 baseline, W8A8:
 * - weights: per output channel n, symmetric: scale[n] = float32(max_d |W[n][d]| / 127)
 *   (1 if the row is all zero), q = clamp(roundHalfEven(W / scale), -127, 127);
 * - activations: per token t, symmetric, the same rule over x[t][*];
 * - INT32 accumulation of q_w * q_x (exact), then y = float32(acc * wScale[n] * xScale[t]) evaluated
 *   left to right in float64.
 * Symmetric restricted range [-127, 127] (the usual W8A8 choice: -128 is never produced).
 */
export const RTN_INT8_QMAX = 127;

/** Per-channel symmetric INT8 weights: q Int8Array [M][D], scale Float32Array [M]. */
export interface RtnInt8Weights {
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly q: Int8Array;
  readonly scale: Float32Array;
}

/** Symmetric INT8 rows: q Int8Array [rows][cols], scale Float32Array [rows]. */
function quantizeRows(x: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let amax = 0;
    for (let c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(x[r * cols + c]!));
    const s = amax > 0 ? Math.fround(amax / RTN_INT8_QMAX) : 1;
    scale[r] = s;
    for (let c = 0; c < cols; c++) q[r * cols + c] = quantizeRound(x[r * cols + c]! / s, -RTN_INT8_QMAX, RTN_INT8_QMAX);
  }
  return { q, scale };
}

/** Quantizes W [M][D] per output channel (see module comment). */
export function quantizeRtnInt8Weights(weight: Float32Array, M: number, D: number): RtnInt8Weights {
  assertInt('out-features M', M, 1);
  assertInt('in-features D', D, 1);
  assertLength('weight', weight, M * D, `[M=${M}][D=${D}]`);
  assertFinite('weight', weight, D, 'n', 'd');
  const { q, scale } = quantizeRows(weight, M, D);
  return { outFeatures: M, inFeatures: D, q, scale };
}

/** Quantizes x [T][D] per token: q Int8Array [T][D], scale Float32Array [T]. */
export function quantizeRtnInt8Activations(x: Float32Array, T: number, D: number): { q: Int8Array; scale: Float32Array } {
  assertInt('tokens T', T, 1);
  assertLength('x', x, T * D, `[T=${T}][D=${D}]`);
  assertFinite('x', x, D, 't', 'd');
  return quantizeRows(x, T, D);
}

/** W8A8 GEMM: x [T][D] float32 -> y Float32Array [T][M]. */
export function rtnInt8Gemm(w: RtnInt8Weights, x: Float32Array, T: number): Float32Array {
  const M = w.outFeatures;
  const D = w.inFeatures;
  if (D > Math.floor(2 ** 31 / (RTN_INT8_QMAX * RTN_INT8_QMAX))) throw new VqInputError(`D = ${D} could overflow INT32 accumulation`);
  const xq = quantizeRtnInt8Activations(x, T, D);
  const y = new Float32Array(T * M);
  for (let t = 0; t < T; t++) {
    const xo = t * D;
    for (let n = 0; n < M; n++) {
      const wo = n * D;
      let acc = 0;
      for (let d = 0; d < D; d++) acc += w.q[wo + d]! * xq.q[xo + d]!;
      y[t * M + n] = acc * w.scale[n]! * xq.scale[t]!;
    }
  }
  return y;
}

/** W8A8 GEMV (one token): x [D] -> y [M]. */
export function rtnInt8Gemv(w: RtnInt8Weights, x: Float32Array): Float32Array {
  return rtnInt8Gemm(w, x, 1);
}
