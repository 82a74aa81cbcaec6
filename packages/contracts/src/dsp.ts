/**
 * FP32 datapath models shared by stages. Latencies of the FP32 operators the linear-layer stages build from DSPFP32 slices (DSP58 in
 * floating-point mode, with their pipeline registers), shared so that the centroid search and
 * the LUT-PSum matchers model the same silicon. (The SFU and attention packages still model
 * 4-cycle FP32 operators of their own: see the issue notes.)
 */

/** FP32 add or subtract on a DSPFP32: 3 cycles. */
export const FP32_ADD_LATENCY_CYCLES = 3;
/** FP32 multiply (or fused multiply-add) on a DSPFP32: 3 cycles. */
export const FP32_MUL_LATENCY_CYCLES = 3;

/**
 * The sum of values[0 .. n) as a pairwise FP32 adder tree computes it: level by level, adjacent
 * pairs added and rounded to FP32, an odd last value passing through to the next level. Reduces
 * `values` in place and returns values[0] (the attention dot products and the SFU's lane merges
 * both end in such a tree).
 */
export function adderTreeFp32(values: Float32Array, n: number): number {
  let w = n;
  while (w > 1) {
    const half = w >> 1;
    for (let i = 0; i < half; i++) values[i] = values[2 * i]! + values[2 * i + 1]!;
    if (w & 1) {
      values[half] = values[w - 1]!;
      w = half + 1;
    } else {
      w = half;
    }
  }
  return values[0]!;
}
