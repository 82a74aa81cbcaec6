import { QWEN3_1_7B_ATTENTION, type AttentionShape } from '@lut-llm/contracts';

/**
 * Hardware parameters of the attention unit. Every number is a parameter with a default and the
 * reason for it; none is fitted to a target figure. The paper gives the arithmetic (FP32) and the
 * algorithms (FlashAttention tiles for prefill, FlashDecoding split-K for decode) but not the
 * unit's sizes, so the defaults are what a hardware engineer would pick for Qwen3-1.7B on a V80.
 */
export interface AttentionHardwareParams {
  /**
   * Which unit the cycles describe. 'pipelined': the FlashAttention/FlashDecoding unit below (tile
   * pairs through three pipelined engines, tiles above the causal diagonal skipped): what the unit
   * could be. 'as-built': the loop structure of the public LUT-LLM build (`gqa/gqa.h`: every key
   * block for every query, separate MAC and reduction loops; see as-built.ts and the README); the
   * V80 platform presets select it. Numerics are the same either way. Default 'pipelined'.
   */
  readonly implementation: AttentionImplementation;
  /**
   * Decode algorithm of the pipelined unit. true (default): FlashDecoding split-K, each history
   * chunk a separate partial (max, sum, accumulator) merged at the end. false: sequential decode,
   * one running state updated chunk by chunk with the online (FlashAttention) rescaling, as
   * prefill does, and no final merge. Ignored by 'as-built'.
   */
  readonly decodeSplitK: boolean;
  /** Heads and head size. Default Qwen3-1.7B: 16 query heads, 8 KV heads, head dim 128. */
  readonly shape: AttentionShape;
  /**
   * Prefill query tile (rows = query tokens held on chip at a time). Default 16: a Q tile of
   * 16 tokens x 16 heads x 128 x 4 B = 128 KiB and its accumulator of the same size fit a few
   * dozen URAMs, and 16 rows amortise each K/V tile read over 16 queries.
   */
  readonly queryTileRows: number;
  /**
   * KV tile (positions per online-softmax step) inside one block of keys. Default 64: equal to
   * the history chunk, so a chunk is one tile (64 x 8 heads x 128 x 4 B x 2 = 512 KiB of K/V).
   */
  readonly kvTilePositions: number;
  /**
   * KV history chunk (positions per `kv` token, per HBM read, per decode split). Default 64: the
   * same 512 KiB unit as the KV tile; long enough for full-length HBM bursts (32 KiB per K or V
   * run of one head), short enough that a 4-chunk on-chip buffer is ~2 MiB.
   */
  readonly kvChunkPositions: number;
  /**
   * FP32 multiply-accumulates per cycle of the QK^T engine. Default 256 = one 128-element dot
   * product per cycle for each of the 2 query heads of a GQA group: one K row read from on-chip
   * memory serves both heads (2 scores per cycle; 256 DSP58 in FP32 mode).
   */
  readonly qkMacsPerCycle: number;
  /** FP32 MACs per cycle of the PV engine (also rescales and normalises the accumulator). Default 256, as QK^T. */
  readonly pvMacsPerCycle: number;
  /**
   * FP32 exponentials per cycle (the softmax engine; each lane also does the max and the sum).
   * Default 2: the QK^T engine's score rate (256 MACs / 128 elements), so softmax neither starves
   * nor stalls it.
   */
  readonly expPerCycle: number;
  /** FP32 reciprocals per cycle for the final 1/sum (one divider). Default 1: it runs once per query row and head. */
  readonly reciprocalsPerCycle: number;
  /** Pipeline latency of an FP32 multiply. Default 4 cycles (order of an HLS/DSP58 FP32 multiplier near 250 MHz). */
  readonly fmulLatencyCycles: number;
  /** Pipeline latency of an FP32 add. Default 4 cycles (as the multiply; a DSP58 FP32 adder). */
  readonly faddLatencyCycles: number;
  /** Pipeline latency of an FP32 exp. Default 16 cycles (order of the Vitis HLS float exp core). */
  readonly expLatencyCycles: number;
  /** Pipeline latency of an FP32 reciprocal/divide. Default 12 cycles (order of the Vitis HLS float divider). */
  readonly divLatencyCycles: number;
  /**
   * KV capacity in positions: a job needing more (history + new tokens) is rejected, not
   * silently wrong. Default 40960: Qwen3's max_position_embeddings.
   */
  readonly maxContextPositions: number;
}

/** The attention units the emulator models (see {@link AttentionHardwareParams.implementation}). */
export const ATTENTION_IMPLEMENTATIONS = ['pipelined', 'as-built'] as const;
export type AttentionImplementation = (typeof ATTENTION_IMPLEMENTATIONS)[number];

export const DEFAULT_ATTENTION_PARAMS: AttentionHardwareParams = {
  implementation: 'pipelined',
  decodeSplitK: true,
  shape: QWEN3_1_7B_ATTENTION,
  queryTileRows: 16,
  kvTilePositions: 64,
  kvChunkPositions: 64,
  qkMacsPerCycle: 256,
  pvMacsPerCycle: 256,
  expPerCycle: 2,
  reciprocalsPerCycle: 1,
  fmulLatencyCycles: 4,
  faddLatencyCycles: 4,
  expLatencyCycles: 16,
  divLatencyCycles: 12,
  maxContextPositions: 40960,
};

/** Checks a shape; throws a RangeError naming the field. */
export function validateAttentionShape(shape: AttentionShape, who = 'attention'): void {
  for (const k of ['heads', 'kvHeads', 'headDim'] as const) {
    const v = shape[k];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${who}: ${k} must be an integer >= 1, got ${v}`);
  }
  if (shape.heads % shape.kvHeads !== 0) throw new RangeError(`${who}: heads (${shape.heads}) must be a multiple of kvHeads (${shape.kvHeads})`);
}

/** Merges overrides into the defaults and validates every field. */
export function resolveAttentionParams(overrides: Partial<AttentionHardwareParams> = {}, who = 'attention'): AttentionHardwareParams {
  const p: AttentionHardwareParams = { ...DEFAULT_ATTENTION_PARAMS, ...overrides };
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_ATTENTION_PARAMS)) throw new RangeError(`${who}: unknown parameter '${key}'`);
  }
  validateAttentionShape(p.shape, who);
  if (!(ATTENTION_IMPLEMENTATIONS as readonly string[]).includes(p.implementation)) {
    throw new RangeError(`${who}: implementation must be one of ${ATTENTION_IMPLEMENTATIONS.map((i) => `'${i}'`).join(', ')}, got ${JSON.stringify(p.implementation)}`);
  }
  if (typeof p.decodeSplitK !== 'boolean') throw new RangeError(`${who}: decodeSplitK must be true or false, got ${JSON.stringify(p.decodeSplitK)}`);
  const positive = ['queryTileRows', 'kvTilePositions', 'kvChunkPositions', 'qkMacsPerCycle', 'pvMacsPerCycle', 'expPerCycle', 'reciprocalsPerCycle', 'maxContextPositions'] as const;
  for (const k of positive) {
    if (!Number.isInteger(p[k]) || p[k] < 1) throw new RangeError(`${who}: ${k} must be an integer >= 1, got ${p[k]}`);
  }
  const latencies = ['fmulLatencyCycles', 'faddLatencyCycles', 'expLatencyCycles', 'divLatencyCycles'] as const;
  for (const k of latencies) {
    if (!Number.isInteger(p[k]) || p[k] < 0) throw new RangeError(`${who}: ${k} must be an integer >= 0, got ${p[k]}`);
  }
  return p;
}
