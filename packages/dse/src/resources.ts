import { lutLinearOptionsFor, prefillChunkTokensOf, resolveLutLinearConfig, stageOverrides, type LinearVariant, type PlatformConfig } from '@lut-llm/accelerator';
import { resolveAttentionParams } from '@lut-llm/attention';
import { memoryBank, type MemoryBank } from '@lut-llm/memory';
import { kvWidth, qWidth, type Qwen3Config } from '@lut-llm/model';

/**
 * DSP58 slices of the AMD Alveo V80 (its Versal HBM device, XCV80): 10,848 (AMD Alveo V80 product
 * brief and data sheet DS1013, "DSP engines").
 */
export const V80_DSP58 = 10_848;

/** What on-chip resources are not counted (the estimate covers the buffers and arithmetic listed in {@link estimateOnChip}). */
export const ON_CHIP_NOT_MODELLED =
  'not modelled: FIFOs between units, the KV prefetch buffer, SFU buffers (RMSNorm/RoPE tables), the LUT-PSum adder chains and muxes (fabric), control; the library has no place-and-route model';

export interface OnChipEstimate {
  readonly bram18: number;
  readonly uram: number;
  readonly lutramLuts: number;
  readonly dsp: number;
  /** The V80's counts (the platform's on-chip budget; BRAM36 counted as 2 BRAM18 each). */
  readonly budget: { readonly bram18: number; readonly uram: number; readonly lutramLuts: number; readonly dsp: number };
  /** On-chip memory bits of the counted buffers (the "memory" axis of the Pareto front). */
  readonly memoryBits: number;
  /** Largest used / available over the four resources. */
  readonly maxFraction: number;
  /** One sentence per resource over budget. */
  readonly problems: readonly string[];
  /** Each counted buffer: primitives and kind. */
  readonly banks: readonly MemoryBank[];
}

/**
 * On-chip resources of the design at a point, derived from its stage parameters (the units are
 * shared by every layer and op: DESIGN.md 1.3, so the largest op sizes them):
 * - LUT-PSum tables: each of the L matchers (position lanes) holds, for the output tile of N
 *   lanes, ceil(N / G) tables of c_a rows x c_w entries x lutBits, double-buffered (the next
 *   tile's tables stream in while this one is read), in lut-psum's `tableMemory` with its
 *   `tablePartitions` cyclic partitions; a word is one row (c_w x lutBits bits, read whole);
 * - accumulator buffer (URAM): the running sums of one output tile for every token of a prefill
 *   chunk, T words of lanes x 32 bits (INT32, one per accumulator lane);
 * - activation buffer (URAM): the layer input of a chunk, T x max(in-features) FP32;
 * - activation indices (BRAM): T x max(in-features) / v indices of ceil(log2 c_a) bits;
 * - attention K/V (URAM): the built design's on-chip K/V of MAX_KV_LEN positions (or the request's
 *   positions without built limits), K and V of kvHeads x headDim FP32;
 * - DSP: L x c_a dPEs each computing a v-element FP32 distance (v DSPFP32 subtracts; DESIGN.md 1.2
 *   stage 1), the attention engines' qkMacsPerCycle + pvMacsPerCycle FP32 MACs (one DSP58 each, as
 *   the attention parameters state), and for the FP32 variants one DSPFP32 per accumulator lane
 *   (the co-quantized INT32 accumulator adds in fabric).
 * Memory primitives are counted by packages/memory `memoryBank` (width lanes x depth, per partition).
 */
export function estimateOnChip(model: Qwen3Config, platform: PlatformConfig, req: { readonly positions: number; readonly variant: LinearVariant }): OnChipEstimate {
  const H = model.hidden;
  const maxIn = Math.max(H, qWidth(model), model.intermediate);
  const maxOut = Math.max(qWidth(model) + 2 * kvWidth(model), H, 2 * model.intermediate, model.vocab);
  const T = prefillChunkTokensOf(platform);
  const cfg = resolveLutLinearConfig(lutLinearOptionsFor(platform, 'dse', maxOut, maxIn, T, req.variant));
  const { cA, cW, v, groupSize: G, lutBits } = cfg.numerics;
  const L = cfg.positionLanes;
  const N = cfg.outputLanes;
  const psum = cfg.lutPsum2d;
  const tablesPerMatcher = 2 * Math.ceil(N / G);
  const banks: MemoryBank[] = [];
  for (let m = 0; m < L; m++) banks.push(memoryBank(`lut-psum.tables[${m}]`, psum.tableMemory, tablesPerMatcher * cA, cW * lutBits, psum.tablePartitions));
  banks.push(memoryBank('accumulator.buffer', 'uram', T, cfg.accumulator.lanes * 32));
  banks.push(memoryBank('activations', 'uram', T * maxIn, 32));
  banks.push(memoryBank('activation-indices', 'bram', T * (maxIn / v), Math.max(1, Math.ceil(Math.log2(cA)))));
  const kvPositions = platform.builtLimits?.maxKvLen ?? req.positions;
  banks.push(memoryBank('attention.kv', 'uram', 2 * kvPositions * model.kvHeads, model.headDim * 32));
  const attn = resolveAttentionParams(stageOverrides(platform, 'attention') as never);
  const dsp = L * cA * v + attn.qkMacsPerCycle + attn.pvMacsPerCycle + (req.variant === 'co-quant' ? 0 : cfg.accumulator.lanes);
  const used = { bram18: 0, uram: 0, lutramLuts: 0 };
  for (const b of banks) {
    if (b.kind === 'bram') used.bram18 += 2 * b.primitives;
    else if (b.kind === 'uram') used.uram += b.primitives;
    else used.lutramLuts += b.primitives;
  }
  const budget = { bram18: 2 * platform.onChip.bram36, uram: platform.onChip.uram288, lutramLuts: platform.onChip.lutramLuts, dsp: V80_DSP58 };
  const all = { ...used, dsp };
  const problems: string[] = [];
  let maxFraction = 0;
  for (const k of ['bram18', 'uram', 'lutramLuts', 'dsp'] as const) {
    const f = all[k] / budget[k];
    maxFraction = Math.max(maxFraction, f);
    if (f > 1) problems.push(`on-chip ${k}: ${all[k]} needed (estimate), the V80 has ${budget[k]}`);
  }
  const memoryBits = used.bram18 * 18 * 1024 + used.uram * 288 * 1024 + used.lutramLuts * 64;
  return { ...all, budget, memoryBits, maxFraction, problems, banks };
}
