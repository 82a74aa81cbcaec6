/**
 * RMSNorm over consecutive rows of `weight.length` values:
 * y = x / sqrt(mean(x^2) + eps) * weight (Qwen3RMSNorm; the mean square is accumulated in float64).
 * With a weight of length hidden it normalises each token; with a weight of length headDim
 * (Qwen3's q_norm / k_norm) it normalises each head of each token.
 */
export function rmsNorm(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array = new Float32Array(x.length)): Float32Array {
  const n = weight.length;
  if (n === 0) throw new RangeError('rmsNorm: weight is empty');
  if (x.length % n !== 0) throw new RangeError(`rmsNorm: input length ${x.length} is not a multiple of the weight length ${n}`);
  if (out.length !== x.length) throw new RangeError(`rmsNorm: output length ${out.length} differs from input length ${x.length}`);
  if (!(eps > 0)) throw new RangeError(`rmsNorm: eps must be > 0, got ${eps}`);
  for (let row = 0; row < x.length; row += n) {
    let sumSq = 0;
    for (let i = 0; i < n; i++) sumSq += x[row + i]! * x[row + i]!;
    const inv = 1 / Math.sqrt(sumSq / n + eps);
    for (let i = 0; i < n; i++) out[row + i] = x[row + i]! * inv * weight[i]!;
  }
  return out;
}
