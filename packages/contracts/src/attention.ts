import type { TokenMeta } from '@lut-llm/core';

/**
 * Stream contract of the attention stage (DESIGN.md 1.2 item 5): FP32 grouped-query attention,
 * FlashAttention-style tiles for prefill, FlashDecoding-style split-K for decode.
 *
 * Layouts are row-major, first index outermost, FP32 (Float32Array):
 * - queries `q`: [queryTokens][heads * headDim];
 * - keys / values: [positions][kvHeads * headDim] (one row per position, KV heads side by side);
 * - output: [queryTokens][heads * headDim].
 * Query head h reads KV head floor(h / (heads / kvHeads)) (Transformers' repeat_kv).
 */
export interface AttentionShape {
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads (grouped-query attention: heads is a multiple of kvHeads). */
  readonly kvHeads: number;
  /** Elements per head. */
  readonly headDim: number;
}

/** Qwen3-1.7B (DESIGN.md 4): 16 query heads share 8 KV heads, head dim 128. */
export const QWEN3_1_7B_ATTENTION: AttentionShape = { heads: 16, kvHeads: 8, headDim: 128 };

/** 'prefill': many query tokens, causal among themselves. 'decode': exactly one query token. */
export type AttentionPhase = 'prefill' | 'decode';

/**
 * One attention invocation of one layer (what an HLS host passes as scalar arguments). The
 * queries are the tokens at positions queryStart .. queryStart + queryTokens - 1; the KV history
 * is positions 0 .. queryStart - 1 (read from HBM by the KV prefetcher, arriving as chunks on the
 * `kv` port); the new tokens' own K/V arrive with the queries on the `q` port.
 */
export interface AttentionJob {
  readonly layer: number;
  readonly phase: AttentionPhase;
  readonly queryTokens: number;
  /** Position of the first query token = number of history positions. */
  readonly queryStart: number;
}

/** Metadata of a `q` token: the job it starts. */
export interface AttentionQueryMeta extends TokenMeta, AttentionJob {}

/**
 * Payload of a `q` token (functional mode): the new tokens' queries and their own keys and values
 * (after q/k RMSNorm and RoPE), as the QKV projection produces them.
 */
export interface AttentionQueryPayload {
  /** [queryTokens][heads * headDim] */
  readonly q: Float32Array;
  /** [queryTokens][kvHeads * headDim] */
  readonly k: Float32Array;
  /** [queryTokens][kvHeads * headDim] */
  readonly v: Float32Array;
}

/** Metadata of an `out` token: the job it completes. */
export interface AttentionOutputMeta extends TokenMeta, AttentionJob {}

/**
 * Port names of the attention actor. `kv`, `carryIn` and `carryOut` exist only when some job has
 * a KV history (queryStart > 0). `carryOut` -> `carryIn` is a self-loop stream (depth 2): the
 * running softmax state (max, sum, accumulator) that hardware keeps in registers is made an
 * explicit token so that every kernel stays a pure function of its inputs.
 */
export const ATTENTION_PORTS = { q: 'q', kv: 'kv', carryIn: 'carryIn', carryOut: 'carryOut', out: 'out' } as const;
