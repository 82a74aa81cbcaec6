import type { AttentionOutputMeta, AttentionQueryMeta, AttentionQueryPayload, KvChunkPayload, StageTile, TileToken } from '@lut-llm/contracts';
import { map, type OperatorFunction } from 'rxjs';
import { attentionFiringCosts, attentionJobCycles } from './cycle-model.js';
import { attendHistoryChunk, beginAttentionJob, finishAttentionJob, historyChunks, validateAttentionJob } from './job.js';
import { resolveAttentionParams, type AttentionHardwareParams } from './params.js';

/**
 * One attention job: its `q` token (the job's fields as metadata; the new tokens' queries and
 * own K/V as payload) and, when it has a history (queryStart > 0), K and V of history positions
 * 0 .. queryStart - 1, each [queryStart][kvHeads x headDim].
 */
export interface AttentionInput extends TileToken<AttentionQueryMeta, AttentionQueryPayload> {
  readonly history?: KvChunkPayload;
}

/** What the operator emits per job: the attention output [queryTokens][heads x headDim] and the unit's cost for the job. */
export type AttentionTile = StageTile<AttentionOutputMeta, Float32Array>;

/**
 * The attention unit as an RxJS operator over jobs: for each job it runs the unit's kernel the
 * way the actor does (the new tokens' own block, then the history in chunks of
 * `kvChunkPositions`, FlashAttention online softmax for prefill, split-K for decode) and emits
 * the output with the cycle model's cost: `iiCycles` = the sum of the job's firings' initiation
 * intervals (`attentionFiringCosts`: the unit is busy that long) and `latencyCycles` =
 * `attentionJobCycles` (job start -> output readable, tail included). A job that does not fit
 * the hardware or history of the wrong length is a RangeError on `error`. Synchronous.
 *
 * ## Example
 * ```ts
 * jobs$.pipe(attention({ shape: QWEN3_1_7B_ATTENTION })) // one output tile per job
 * ```
 */
export function attention(params: Partial<AttentionHardwareParams> = {}): OperatorFunction<AttentionInput, AttentionTile> {
  const hw = resolveAttentionParams(params, 'attention operator');
  const row = hw.shape.kvHeads * hw.shape.headDim;
  return map(({ meta, payload, history }): AttentionTile => {
    const job = { layer: meta.layer, phase: meta.phase, queryTokens: meta.queryTokens, queryStart: meta.queryStart };
    const who = `attention operator (layer ${job.layer} ${job.phase} at ${job.queryStart})`;
    validateAttentionJob(job, hw, who);
    const n = job.queryStart * row;
    if (job.queryStart > 0 && (!history || history.k.length !== n || history.v.length !== n)) {
      throw new RangeError(`${who}: history K and V must be ${job.queryStart} positions x ${row} = ${n} values each, got ${history ? `${history.k.length} and ${history.v.length}` : 'none'}`);
    }
    let carry = beginAttentionJob(job, payload, hw, who);
    for (const c of historyChunks(job.queryStart, hw.kvChunkPositions)) {
      const s = c.positionStart * row;
      const e = (c.positionStart + c.positions) * row;
      carry = attendHistoryChunk(carry, { ...c, k: history!.k.subarray(s, e), v: history!.v.subarray(s, e) }, hw, who);
    }
    const iiCycles = attentionFiringCosts(hw, job).reduce((s, f) => s + f.iiCycles, 0);
    const out: AttentionOutputMeta = { ...job, ...(meta.index !== undefined ? { index: meta.index } : {}), ...(meta.last !== undefined ? { last: meta.last } : {}) };
    return { meta: out, payload: finishAttentionJob(carry, who), iiCycles, latencyCycles: attentionJobCycles(hw, job) };
  });
}
