import type { AttentionJob, AttentionShape } from '@lut-llm/contracts';
import { asBuiltAttentionCycles } from './as-built.js';
import { historyChunks } from './job.js';
import type { AttentionHardwareParams } from './params.js';

/** Softmax algorithm of a block: online with rescaling (prefill) or a split-K partial (decode). */
export type AttentionAlgorithm = 'online' | 'split-k';

/** Cycles of one block of keys against a job's queries (the three engines run as a pipeline over tile pairs). */
export interface BlockCycles {
  /** Tile pairs computed (pairs entirely above the causal diagonal are skipped). */
  readonly tilePairs: number;
  /** Sum over pairs of each engine's cycles. */
  readonly qkCycles: number;
  readonly softmaxCycles: number;
  readonly pvCycles: number;
  /** Sum over pairs of max(qk, softmax, pv): the pipelined engines' throughput bound. */
  readonly cycles: number;
  /** QK^T multiply-accumulates issued (diagonal tiles are computed whole, then masked). */
  readonly qkMacs: number;
}

/** A block of key positions seen by a job's queries. */
export interface AttentionBlock {
  readonly queryTokens: number;
  /** Absolute position of query 0 (causal: query t sees positions <= queryStart + t). */
  readonly queryStart: number;
  readonly positionStart: number;
  readonly positions: number;
  readonly algorithm: AttentionAlgorithm;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * Cycles of one block. Tiles: online (prefill) walks queryTileRows x kvTilePositions tiles; a
 * split-K block (decode) is one tile of all its positions (its scores are buffered for the
 * two-pass max/exp). Per tile pair of r query rows and c key positions, H heads, D head dim:
 *   QK^T:    ceil(r c D H / qkMacsPerCycle)
 *   softmax: ceil((r c H + [online] r H) / expPerCycle)       (the r H extra exps are alpha = exp(m - m'))
 *   PV:      ceil((r c D H + [online] r H D) / pvMacsPerCycle) (the r H D extra MACs rescale acc by alpha)
 * and the pair costs the max of the three (the engines are a dataflow pipeline over pairs).
 */
export function attentionBlockCycles(params: AttentionHardwareParams, block: AttentionBlock): BlockCycles {
  const { heads: H, headDim: D } = params.shape;
  const online = block.algorithm === 'online';
  const rowTile = online ? params.queryTileRows : block.queryTokens;
  const colTile = online ? params.kvTilePositions : block.positions;
  let tilePairs = 0;
  let qk = 0;
  let sm = 0;
  let pv = 0;
  let cycles = 0;
  let macs = 0;
  for (let t0 = 0; t0 < block.queryTokens; t0 += rowTile) {
    const r = Math.min(rowTile, block.queryTokens - t0);
    const lastVisible = block.queryStart + t0 + r - 1; // absolute position
    for (let j0 = 0; j0 < block.positions; j0 += colTile) {
      if (block.positionStart + j0 > lastVisible) break;
      const c = Math.min(colTile, block.positions - j0);
      const m = r * c * D * H;
      const q1 = ceilDiv(m, params.qkMacsPerCycle);
      const s1 = ceilDiv(r * c * H + (online ? r * H : 0), params.expPerCycle);
      const p1 = ceilDiv(m + (online ? r * H * D : 0), params.pvMacsPerCycle);
      tilePairs++;
      qk += q1;
      sm += s1;
      pv += p1;
      cycles += Math.max(q1, s1, p1);
      macs += m;
    }
  }
  return { tilePairs, qkCycles: qk, softmaxCycles: sm, pvCycles: pv, cycles, qkMacs: macs };
}

/**
 * Pipeline fill, paid once per job: a QK^T dot (multiply + ceil(log2 D) adder-tree levels), the
 * 1/sqrt(D) scale (multiply), the exp, and the PV multiply-add.
 */
export function attentionPipelineFillCycles(params: AttentionHardwareParams): number {
  const { fmulLatencyCycles: mul, faddLatencyCycles: add, expLatencyCycles: exp } = params;
  return mul + Math.ceil(Math.log2(params.shape.headDim)) * add + mul + exp + mul + add;
}

/**
 * Split-K reduction of `partials` partial states for `queryTokens` rows per head:
 * exp latency + max(ceil(H T P / expPerCycle), ceil(H T P D / pvMacsPerCycle)) + multiply + add
 * (one weight exp(m_c - M) per partial, one weighted accumulate of its D values).
 */
export function splitKReductionCycles(params: AttentionHardwareParams, queryTokens: number, partials: number): number {
  const { heads: H, headDim: D } = params.shape;
  const n = H * queryTokens * partials;
  return params.expLatencyCycles + Math.max(ceilDiv(n, params.expPerCycle), ceilDiv(n * D, params.pvMacsPerCycle)) + params.fmulLatencyCycles + params.faddLatencyCycles;
}

/**
 * Final normalisation out = acc x (1 / l): divide latency + max(ceil(H T / reciprocalsPerCycle),
 * ceil(H T D / pvMacsPerCycle)) + multiply latency.
 */
export function normalizationCycles(params: AttentionHardwareParams, queryTokens: number): number {
  const { heads: H, headDim: D } = params.shape;
  const rows = H * queryTokens;
  return params.divLatencyCycles + Math.max(ceilDiv(rows, params.reciprocalsPerCycle), ceilDiv(rows * D, params.pvMacsPerCycle)) + params.fmulLatencyCycles;
}

/**
 * Cycles after the last block's throughput: fill + [split-K decode] reduction + normalisation
 * (pipelined unit); 0 for the as-built unit, whose job cycles are all in its last firing.
 */
export function attentionTailCycles(params: AttentionHardwareParams, job: AttentionJob): number {
  if (params.implementation === 'as-built') return 0;
  const partials = 1 + historyChunks(job.queryStart, params.kvChunkPositions).length;
  const reduce = job.phase === 'decode' && params.decodeSplitK ? splitKReductionCycles(params, job.queryTokens, partials) : 0;
  return attentionPipelineFillCycles(params) + reduce + normalizationCycles(params, job.queryTokens);
}

/** Cost of one firing of the attention actor. */
export interface AttentionFiringCost {
  readonly kind: 'q' | 'kv';
  /** Throughput cycles of the block (the firing's initiation interval). */
  readonly iiCycles: number;
  /** Start -> output readable: iiCycles, plus the tail on the job's last firing. */
  readonly latencyCycles: number;
  /** Key positions of the block. */
  readonly positionStart: number;
  readonly positions: number;
}

/**
 * Firings of one job: the `q` firing (new tokens against their own keys, causal), then one `kv`
 * firing per history chunk; the last one adds the tail (fill, reduction, normalisation).
 */
export function attentionFiringCosts(params: AttentionHardwareParams, job: AttentionJob): AttentionFiringCost[] {
  if (params.implementation === 'as-built') return asBuiltFiringCosts(params, job);
  const algorithm: AttentionAlgorithm = job.phase === 'decode' && params.decodeSplitK ? 'split-k' : 'online';
  const blocks = [{ kind: 'q' as const, positionStart: job.queryStart, positions: job.queryTokens }, ...historyChunks(job.queryStart, params.kvChunkPositions).map((c) => ({ kind: 'kv' as const, ...c }))];
  const tail = attentionTailCycles(params, job);
  return blocks.map((b, i) => {
    const ii = Math.max(1, attentionBlockCycles(params, { queryTokens: job.queryTokens, queryStart: job.queryStart, positionStart: b.positionStart, positions: b.positions, algorithm }).cycles);
    return { kind: b.kind, iiCycles: ii, latencyCycles: ii + (i === blocks.length - 1 ? tail : 0), positionStart: b.positionStart, positions: b.positions };
  });
}

/** Cycles of a job whose KV history is already on chip: the sum of block cycles plus the tail. */
export function attentionJobCycles(params: AttentionHardwareParams, job: AttentionJob): number {
  return attentionFiringCosts(params, job).reduce((s, f) => s + f.iiCycles, 0) + attentionTailCycles(params, job);
}

/** Bytes of K and V per position of one layer: 2 x kvHeads x headDim x bytesPerElement. */
export function kvBytesPerPosition(shape: AttentionShape, bytesPerElement: number): number {
  return 2 * shape.kvHeads * shape.headDim * bytesPerElement;
}

/** KV history bytes a job reads from HBM (positions 0 .. queryStart - 1). */
export function attentionKvHistoryBytes(shape: AttentionShape, job: AttentionJob, bytesPerElement: number): number {
  return job.queryStart * kvBytesPerPosition(shape, bytesPerElement);
}

/**
 * Cycles to stream a job's KV history from HBM at `bytesPerCycle` (e.g. the kvRead channel group,
 * 2 channels x 32 B), chunk by chunk, excluding the read latency: sum over chunks of
 * ceil(chunk bytes / bytesPerCycle).
 */
export function attentionKvReadCycles(params: AttentionHardwareParams, job: AttentionJob, bytesPerCycle: number, bytesPerElement: number): number {
  const perPos = kvBytesPerPosition(params.shape, bytesPerElement);
  return historyChunks(job.queryStart, params.kvChunkPositions).reduce((s, c) => s + ceilDiv(c.positions * perPos, bytesPerCycle), 0);
}

/**
 * Firings of one job on the as-built unit: the `q` firing and the history chunks only fill the
 * on-chip K/V buffers (1 cycle each: the chunks stream in at the KV read rate, which the
 * prefetcher models); the job's last firing runs the three tasks over the whole context
 * ({@link asBuiltAttentionCycles}), so the job costs exactly that many cycles after its last input.
 */
function asBuiltFiringCosts(params: AttentionHardwareParams, job: AttentionJob): AttentionFiringCost[] {
  const blocks = [{ kind: 'q' as const, positionStart: job.queryStart, positions: job.queryTokens }, ...historyChunks(job.queryStart, params.kvChunkPositions).map((c) => ({ kind: 'kv' as const, ...c }))];
  const total = asBuiltAttentionCycles(params, job).cycles;
  return blocks.map((b, i) => {
    const last = i === blocks.length - 1;
    const ii = last ? Math.max(1, total - (blocks.length - 1)) : 1;
    return { kind: b.kind, iiCycles: ii, latencyCycles: ii, positionStart: b.positionStart, positions: b.positions };
  });
}
