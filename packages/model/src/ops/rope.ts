/** inv_freq[i] = theta^(-2i / headDim), i in [0, headDim/2) (Hugging Face default RoPE). */
export function ropeInverseFrequencies(headDim: number, theta: number): Float64Array {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2 !== 0) throw new RangeError(`RoPE: headDim must be a positive even integer, got ${headDim}`);
  if (!(theta > 0) || !Number.isFinite(theta)) throw new RangeError(`RoPE: theta must be a finite number > 0, got ${theta}`);
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = Math.pow(theta, (-2 * i) / headDim);
  return inv;
}

/**
 * Rotary position embedding, Hugging Face "rotate half" convention: in every head, element i is
 * paired with element i + headDim/2 and the pair is rotated by the angle position * inv_freq[i]:
 *   y[i]        = x[i] cos - x[i + h] sin
 *   y[i + h]    = x[i + h] cos + x[i] sin          (h = headDim / 2)
 * `x` is [tokens][heads][headDim] with tokens = positions.length. Angles are computed in float64
 * (Transformers computes them in FP32; the difference grows with position * frequency).
 * `out` may be `x` (in place).
 */
export function applyRope(
  x: Float32Array,
  positions: ArrayLike<number>,
  heads: number,
  headDim: number,
  theta: number,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  const tokens = positions.length;
  if (x.length !== tokens * heads * headDim) {
    throw new RangeError(`applyRope: input has ${x.length} values, expected tokens x heads x headDim = ${tokens} x ${heads} x ${headDim}`);
  }
  if (out.length !== x.length) throw new RangeError(`applyRope: output length ${out.length} differs from input length ${x.length}`);
  const inv = ropeInverseFrequencies(headDim, theta);
  const half = headDim / 2;
  for (let t = 0; t < tokens; t++) {
    const pos = positions[t]!;
    if (!Number.isInteger(pos) || pos < 0) throw new RangeError(`applyRope: position ${pos} (token ${t}) must be a non-negative integer`);
    for (let i = 0; i < half; i++) {
      const angle = pos * inv[i]!;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const base = (t * heads + h) * headDim;
        const x1 = x[base + i]!;
        const x2 = x[base + i + half]!;
        out[base + i] = x1 * c - x2 * s;
        out[base + i + half] = x2 * c + x1 * s;
      }
    }
  }
  return out;
}
