import { DEFAULT_PREFILL_CHUNK_TOKENS, prefillChunkTokensOf, stageNumber } from '../platform/stage-params.js';
import type { PlatformConfig } from '../platform/schema.js';

/**
 * The stage throughputs the analytical LUT-LLM model needs. Each can be overridden in a platform
 * file under `stages.<stage>.<key>` (the stage and key named on each field); the defaults are the
 * reference design's where DESIGN.md or the reference code states them.
 */
export interface LutLlmAnalyticalParams {
  /** `stages["centroid-search"].bpcsus`: parallel BPCSUs, each encoding one position per cycle (II = 1). */
  readonly bpcsus: number;
  /** `stages["lut-psum"].matchers`: matchers in the systolic chain, one position each per cycle. */
  readonly matchers: number;
  /** `stages["lut-psum"].outputLanes`: output lanes per matcher (one look-up + add each per cycle). */
  readonly outputLanes: number;
  /** `stages.attention.macsPerCycle`: FP32 multiply-accumulates per cycle of each of the QK^T and PV arrays. */
  readonly attentionMacsPerCycle: number;
  /** `stages.sfu.elementsPerCycle`: FP32 elements the special function unit processes per cycle. */
  readonly sfuElementsPerCycle: number;
  /** `stages["lut-linear"].prefillChunkTokens`: prompt tokens that share one pass of table streaming. */
  readonly prefillChunkTokens: number;
}

/**
 * Defaults:
 * - bpcsus 16: DESIGN.md 1.2, "16 BPCSUs run in parallel, one per position lane".
 * - matchers 16, outputLanes 512: DESIGN.md 1.2, "16 matchers ... each of 512 output lanes".
 * - attentionMacsPerCycle 256: the reference design's attention kernel (LUT-FPGA/LUT-LLM, gqa/gqa.h)
 *   uses a 16 x 16 array of FP32 MACs for QK^T and another for PV; the paper gives no figure.
 * - sfuElementsPerCycle 16: the reference design streams activations between its SFU kernels as
 *   `tapa::vec_t<float, 16>` (one 512-bit word per cycle); the paper gives no figure.
 * - prefillChunkTokens 128: the reference design's on-chip buffers hold MAX_SEQ_LEN = 128 tokens
 *   (config/config.h), so longer prompts stream the tables once per 128-token chunk.
 */
export const LUT_LLM_ANALYTICAL_DEFAULTS: LutLlmAnalyticalParams = Object.freeze({
  bpcsus: 16,
  matchers: 16,
  outputLanes: 512,
  attentionMacsPerCycle: 256,
  sfuElementsPerCycle: 16,
  prefillChunkTokens: DEFAULT_PREFILL_CHUNK_TOKENS,
});

/** The analytical parameters of a platform: its stage overrides over {@link LUT_LLM_ANALYTICAL_DEFAULTS}. */
export function analyticalParams(platform: PlatformConfig): LutLlmAnalyticalParams {
  const d = LUT_LLM_ANALYTICAL_DEFAULTS;
  return Object.freeze({
    // The same keys the emulated graph reads (one setting drives both models): position lanes
    // are the BPCSUs and the matchers; the attention array's width is its QK^T MAC count.
    bpcsus: stageNumber(platform, 'lut-linear', 'positionLanes', d.bpcsus),
    matchers: stageNumber(platform, 'lut-linear', 'positionLanes', d.matchers),
    outputLanes: stageNumber(platform, 'lut-linear', 'outputLanes', d.outputLanes),
    attentionMacsPerCycle: stageNumber(platform, 'attention', 'qkMacsPerCycle', d.attentionMacsPerCycle),
    sfuElementsPerCycle: stageNumber(platform, 'sfu', 'elementsPerCycle', d.sfuElementsPerCycle),
    prefillChunkTokens: prefillChunkTokensOf(platform),
  });
}
