import { laneSumFp32 } from './lane-sum.js';

const f = Math.fround;

function checkRows(x: Float32Array, rowLength: number, who: string): number {
  if (!Number.isInteger(rowLength) || rowLength < 1) throw new RangeError(`${who}: row length must be an integer >= 1, got ${rowLength}`);
  if (x.length % rowLength !== 0) throw new RangeError(`${who}: input has ${x.length} values, not a multiple of the row length ${rowLength}`);
  return x.length / rowLength;
}

/**
 * RMSNorm of each row of `rowLength` values, FP32 datapath: squares rounded to FP32, summed over
 * `lanes` accumulators (laneSumFp32), mean = sum x (1/n), r = 1/sqrt(mean + eps) rounded to FP32,
 * y = (x r) w. `weight` (length rowLength) defaults to ones.
 */
export function rmsNormFp32(x: Float32Array, rowLength: number, eps: number, weight?: Float32Array, lanes = 16): Float32Array {
  const rows = checkRows(x, rowLength, 'rmsNorm');
  if (weight && weight.length !== rowLength) throw new RangeError(`rmsNorm: weight has ${weight.length} values, expected ${rowLength}`);
  if (!(eps > 0)) throw new RangeError(`rmsNorm: eps must be > 0, got ${eps}`);
  const out = new Float32Array(x.length);
  const sq = new Float32Array(rowLength);
  const invN = f(1 / rowLength);
  for (let r = 0; r < rows; r++) {
    const o = r * rowLength;
    for (let i = 0; i < rowLength; i++) sq[i] = x[o + i]! * x[o + i]!;
    const mean = f(laneSumFp32(sq, 0, rowLength, lanes) * invN);
    const inv = f(1 / Math.sqrt(f(mean + eps)));
    for (let i = 0; i < rowLength; i++) out[o + i] = f(f(x[o + i]! * inv) * (weight ? weight[i]! : 1));
  }
  return out;
}

/**
 * Qwen3's q_norm / k_norm: RMSNorm of every head (headDim values) of every token, with one
 * headDim weight shared by the heads. `x` is [tokens][heads][headDim].
 */
export function qkRmsNormFp32(x: Float32Array, heads: number, headDim: number, eps: number, weight?: Float32Array, lanes = 16): Float32Array {
  if (x.length % (heads * headDim) !== 0) throw new RangeError(`qkRmsNorm: input has ${x.length} values, not a multiple of heads x headDim = ${heads * headDim}`);
  return rmsNormFp32(x, headDim, eps, weight, lanes);
}

export { checkRows };
