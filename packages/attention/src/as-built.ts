import type { AttentionJob } from '@lut-llm/contracts';
import type { AttentionHardwareParams } from './params.js';

/**
 * Attention as the public LUT-LLM build implements it (repository LUT-FPGA/LUT-LLM, `gqa/gqa.h`,
 * tasks `gemm_gqa_qk`, `softmax`, `gemm_gqa_av`, invoked by `qwen_block/qwen_block.h`; sizes
 * from `config/config.h`). Three TAPA tasks run concurrently, joined by streams of
 * `tapa::vec_t<float, 16>`; per KV group (NUM_GROUPS = 8) each task walks the group's
 * HEAD_PER_GROUP = 2 query heads row by row:
 * - `gemm_gqa_qk`: loads K (`load_kv`: HEAD_DIM / 16 x L iterations, II 1), then for every query
 *   row and EVERY block of 16 keys (no causal skipping) runs `compute_macc` (HEAD_DIM / 16
 *   iterations, II 1) and then the separate `reduction` loop (7 iterations, II 1), one final add
 *   and one write of 16 scores;
 * - `softmax`: per row `exp_sum` (L / 16 iterations, II 1: scale, exp, 16 -> 1 adder tree, running
 *   sum; the causal mask zeroes exponents, it skips nothing), one reciprocal, then `send_exp`
 *   (L / 16 iterations, II 1);
 * - `gemm_gqa_av`: loads V the same way, then per row and per 16-wide slice of the head
 *   (HEAD_DIM / 16 slices) a MAC loop over EVERY key block (L / 16 iterations, II 1), the same
 *   7-iteration reduction, one final add and one write.
 * The derivation and a worked example are in the package README ("Attention as built").
 */
export interface AsBuiltAttentionCycles {
  /** Blocks of 16 keys every query row walks: ceil(keys / 16), all of them (no causal skip). */
  readonly keyBlocks: number;
  /** 16-wide slices of one head: ceil(headDim / 16). */
  readonly headSlices: number;
  /** One K (or V) load of a group: headSlices x ((newTokens - 1) + loadDepth). */
  readonly loadCycles: number;
  /** One QK^T key block: MAC loop + reduction loop + final add + write. */
  readonly qkBlockCycles: number;
  /** Per query row of each task. */
  readonly qkRowCycles: number;
  readonly softmaxRowCycles: number;
  readonly avRowCycles: number;
  /** Rows per group: (heads / kvHeads) x query tokens. */
  readonly rowsPerGroup: number;
  /** One group: K load + V load + one row through all three tasks + (rows - 1) x the slowest task's row. */
  readonly groupCycles: number;
  /** The job: kvHeads groups one after another. */
  readonly cycles: number;
}

/** Lanes of the build's vectors (`tapa::vec_t<float, 16>`): keys per block, head elements per slice. */
export const AS_BUILT_VECTOR_LANES = 16;
/** Trip count of the build's `reduction` loop (k = 1 .. 7: 8 partial sums per half of the 16 lanes). */
export const AS_BUILT_REDUCTION_TRIPS = AS_BUILT_VECTOR_LANES / 2 - 1;
/** Depth of one `load_kv` iteration: stream read, then the BRAM write of 16 floats. */
export const AS_BUILT_LOAD_DEPTH_CYCLES = 2;
/** Read latency of the K/V buffers (`bind_storage ... impl=BRAM`, RAM_1P): 1 cycle. */
export const AS_BUILT_BRAM_READ_CYCLES = 1;

/** A loop pipelined at II = 1 (as every loop of the build's attention is written): N - 1 + depth cycles. */
function pipelinedLoopCycles(trips: number, depthCycles: number): number {
  return trips > 0 ? trips - 1 + depthCycles : 0;
}

/**
 * Cycles of one attention job on the built unit (derivation in the package README). With Tq =
 * job.queryTokens, Lk = job.queryStart + Tq keys, nb = ceil(Lk / 16), ns = ceil(D / 16),
 * mul/add/exp/div = the FP32 operator latencies of `params`:
 *   load   = ns x ((Tq - 1) + 2)           (the new tokens' K or V; history K/V already sit in the
 *                                           on-chip buffers, filled while the QKV round runs)
 *   qkBlk  = (ns - 1 + 1 + mul + add) + (7 - 1 + add) + add + 1
 *   qkRow  = nb x qkBlk
 *   smRow  = (nb - 1 + mul + exp + 4 add + add) + div + (nb - 1 + mul + 1)
 *   avRow  = ns x ((nb - 1 + 1 + mul + add) + (7 - 1 + add) + add + 1)
 *   group  = 2 load + (qkRow + smRow + avRow) + (R Tq - 1) x max(qkRow, smRow, avRow),  R = heads / kvHeads
 *   cycles = kvHeads x group
 *
 * ## Example
 * ```ts
 * asBuiltAttentionCycles(resolveAttentionParams(), { layer: 0, phase: 'prefill', queryTokens: 128, queryStart: 0 }).cycles; // 526968
 * ```
 * @param params FP32 operator latencies and the head shape (the other fields are the pipelined unit's).
 * @param job the job (prefill or decode).
 * @return the breakdown; `cycles` is the job's total.
 */
export function asBuiltAttentionCycles(params: AttentionHardwareParams, job: AttentionJob): AsBuiltAttentionCycles {
  const { heads, kvHeads, headDim } = params.shape;
  const { fmulLatencyCycles: mul, faddLatencyCycles: add, expLatencyCycles: exp, divLatencyCycles: div } = params;
  const lanes = AS_BUILT_VECTOR_LANES;
  const tq = job.queryTokens;
  const keyBlocks = Math.ceil((job.queryStart + tq) / lanes);
  const headSlices = Math.ceil(headDim / lanes);
  const loadCycles = headSlices * pipelinedLoopCycles(tq, AS_BUILT_LOAD_DEPTH_CYCLES);
  const macDepth = AS_BUILT_BRAM_READ_CYCLES + mul + add;
  const reduction = pipelinedLoopCycles(AS_BUILT_REDUCTION_TRIPS, add);
  // MAC loop, then the separate reduction loop, the final add of the two halves, one stream write.
  const qkBlockCycles = pipelinedLoopCycles(headSlices, macDepth) + reduction + add + 1;
  const qkRowCycles = keyBlocks * qkBlockCycles;
  const treeLevels = Math.log2(lanes);
  const softmaxRowCycles = pipelinedLoopCycles(keyBlocks, mul + exp + treeLevels * add + add) + div + pipelinedLoopCycles(keyBlocks, mul + 1);
  const avRowCycles = headSlices * (pipelinedLoopCycles(keyBlocks, macDepth) + reduction + add + 1);
  const rowsPerGroup = (heads / kvHeads) * tq;
  const slowest = Math.max(qkRowCycles, softmaxRowCycles, avRowCycles);
  const groupCycles = 2 * loadCycles + qkRowCycles + softmaxRowCycles + avRowCycles + (rowsPerGroup - 1) * slowest;
  return { keyBlocks, headSlices, loadCycles, qkBlockCycles, qkRowCycles, softmaxRowCycles, avRowCycles, rowsPerGroup, groupCycles, cycles: kvHeads * groupCycles };
}
