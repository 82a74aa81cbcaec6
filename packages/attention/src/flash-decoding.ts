import type { AttentionShape } from '@lut-llm/contracts';
import { dotFp32Tree } from './dot.js';
import type { KvBlock } from './kv-block.js';
import { emptySoftmaxState, type SoftmaxState } from './softmax-state.js';

const f = Math.fround;

/**
 * FlashDecoding split: the partial softmax state of the queries over one chunk of keys alone,
 * two passes over the chunk's scores (max first, then exp, sum and the weighted sum of values),
 * so no rescaling inside a chunk; chunks are independent and merged by `mergeSoftmaxStates`.
 * Causal as in `attendBlockOnline` (query t sees positions <= queryStart + t). FP32 throughout.
 */
export function attendChunkPartial(q: Float32Array, queryTokens: number, block: KvBlock, shape: AttentionShape, queryStart: number): SoftmaxState {
  const { heads, kvHeads, headDim } = shape;
  const group = heads / kvHeads;
  const qRow = heads * headDim;
  const kvRow = kvHeads * headDim;
  const scale = f(1 / Math.sqrt(headDim));
  const scratch = new Float32Array(headDim);
  const scores = new Float32Array(block.positions);
  const state = emptySoftmaxState(queryTokens, heads, headDim);
  const { positionStart: p0, k, v } = block;
  for (let t = 0; t < queryTokens; t++) {
    const jEnd = Math.min(block.positions, queryStart + t - p0 + 1);
    if (jEnd <= 0) continue;
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / group);
      const qo = t * qRow + h * headDim;
      const r = t * heads + h;
      let m = -Infinity;
      for (let j = 0; j < jEnd; j++) {
        const s = f(dotFp32Tree(q, qo, k, j * kvRow + kvh * headDim, headDim, scratch) * scale);
        scores[j] = s;
        if (s > m) m = s;
      }
      let sum = 0;
      const ao = r * headDim;
      for (let j = 0; j < jEnd; j++) {
        const p = f(Math.exp(f(scores[j]! - m)));
        sum = f(sum + p);
        const vo = j * kvRow + kvh * headDim;
        for (let d = 0; d < headDim; d++) state.acc[ao + d] = f(state.acc[ao + d]! + f(p * v[vo + d]!));
      }
      state.max[r] = m;
      state.sum[r] = sum;
    }
  }
  return state;
}
