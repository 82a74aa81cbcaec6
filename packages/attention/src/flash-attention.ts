import type { AttentionShape } from '@lut-llm/contracts';
import { dotFp32Tree } from './dot.js';
import type { KvBlock } from './kv-block.js';
import type { SoftmaxState } from './softmax-state.js';

const f = Math.fround;

export interface OnlineBlockOptions {
  /** Absolute position of query token 0 (query t may see positions <= queryStart + t). */
  readonly queryStart: number;
  /** Query rows per tile. */
  readonly queryTileRows: number;
  /** Key positions per tile. */
  readonly kvTilePositions: number;
}

/**
 * FlashAttention(-2) step over one block of keys: for each query tile x KV tile that is not
 * entirely masked, scores s = (q . k) / sqrt(headDim) (FP32 adder-tree dots), then per row the
 * online softmax update
 *   m' = max(m, max_j s_j),  alpha = exp(m - m'),  l' = alpha l + sum_j exp(s_j - m'),
 *   acc' = alpha acc + sum_j exp(s_j - m') v_j
 * in FP32 (exp evaluated in float64 and rounded to FP32, as an FP32 exp core returns it).
 * Causal: query t sees key position p only if p <= queryStart + t. Updates `state` in place.
 */
export function attendBlockOnline(state: SoftmaxState, q: Float32Array, block: KvBlock, shape: AttentionShape, opts: OnlineBlockOptions): void {
  const { heads, kvHeads, headDim } = shape;
  const T = state.queryTokens;
  const group = heads / kvHeads;
  const qRow = heads * headDim;
  const kvRow = kvHeads * headDim;
  const scale = f(1 / Math.sqrt(headDim));
  const scratch = new Float32Array(headDim);
  const scores = new Float32Array(opts.kvTilePositions);
  const { positionStart: p0, positions: P, k, v } = block;
  for (let t0 = 0; t0 < T; t0 += opts.queryTileRows) {
    const t1 = Math.min(T, t0 + opts.queryTileRows);
    // Last key index (within the block) visible to the tile's last row.
    const lastVisible = opts.queryStart + t1 - 1 - p0;
    for (let j0 = 0; j0 < P && j0 <= lastVisible; j0 += opts.kvTilePositions) {
      const j1 = Math.min(P, j0 + opts.kvTilePositions);
      for (let t = t0; t < t1; t++) {
        const jEnd = Math.min(j1, opts.queryStart + t - p0 + 1);
        if (jEnd <= j0) continue;
        for (let h = 0; h < heads; h++) {
          const kvh = Math.floor(h / group);
          const qo = t * qRow + h * headDim;
          const r = t * heads + h;
          let mTile = -Infinity;
          for (let j = j0; j < jEnd; j++) {
            const s = f(dotFp32Tree(q, qo, k, j * kvRow + kvh * headDim, headDim, scratch) * scale);
            scores[j - j0] = s;
            if (s > mTile) mTile = s;
          }
          const mOld = state.max[r]!;
          const mNew = mOld > mTile ? mOld : mTile;
          const ao = r * headDim;
          let sum = 0;
          if (mOld !== -Infinity) {
            const alpha = f(Math.exp(f(mOld - mNew)));
            sum = f(state.sum[r]! * alpha);
            for (let d = 0; d < headDim; d++) state.acc[ao + d] = f(state.acc[ao + d]! * alpha);
          }
          for (let j = j0; j < jEnd; j++) {
            const p = f(Math.exp(f(scores[j - j0]! - mNew)));
            sum = f(sum + p);
            const vo = j * kvRow + kvh * headDim;
            for (let d = 0; d < headDim; d++) state.acc[ao + d] = f(state.acc[ao + d]! + f(p * v[vo + d]!));
          }
          state.max[r] = mNew;
          state.sum[r] = sum;
        }
      }
    }
  }
}
