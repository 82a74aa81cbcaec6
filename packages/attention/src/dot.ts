import { adderTreeFp32 } from '@lut-llm/contracts';

/**
 * FP32 dot product as an adder tree computes it: products rounded to FP32, then summed pairwise
 * (level by level, an odd element passing through), every sum rounded to FP32. `scratch` must
 * hold n values.
 */
export function dotFp32Tree(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number, scratch: Float32Array): number {
  for (let i = 0; i < n; i++) scratch[i] = a[ao + i]! * b[bo + i]!;
  return adderTreeFp32(scratch, n);
}
