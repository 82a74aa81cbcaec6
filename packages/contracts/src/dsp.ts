/**
 * Latencies of the FP32 operators the linear-layer stages build from DSPFP32 slices (DSP58 in
 * floating-point mode, with their pipeline registers), shared so that the centroid search and
 * the LUT-PSum matchers model the same silicon. (The SFU and attention packages still model
 * 4-cycle FP32 operators of their own: see the issue notes.)
 */

/** FP32 add or subtract on a DSPFP32: 3 cycles. */
export const FP32_ADD_LATENCY_CYCLES = 3;
/** FP32 multiply (or fused multiply-add) on a DSPFP32: 3 cycles. */
export const FP32_MUL_LATENCY_CYCLES = 3;
