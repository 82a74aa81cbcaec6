import { VqInputError, assertInt, assertLength } from './errors.js';

/**
 * FP32 reference linear layer: y[t][n] = sum over d (ascending) of W[n][d] * x[t][d], accumulated
 * in float64 (JavaScript's native arithmetic) from the float32 operands, stored as float32.
 * W [M][D] row-major, x [T][D] -> y Float32Array [T][M]. This is the accuracy reference every
 * quantized variant is compared against.
 */
export function fp32Gemm(weight: Float32Array, M: number, D: number, x: Float32Array, T: number): Float32Array {
  assertInt('out-features M', M, 1);
  assertInt('in-features D', D, 1);
  assertInt('tokens T', T, 1);
  assertLength('weight', weight, M * D, `[M=${M}][D=${D}]`);
  assertLength('x', x, T * D, `[T=${T}][D=${D}]`);
  const y = new Float32Array(T * M);
  for (let t = 0; t < T; t++) {
    const xo = t * D;
    for (let n = 0; n < M; n++) {
      const wo = n * D;
      let s = 0;
      for (let d = 0; d < D; d++) s += weight[wo + d]! * x[xo + d]!;
      y[t * M + n] = s;
    }
  }
  return y;
}

/** FP32 GEMV (one token): W [M][D], x [D] -> y [M]. */
export function fp32Gemv(weight: Float32Array, M: number, D: number, x: Float32Array): Float32Array {
  if (x.length !== D) throw new VqInputError(`x has length ${x.length}, expected D = ${D}`);
  return fp32Gemm(weight, M, D, x, 1);
}
