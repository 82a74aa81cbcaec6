/** Residual add, element-wise, FP32 (the Float32Array store rounds each sum). */
export function residualAddFp32(x: Float32Array, residual: Float32Array): Float32Array {
  if (x.length !== residual.length) throw new RangeError(`residual add: input has ${x.length} values but the residual has ${residual.length}`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + residual[i]!;
  return out;
}
