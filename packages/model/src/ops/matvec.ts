/**
 * y = W x for a row-major weight W of shape [outFeatures][inFeatures]. Sums are accumulated in
 * float64 (JS numbers) and rounded to FP32 once per output.
 */
export function matvec(
  weight: Float32Array,
  x: Float32Array,
  outFeatures: number,
  inFeatures: number,
  out: Float32Array = new Float32Array(outFeatures),
): Float32Array {
  if (weight.length !== outFeatures * inFeatures) {
    throw new RangeError(`matvec: weight has ${weight.length} values, expected ${outFeatures} x ${inFeatures} = ${outFeatures * inFeatures}`);
  }
  if (x.length !== inFeatures) throw new RangeError(`matvec: input has ${x.length} values, expected inFeatures = ${inFeatures}`);
  if (out.length !== outFeatures) throw new RangeError(`matvec: output has ${out.length} values, expected outFeatures = ${outFeatures}`);
  for (let o = 0; o < outFeatures; o++) {
    const row = o * inFeatures;
    let sum = 0;
    for (let i = 0; i < inFeatures; i++) sum += weight[row + i]! * x[i]!;
    out[o] = sum;
  }
  return out;
}

/** Y[t] = W X[t] for each of `tokens` rows of X ([tokens][inFeatures] -> [tokens][outFeatures]). */
export function matmulRows(weight: Float32Array, x: Float32Array, tokens: number, outFeatures: number, inFeatures: number): Float32Array {
  if (!Number.isInteger(tokens) || tokens < 0) throw new RangeError(`matmulRows: tokens must be a non-negative integer, got ${tokens}`);
  if (x.length !== tokens * inFeatures) {
    throw new RangeError(`matmulRows: input has ${x.length} values, expected tokens x inFeatures = ${tokens} x ${inFeatures}`);
  }
  const y = new Float32Array(tokens * outFeatures);
  for (let t = 0; t < tokens; t++) {
    matvec(weight, x.subarray(t * inFeatures, (t + 1) * inFeatures), outFeatures, inFeatures, y.subarray(t * outFeatures, (t + 1) * outFeatures));
  }
  return y;
}
