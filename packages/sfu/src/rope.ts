const f = Math.fround;

/** inv_freq[i] = theta^(-2i / headDim), i in [0, headDim/2) (Hugging Face default RoPE), float64. */
export function ropeInverseFrequencies(headDim: number, theta: number): Float64Array {
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2 !== 0) throw new RangeError(`rope: headDim must be an even integer >= 2, got ${headDim}`);
  if (!(theta > 0) || !Number.isFinite(theta)) throw new RangeError(`rope: theta must be a finite number > 0, got ${theta}`);
  const half = headDim / 2;
  return Float64Array.from({ length: half }, (_, i) => Math.pow(theta, (-2 * i) / headDim));
}

/** Qwen3's RoPE base. */
export const QWEN3_ROPE_THETA = 1_000_000;

/**
 * Rotary position embedding, Hugging Face "rotate half" (Qwen3): in every head element i pairs
 * with element i + headDim/2, rotated by angle = position x inv_freq[i]:
 *   y[i]        = x[i] cos - x[i + h] sin
 *   y[i + h]    = x[i + h] cos + x[i] sin          (h = headDim / 2)
 * `x` is [tokens][heads][headDim] for consecutive positions from `positionStart`. The cos/sin
 * table entries are computed in float64 and rounded to FP32 (a precomputed table, as the design
 * streams from its RoPE channel); products and sums are FP32. (Transformers computes the angle
 * itself in FP32, which differs by up to ~position x 6e-8 rad.)
 */
export function ropeFp32(x: Float32Array, positionStart: number, heads: number, headDim: number, theta: number = QWEN3_ROPE_THETA): Float32Array {
  const inv = ropeInverseFrequencies(headDim, theta);
  const rowLen = heads * headDim;
  if (!Number.isInteger(heads) || heads < 1) throw new RangeError(`rope: heads must be an integer >= 1, got ${heads}`);
  if (x.length % rowLen !== 0) throw new RangeError(`rope: input has ${x.length} values, not a multiple of heads x headDim = ${rowLen}`);
  if (!Number.isInteger(positionStart) || positionStart < 0) throw new RangeError(`rope: positionStart must be an integer >= 0, got ${positionStart}`);
  const tokens = x.length / rowLen;
  const half = headDim / 2;
  const out = new Float32Array(x.length);
  for (let t = 0; t < tokens; t++) {
    const pos = positionStart + t;
    for (let i = 0; i < half; i++) {
      const angle = pos * inv[i]!;
      const c = f(Math.cos(angle));
      const s = f(Math.sin(angle));
      for (let h = 0; h < heads; h++) {
        const o = t * rowLen + h * headDim;
        const x1 = x[o + i]!;
        const x2 = x[o + i + half]!;
        out[o + i] = f(f(x1 * c) - f(x2 * s));
        out[o + i + half] = f(f(x2 * c) + f(x1 * s));
      }
    }
  }
  return out;
}
