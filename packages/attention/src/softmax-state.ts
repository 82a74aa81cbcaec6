/**
 * The softmax state of FlashAttention / FlashDecoding for `queryTokens x heads` rows: running
 * maximum m, running sum l = sum exp(s - m) and accumulator acc = sum exp(s - m) v. Row r is
 * (token t, head h) with r = t * heads + h. All FP32 (Float32Array), as the hardware keeps them.
 */
export interface SoftmaxState {
  readonly queryTokens: number;
  readonly heads: number;
  readonly headDim: number;
  /** [rows]; -Infinity while a row has seen no key. */
  readonly max: Float32Array;
  /** [rows] */
  readonly sum: Float32Array;
  /** [rows][headDim] */
  readonly acc: Float32Array;
}

/** A state that has seen no key. */
export function emptySoftmaxState(queryTokens: number, heads: number, headDim: number): SoftmaxState {
  const rows = queryTokens * heads;
  return { queryTokens, heads, headDim, max: new Float32Array(rows).fill(-Infinity), sum: new Float32Array(rows), acc: new Float32Array(rows * headDim) };
}

export function cloneSoftmaxState(s: SoftmaxState): SoftmaxState {
  return { queryTokens: s.queryTokens, heads: s.heads, headDim: s.headDim, max: s.max.slice(), sum: s.sum.slice(), acc: s.acc.slice() };
}

const f = Math.fround;

/**
 * Split-K reduction (FlashDecoding): merges partial states computed over disjoint key sets.
 * Per row: M = max_c m_c, w_c = exp(m_c - M), l = sum_c w_c l_c, acc = sum_c w_c acc_c, in FP32,
 * partials taken in the order given.
 */
export function mergeSoftmaxStates(parts: readonly SoftmaxState[]): SoftmaxState {
  if (parts.length === 0) throw new RangeError('mergeSoftmaxStates: no partial state to merge');
  const { queryTokens, heads, headDim } = parts[0]!;
  for (const p of parts) {
    if (p.queryTokens !== queryTokens || p.heads !== heads || p.headDim !== headDim) {
      throw new RangeError(`mergeSoftmaxStates: partial of ${p.queryTokens}x${p.heads}x${p.headDim} does not match ${queryTokens}x${heads}x${headDim}`);
    }
  }
  const out = emptySoftmaxState(queryTokens, heads, headDim);
  const rows = queryTokens * heads;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (const p of parts) if (p.max[r]! > m) m = p.max[r]!;
    if (m === -Infinity) continue;
    let l = 0;
    const o = r * headDim;
    for (const p of parts) {
      const mc = p.max[r]!;
      if (mc === -Infinity) continue;
      const w = f(Math.exp(f(mc - m)));
      l = f(l + f(w * p.sum[r]!));
      for (let d = 0; d < headDim; d++) out.acc[o + d] = f(out.acc[o + d]! + f(w * p.acc[o + d]!));
    }
    out.max[r] = m;
    out.sum[r] = l;
  }
  return out;
}

/**
 * Final normalisation: out[t][h * headDim + d] = acc * (1 / l) (one FP32 reciprocal per row, then
 * multiplies, as the hardware does). Throws if a row saw no key (a causal row always sees itself).
 */
export function finalizeSoftmaxState(s: SoftmaxState): Float32Array {
  const { queryTokens, heads, headDim } = s;
  const out = new Float32Array(queryTokens * heads * headDim);
  for (let r = 0; r < queryTokens * heads; r++) {
    const l = s.sum[r]!;
    if (!(l > 0)) throw new RangeError(`attention: query token ${Math.floor(r / heads)}, head ${r % heads} attended to no key`);
    const inv = f(1 / l);
    const o = r * headDim;
    for (let d = 0; d < headDim; d++) out[o + d] = f(s.acc[o + d]! * inv);
  }
  return out;
}
