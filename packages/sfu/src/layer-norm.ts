import { laneSumFp32 } from './lane-sum.js';
import type { ReductionMode } from './params.js';
import { checkRows } from './rms-norm.js';

const f = Math.fround;

/**
 * LayerNorm of each row, FP32 datapath. 'two-pass': mean, then the variance of (x - mean) (a
 * second traversal). 'one-pass': sum and sum of squares in one traversal, var = E[x^2] - mean^2
 * (cheaper, but it cancels when |mean| >> std: the classic one-pass caveat, kept on purpose).
 */
export function layerNormFp32(
  x: Float32Array,
  rowLength: number,
  eps: number,
  opts: { weight?: Float32Array; bias?: Float32Array; lanes?: number; mode?: ReductionMode } = {},
): Float32Array {
  const rows = checkRows(x, rowLength, 'layerNorm');
  const { weight, bias } = opts;
  const lanes = opts.lanes ?? 16;
  if (weight && weight.length !== rowLength) throw new RangeError(`layerNorm: weight has ${weight.length} values, expected ${rowLength}`);
  if (bias && bias.length !== rowLength) throw new RangeError(`layerNorm: bias has ${bias.length} values, expected ${rowLength}`);
  if (!(eps > 0)) throw new RangeError(`layerNorm: eps must be > 0, got ${eps}`);
  const out = new Float32Array(x.length);
  const tmp = new Float32Array(rowLength);
  const invN = f(1 / rowLength);
  for (let r = 0; r < rows; r++) {
    const o = r * rowLength;
    const mean = f(laneSumFp32(x, o, rowLength, lanes) * invN);
    let variance: number;
    if (opts.mode === 'one-pass') {
      for (let i = 0; i < rowLength; i++) tmp[i] = x[o + i]! * x[o + i]!;
      variance = Math.max(0, f(f(laneSumFp32(tmp, 0, rowLength, lanes) * invN) - f(mean * mean)));
    } else {
      for (let i = 0; i < rowLength; i++) {
        const d = f(x[o + i]! - mean);
        tmp[i] = d * d;
      }
      variance = f(laneSumFp32(tmp, 0, rowLength, lanes) * invN);
    }
    const inv = f(1 / Math.sqrt(f(variance + eps)));
    for (let i = 0; i < rowLength; i++) {
      const y = f(f(f(x[o + i]! - mean) * inv) * (weight ? weight[i]! : 1));
      out[o + i] = bias ? f(y + bias[i]!) : y;
    }
  }
  return out;
}
