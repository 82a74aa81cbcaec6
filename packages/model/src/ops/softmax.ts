/**
 * Numerically stable softmax of a whole vector (the maximum is subtracted before exp; sums in
 * float64). Returns a new array unless `out` is given (`out` may be `x`).
 */
export function softmax(x: ArrayLike<number>, out: Float32Array | Float64Array = new Float64Array(x.length)): Float32Array | Float64Array {
  const n = x.length;
  if (n === 0) throw new RangeError('softmax: empty input');
  if (out.length !== n) throw new RangeError(`softmax: output length ${out.length} differs from input length ${n}`);
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[i]! > max) max = x[i]!;
  if (max === -Infinity) throw new RangeError('softmax: every input is -Infinity');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}
