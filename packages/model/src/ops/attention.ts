import { softmax } from './softmax.js';

/** Head layout of grouped-query attention. */
export interface AttentionShape {
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads; query head h reads KV head floor(h / (heads / kvHeads)) (Transformers' repeat_kv). */
  readonly kvHeads: number;
  readonly headDim: number;
}

/**
 * Causal grouped-query attention, softmax(q k^T / sqrt(headDim)) v, per query head:
 * - `q` is [tokens][heads * headDim], the queries of absolute positions
 *   queryStart, ..., queryStart + tokens - 1;
 * - `keys` and `values` are [kvLength][kvHeads * headDim] for positions 0, ..., kvLength - 1
 *   (the KV cache, including the rows of the current tokens);
 * - query t attends to positions 0 ... queryStart + t (causal mask).
 * Returns [tokens][heads * headDim]. Scores, softmax and the weighted sum are in float64.
 * `queryStart` defaults to kvLength - tokens (the queries are the newest positions).
 */
export function attention(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  shape: AttentionShape,
  queryStart?: number,
): Float32Array {
  const { heads, kvHeads, headDim } = shape;
  for (const [k, v] of Object.entries({ heads, kvHeads, headDim })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`attention: ${k} must be a positive integer, got ${v}`);
  }
  if (heads % kvHeads !== 0) throw new RangeError(`attention: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
  const qRow = heads * headDim;
  const kvRow = kvHeads * headDim;
  if (q.length % qRow !== 0) throw new RangeError(`attention: q has ${q.length} values, not a multiple of heads x headDim = ${qRow}`);
  if (keys.length % kvRow !== 0) throw new RangeError(`attention: keys have ${keys.length} values, not a multiple of kvHeads x headDim = ${kvRow}`);
  if (values.length !== keys.length) throw new RangeError(`attention: values have ${values.length} values but keys have ${keys.length}`);
  const tokens = q.length / qRow;
  const kvLength = keys.length / kvRow;
  const start = queryStart ?? kvLength - tokens;
  if (!Number.isInteger(start) || start < 0 || start + tokens > kvLength) {
    throw new RangeError(`attention: queries at positions [${start}, ${start + tokens}) need keys up to position ${start + tokens - 1}, but only ${kvLength} are given`);
  }
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const out = new Float32Array(q.length);
  const scores = new Float64Array(kvLength);
  const acc = new Float64Array(headDim);
  for (let t = 0; t < tokens; t++) {
    const visible = start + t + 1;
    const s = scores.subarray(0, visible);
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / group);
      const qBase = t * qRow + h * headDim;
      for (let j = 0; j < visible; j++) {
        const kBase = j * kvRow + kvh * headDim;
        let dot = 0;
        for (let d = 0; d < headDim; d++) dot += q[qBase + d]! * keys[kBase + d]!;
        s[j] = dot * scale;
      }
      softmax(s, s);
      acc.fill(0);
      for (let j = 0; j < visible; j++) {
        const p = s[j]!;
        const vBase = j * kvRow + kvh * headDim;
        for (let d = 0; d < headDim; d++) acc[d] = acc[d]! + p * values[vBase + d]!;
      }
      for (let d = 0; d < headDim; d++) out[qBase + d] = acc[d]!;
    }
  }
  return out;
}
