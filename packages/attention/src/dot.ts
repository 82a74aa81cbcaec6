/**
 * FP32 dot product as an adder tree computes it: products rounded to FP32, then summed pairwise
 * (level by level, an odd element passing through), every sum rounded to FP32. `scratch` must
 * hold n values.
 */
export function dotFp32Tree(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number, scratch: Float32Array): number {
  for (let i = 0; i < n; i++) scratch[i] = a[ao + i]! * b[bo + i]!;
  let w = n;
  while (w > 1) {
    const half = w >> 1;
    for (let i = 0; i < half; i++) scratch[i] = scratch[2 * i]! + scratch[2 * i + 1]!;
    if (w & 1) {
      scratch[half] = scratch[w - 1]!;
      w = half + 1;
    } else {
      w = half;
    }
  }
  return scratch[0]!;
}
