import { adderTreeFp32 } from '@lut-llm/contracts';

/**
 * FP32 sum of values[offset .. offset + n) as the SFU's datapath adds them: `lanes` accumulators
 * (lane l takes elements l, l + lanes, ...), each sum rounded to FP32, then the lanes merged by a
 * pairwise adder tree. (A pipelined FP32 adder also interleaves a few partial sums per lane; that
 * only reassociates further, within FP32 rounding.)
 */
export function laneSumFp32(values: Float32Array, offset: number, n: number, lanes: number): number {
  const acc = new Float32Array(Math.min(lanes, Math.max(1, n)));
  const L = acc.length;
  for (let i = 0; i < n; i++) acc[i % L] = acc[i % L]! + values[offset + i]!;
  return adderTreeFp32(acc, L);
}
