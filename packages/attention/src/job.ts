import type { AttentionJob, AttentionQueryPayload } from '@lut-llm/contracts';
import { attendBlockOnline } from './flash-attention.js';
import { attendChunkPartial } from './flash-decoding.js';
import { checkKvBlock, checkQueries, type KvBlock } from './kv-block.js';
import type { AttentionHardwareParams } from './params.js';
import { cloneSoftmaxState, emptySoftmaxState, finalizeSoftmaxState, mergeSoftmaxStates, type SoftmaxState } from './softmax-state.js';

/** One chunk of the KV history: positions positionStart .. positionStart + positions - 1. */
export interface HistoryChunk {
  readonly positionStart: number;
  readonly positions: number;
}

/** The history positions 0 .. queryStart - 1 cut into chunks of `chunkPositions` (the last may be shorter). */
export function historyChunks(queryStart: number, chunkPositions: number): HistoryChunk[] {
  const out: HistoryChunk[] = [];
  for (let p = 0; p < queryStart; p += chunkPositions) out.push({ positionStart: p, positions: Math.min(chunkPositions, queryStart - p) });
  return out;
}

/**
 * Checks a job against the unit: positive integer sizes, decode has exactly one query token, and
 * history + new tokens fit the KV capacity (a longer context is an error, never a wrong answer).
 */
export function validateAttentionJob(job: AttentionJob, params: AttentionHardwareParams, who = 'attention'): void {
  if (job.phase !== 'prefill' && job.phase !== 'decode') throw new RangeError(`${who}: job phase must be 'prefill' or 'decode', got '${String(job.phase)}'`);
  if (!Number.isInteger(job.layer) || job.layer < 0) throw new RangeError(`${who}: job layer must be an integer >= 0, got ${job.layer}`);
  if (!Number.isInteger(job.queryTokens) || job.queryTokens < 1) throw new RangeError(`${who}: job queryTokens must be an integer >= 1, got ${job.queryTokens}`);
  if (!Number.isInteger(job.queryStart) || job.queryStart < 0) throw new RangeError(`${who}: job queryStart must be an integer >= 0, got ${job.queryStart}`);
  if (job.phase === 'decode' && job.queryTokens !== 1) throw new RangeError(`${who}: a decode job has exactly 1 query token, got ${job.queryTokens}`);
  const context = job.queryStart + job.queryTokens;
  if (context > params.maxContextPositions) {
    throw new RangeError(
      `${who}: layer ${job.layer} ${job.phase} needs ${context} KV positions (history ${job.queryStart} + ${job.queryTokens} new) but the KV capacity is ${params.maxContextPositions} positions (maxContextPositions)`,
    );
  }
}

interface CarryBase {
  readonly job: AttentionJob;
  readonly q: Float32Array;
  /** Next history position expected (chunks arrive in order from position 0). */
  readonly nextPosition: number;
}

/** Prefill: one running online-softmax state (FlashAttention). */
export interface OnlineCarry extends CarryBase {
  readonly algorithm: 'online';
  readonly state: SoftmaxState;
}

/** Decode: one partial per chunk, reduced at the end (FlashDecoding split-K). */
export interface SplitKCarry extends CarryBase {
  readonly algorithm: 'split-k';
  readonly partials: readonly SoftmaxState[];
}

/** What travels on the attention actor's carry loop between the firings of one job. */
export type AttentionCarry = OnlineCarry | SplitKCarry;

/**
 * Starts a job: attends the new tokens to their own keys (causal) — the `q` firing. Prefill runs
 * the online update over the new block; decode computes the new token's partial.
 */
export function beginAttentionJob(job: AttentionJob, input: AttentionQueryPayload, params: AttentionHardwareParams, who = 'attention'): AttentionCarry {
  validateAttentionJob(job, params, who);
  const { shape } = params;
  checkQueries(input.q, job.queryTokens, shape, who);
  const block: KvBlock = { positionStart: job.queryStart, positions: job.queryTokens, k: input.k, v: input.v };
  checkKvBlock(block, shape, `${who} (the new tokens' own K/V)`);
  if (job.phase === 'decode' && params.decodeSplitK) {
    const partial = attendChunkPartial(input.q, 1, block, shape, job.queryStart);
    return { algorithm: 'split-k', job, q: input.q, nextPosition: 0, partials: [partial] };
  }
  const state = emptySoftmaxState(job.queryTokens, shape.heads, shape.headDim);
  attendBlockOnline(state, input.q, block, shape, { queryStart: job.queryStart, queryTileRows: params.queryTileRows, kvTilePositions: params.kvTilePositions });
  return { algorithm: 'online', job, q: input.q, nextPosition: 0, state };
}

/** Attends one history chunk (a `kv` firing). Returns a new carry; the input carry is not modified. */
export function attendHistoryChunk(carry: AttentionCarry, chunk: KvBlock, params: AttentionHardwareParams, who = 'attention'): AttentionCarry {
  const { shape } = params;
  checkKvBlock(chunk, shape, who);
  const end = chunk.positionStart + chunk.positions;
  if (chunk.positionStart !== carry.nextPosition || end > carry.job.queryStart || chunk.positions < 1) {
    throw new RangeError(
      `${who}: expected the history chunk starting at position ${carry.nextPosition} (history is 0..${carry.job.queryStart - 1}), got positions ${chunk.positionStart}..${end - 1}`,
    );
  }
  if (carry.algorithm === 'split-k') {
    const partial = attendChunkPartial(carry.q, carry.job.queryTokens, chunk, shape, carry.job.queryStart);
    return { ...carry, nextPosition: end, partials: [...carry.partials, partial] };
  }
  const state = cloneSoftmaxState(carry.state);
  attendBlockOnline(state, carry.q, chunk, shape, { queryStart: carry.job.queryStart, queryTileRows: params.queryTileRows, kvTilePositions: params.kvTilePositions });
  return { ...carry, nextPosition: end, state };
}

/** Ends a job: split-K reduction (decode) and normalisation. Returns [queryTokens][heads * headDim]. */
export function finishAttentionJob(carry: AttentionCarry, who = 'attention'): Float32Array {
  if (carry.nextPosition !== carry.job.queryStart) {
    throw new RangeError(`${who}: job ended after history position ${carry.nextPosition - 1}, but its history is 0..${carry.job.queryStart - 1}`);
  }
  const state = carry.algorithm === 'split-k' ? mergeSoftmaxStates(carry.partials) : carry.state;
  return finalizeSoftmaxState(state);
}

/**
 * The whole job as the unit computes it, on arrays: `keys` / `values` are [context][kvHeads *
 * headDim] for positions 0 .. queryStart + queryTokens - 1 (history then the new tokens). Same
 * order of operations as the actor (new block, then history chunks in order), so bit-identical.
 */
export function attentionJobFp32(job: AttentionJob, q: Float32Array, keys: Float32Array, values: Float32Array, params: AttentionHardwareParams, who = 'attention'): Float32Array {
  validateAttentionJob(job, params, who);
  const row = params.shape.kvHeads * params.shape.headDim;
  const context = job.queryStart + job.queryTokens;
  if (keys.length !== context * row || values.length !== context * row) {
    throw new RangeError(`${who}: keys and values must be ${context} positions x ${row} = ${context * row} values, got ${keys.length} and ${values.length}`);
  }
  const rows = (a: Float32Array, p: number, n: number) => a.subarray(p * row, (p + n) * row);
  let carry = beginAttentionJob(job, { q, k: rows(keys, job.queryStart, job.queryTokens), v: rows(values, job.queryStart, job.queryTokens) }, params, who);
  for (const c of historyChunks(job.queryStart, params.kvChunkPositions)) {
    carry = attendHistoryChunk(carry, { ...c, k: rows(keys, c.positionStart, c.positions), v: rows(values, c.positionStart, c.positions) }, params, who);
  }
  return finishAttentionJob(carry, who);
}

/**
 * FlashAttention-style causal prefill: `q` is [tokens][heads * headDim] for positions
 * queryStart .. queryStart + tokens - 1; `keys` / `values` hold exactly positions
 * 0 .. queryStart + tokens - 1 (so queryStart defaults to their length minus tokens).
 */
export function flashAttentionPrefill(q: Float32Array, keys: Float32Array, values: Float32Array, params: AttentionHardwareParams, queryStart?: number): Float32Array {
  const { heads, kvHeads, headDim } = params.shape;
  const tokens = q.length / (heads * headDim);
  if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError(`flashAttentionPrefill: q has ${q.length} values, not a positive multiple of heads x headDim = ${heads * headDim}`);
  const context = keys.length / (kvHeads * headDim);
  const start = queryStart ?? context - tokens;
  return attentionJobFp32({ layer: 0, phase: 'prefill', queryTokens: tokens, queryStart: start }, q, keys, values, params, 'flashAttentionPrefill');
}

/** FlashDecoding-style split-K decode of one query token at the last position of `keys`. */
export function flashDecode(q: Float32Array, keys: Float32Array, values: Float32Array, params: AttentionHardwareParams): Float32Array {
  const { kvHeads, headDim } = params.shape;
  const context = keys.length / (kvHeads * headDim);
  return attentionJobFp32({ layer: 0, phase: 'decode', queryTokens: 1, queryStart: context - 1 }, q, keys, values, params, 'flashDecode');
}
