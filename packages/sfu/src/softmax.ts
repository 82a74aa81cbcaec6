import { laneSumFp32 } from './lane-sum.js';
import type { ReductionMode } from './params.js';
import { checkRows } from './rms-norm.js';

const f = Math.fround;

/**
 * Softmax of each row, FP32. 'two-pass': max, then e = exp(x - max) and their lane sum, then
 * e x (1/sum). 'one-pass': each lane keeps an online (max, sum), rescaling its sum by
 * exp(old max - new max) when the max grows; lanes merge at the end; the drain recomputes
 * exp(x - max) from the row buffer and scales it.
 */
export function softmaxFp32(x: Float32Array, rowLength: number, opts: { lanes?: number; mode?: ReductionMode } = {}): Float32Array {
  const rows = checkRows(x, rowLength, 'softmax');
  const lanes = Math.min(opts.lanes ?? 16, rowLength);
  const out = new Float32Array(x.length);
  const e = new Float32Array(rowLength);
  const laneMax = new Float64Array(lanes);
  const laneSum = new Float32Array(lanes);
  for (let r = 0; r < rows; r++) {
    const o = r * rowLength;
    let max = -Infinity;
    let sum: number;
    if (opts.mode === 'one-pass') {
      laneMax.fill(-Infinity);
      laneSum.fill(0);
      for (let i = 0; i < rowLength; i++) {
        const l = i % lanes;
        const v = x[o + i]!;
        const m = laneMax[l]!;
        if (v === -Infinity) continue;
        if (v > m) {
          laneSum[l] = f(f(laneSum[l]! * f(Math.exp(f(m - v)))) + 1);
          laneMax[l] = v;
        } else {
          laneSum[l] = laneSum[l]! + f(Math.exp(f(v - m)));
        }
      }
      for (let l = 0; l < lanes; l++) if (laneMax[l]! > max) max = laneMax[l]!;
      for (let l = 0; l < lanes; l++) e[l] = laneSum[l]! * f(Math.exp(f(laneMax[l]! - max)));
      sum = laneSumFp32(e, 0, lanes, lanes);
      for (let i = 0; i < rowLength; i++) e[i] = Math.exp(f(x[o + i]! - max));
    } else {
      for (let i = 0; i < rowLength; i++) if (x[o + i]! > max) max = x[o + i]!;
      for (let i = 0; i < rowLength; i++) e[i] = Math.exp(f(x[o + i]! - max));
      sum = laneSumFp32(e, 0, rowLength, lanes);
    }
    if (max === -Infinity) throw new RangeError(`softmax: row ${r} is all -Infinity`);
    const inv = f(1 / sum);
    for (let i = 0; i < rowLength; i++) out[o + i] = e[i]! * inv;
  }
  return out;
}
