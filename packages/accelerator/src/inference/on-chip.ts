import { resolveAttentionParams } from '@lut-llm/attention';
import { fifoMemory, memoryBank, V80_ON_CHIP, type FifoMemory, type MemoryBank } from '@lut-llm/memory';
import { kvWidth, qWidth, type Qwen3Config } from '@lut-llm/model';
import { lutPsum1dBank } from '@lut-llm/lut-psum';
import { lutLinearAssumptions, resolveLutLinearConfig, type LinearComparisonColumn, type LinearVariant } from '../lut-linear/index.js';
import { prefillChunkTokensOf, stageOverrides, type PlatformConfig } from '../platform/index.js';
import { buildPassGraph, LAYER_OPS, lutLinearOptionsFor } from './pass-graph.js';

/** DSP58 slices of the V80's device (packages/memory `V80_ON_CHIP`, where the citation is). */
export const V80_DSP58 = V80_ON_CHIP.dsp58;

/**
 * Bytes of the widest stream word of the reference design: 512 bits (`tapa::vec_t<float, 16>` and
 * `tapa::vec_t<ap_uint<64>, 8>` in LUT-FPGA/LUT-LLM qwen_block/qwen_block.h; every other stream
 * there is narrower). A token wider than this is a tile the hardware moves as several words.
 */
export const STREAM_WORD_BYTES = 64;

/**
 * On-chip memory of an emulated FIFO of `depth` tokens of `widthBytes` each: the one mapping the
 * on-chip estimate and `lut-llm fifo-size` share.
 *
 * An emulated depth counts whole tokens (core's FIFO rule: depth D holds at most D tokens written
 * and not yet read), and a token is a whole tile or chunk. The reference design carries tiles as
 * TAPA streams of words of at most 512 bits, one word per cycle, with the stream's depth in
 * words: `tapa::stream<tapa::vec_t<float, 16>>` (residual, norm, attention and LUT outputs in
 * qwen_block/qwen_block.h; gqa/gqa.h streams K, V and Q that way, 16 floats a word, into its
 * BRAM arrays `k_buf[MAX_SEQ_LEN][HEAD_DIM]`), `tapa::vec_t<ap_uint<64>, 8>` (LUT streams),
 * narrower words for indices (`ap_uint<8>`) and pairs (`vec_t<float, 2>`). So a FIFO holding D
 * tiles of W > 64 B holds D x ceil(W / 64) words of 64 B; a token of at most 64 B is one word of
 * its own width. The words map to LUTRAM / BRAM18 / URAM by packages/memory `fifoMemory`.
 *
 * This is what the emulated timing assumes is buffered. The reference's own streams are mostly
 * TAPA's default depth of 2 *words*, so for tile-wide tokens the emulated FIFO (2 tiles by
 * default) holds more than the reference's stream does.
 *
 * @example streamFifoMemory(2, 8192) // a hidden-size FP32 vector, 2 deep: 2 x 128 = 256 words of 512 bits: 15 BRAM18
 */
export function streamFifoMemory(depth: number, widthBytes: number): FifoMemory {
  if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError(`streamFifoMemory: depth must be an integer >= 1, got ${depth}`);
  if (!Number.isSafeInteger(widthBytes) || widthBytes < 1) throw new RangeError(`streamFifoMemory: widthBytes must be an integer >= 1, got ${widthBytes}`);
  if (widthBytes <= STREAM_WORD_BYTES) return fifoMemory(depth, widthBytes);
  return fifoMemory(depth * Math.ceil(widthBytes / STREAM_WORD_BYTES), STREAM_WORD_BYTES);
}

/** What on-chip resources are not counted (the estimate covers the buffers, FIFOs and arithmetic listed in {@link estimateOnChip}). */
export const ON_CHIP_NOT_MODELLED =
  'not modelled: SFU buffers (RMSNorm/RoPE tables), the LUT-PSum adder chains, muxes and row registers (fabric), control; the library has no place-and-route model';

export interface OnChipEstimate {
  readonly bram18: number;
  readonly uram: number;
  readonly lutramLuts: number;
  readonly dsp: number;
  /** The platform's counts (its `onChip` budget; BRAM36 counted as 2 BRAM18 each). */
  readonly budget: { readonly bram18: number; readonly uram: number; readonly lutramLuts: number; readonly dsp: number };
  /** On-chip memory bits of the counted buffers (the "memory" axis of the Pareto front). */
  readonly memoryBits: number;
  /** Largest used / available over the four resources. */
  readonly maxFraction: number;
  /** One sentence per resource over budget, naming it, the need, the budget and the excess. */
  readonly problems: readonly string[];
  /** Each counted buffer: primitives and kind. */
  readonly banks: readonly MemoryBank[];
  /** Primitives of the design's FIFOs (one per physical stream), by kind. */
  readonly fifos: { readonly count: number; readonly bram18: number; readonly uram: number; readonly lutramLuts: number };
}

/** Pass-graph FIFOs that model a stage's internal state, counted as buffers (or registers) instead of streams. */
const STATE_FIFO = /(lut-psum\.(hold|act)|accumulator\.buffer|attention\.carry|kv-prefetcher\.kv)$/;

/**
 * True for a pass-graph FIFO that models a stage's internal state (LUT-PSum hold/act, the
 * accumulator buffer, the attention carry, the KV prefetcher's buffer of chunks): the on-chip
 * estimate counts that stage's buffer (the attention K/V URAM for the prefetcher) or registers,
 * not a stream, so {@link physicalFifos} leaves it out.
 */
export function isStageStateFifo(name: string): boolean {
  return STATE_FIFO.test(name);
}

/**
 * The physical FIFOs of the design: the pass graph's FIFOs with the per-layer copies merged (the
 * units are shared by every layer, DESIGN.md 1.3) and the LUTLinear ops' streams merged into the
 * one unit's (it runs the ops in rounds); each keeps the largest depth and token width among its copies.
 */
export function physicalFifos(fifos: readonly { readonly name: string; readonly depth: number; readonly widthBytes: number }[]): Map<string, { depth: number; widthBytes: number }> {
  const ops = [...LAYER_OPS, 'lm_head'].join('|');
  const unit = new RegExp(`^(?:${ops})\\.`);
  const out = new Map<string, { depth: number; widthBytes: number }>();
  for (const f of fifos) {
    if (isStageStateFifo(f.name)) continue;
    const key = f.name.replace(/^L\d+\./, '').replace(unit, 'lut-linear.');
    const e = out.get(key);
    if (e) {
      e.depth = Math.max(e.depth, f.depth);
      e.widthBytes = Math.max(e.widthBytes, f.widthBytes);
    } else out.set(key, { depth: f.depth, widthBytes: f.widthBytes });
  }
  return out;
}

/**
 * On-chip resources of the design, derived from its stage parameters (the units are shared by
 * every layer and op: DESIGN.md 1.3, so the largest op sizes them):
 * - LUT-PSum tables: each of the L matchers (position lanes) holds, for the output tile of N
 *   lanes, ceil(N / G) tables of c_a rows x c_w entries x lutBits, double-buffered (the next
 *   tile's tables stream in while this one is read), in lut-psum's `tableMemory` with its
 *   `tablePartitions` cyclic partitions; a word is one row (c_w x lutBits bits, read whole);
 * - accumulator buffer (URAM): the running sums of one output tile for every token of a prefill
 *   chunk, T words of lanes x 32 bits (INT32, one per accumulator lane);
 * - activation buffer (URAM): the layer input of a chunk, T x max(in-features) FP32;
 * - activation indices (BRAM): T x max(in-features) / v indices of ceil(log2 c_a) bits;
 * - attention K/V (URAM): the built design's on-chip K/V of MAX_KV_LEN positions (or the request's
 *   positions without built limits), K and V of kvHeads x headDim FP32; the KV prefetcher fills
 *   these buffers from HBM while QKV runs (DESIGN.md 1.4), so its FIFO is not counted again;
 * - FIFOs: every physical stream ({@link physicalFifos} of a one-layer decode graph, with the
 *   platform's depths) as {@link streamFifoMemory} maps it (depth tokens of ceil(width / 64)
 *   512-bit words each, or one narrower word); weight indices and tables stream through these
 *   FIFOs (lut_fifo of the reference) and are not buffered apart from the tables;
 * - DSP: L x c_a dPEs each computing a v-element FP32 distance (v DSPFP32 subtracts; DESIGN.md 1.2
 *   stage 1), the attention engines' qkMacsPerCycle + pvMacsPerCycle FP32 MACs (one DSP58 each, as
 *   the attention parameters state), and for the FP32 variants one DSPFP32 per accumulator lane
 *   (the co-quantized INT32 accumulator adds in fabric).
 * Memory primitives are counted by packages/memory `memoryBank` (width lanes x depth, per partition).
 * The budget is the platform's `onChip` (the V80 device's sites by default).
 *
 * @example Qwen3-1.7B on v80-int4-250 (co-quant): 16 matchers x 4 BRAM36 of tables, 228 URAM of
 * accumulator, 86 URAM of activations; fits (its spec derives each count).
 */
export function estimateOnChip(model: Qwen3Config, platform: PlatformConfig, req: { readonly positions: number; readonly variant: LinearVariant }): OnChipEstimate {
  const H = model.hidden;
  const maxIn = Math.max(H, qWidth(model), model.intermediate);
  const maxOut = Math.max(qWidth(model) + 2 * kvWidth(model), H, 2 * model.intermediate, model.vocab);
  const unit = lutLinearUnit(platform, maxOut, maxIn, prefillChunkTokensOf(platform), req.variant);
  const kvPositions = platform.builtLimits?.maxKvLen ?? req.positions;
  const banks = [...unit.banks, memoryBank('attention.kv', 'uram', 2 * kvPositions * model.kvHeads, model.headDim * 32)];
  const attn = resolveAttentionParams(stageOverrides(platform, 'attention') as never);
  // One layer is enough: every layer has the same streams.
  const graph = buildPassGraph({ model, platform, variant: req.variant, phase: 'decode', tokens: 1, history: Math.max(0, req.positions - 1), layers: 1 }).graph;
  return onChipVerdict(banks, unit.dsp + attn.qkMacsPerCycle + attn.pvMacsPerCycle, physicalFifos(graph.fifos), platform);
}

/**
 * On-chip resources of the LUTLinear unit alone sized for one `outFeatures x inFeatures` op of
 * `tokens` tokens (`lut-llm linear`, where 'weight-only-lut' is a column too): the tables,
 * accumulator, activation and index buffers and the DSPs of {@link estimateOnChip}, without
 * attention and without the inter-unit FIFOs.
 */
export function estimateLinearOnChip(platform: PlatformConfig, outFeatures: number, inFeatures: number, tokens: number, column: LinearComparisonColumn): OnChipEstimate {
  const unit = lutLinearUnit(platform, outFeatures, inFeatures, tokens, column);
  return onChipVerdict(unit.banks, unit.dsp, new Map(), platform);
}

/**
 * Banks and DSPs of the LUTLinear unit sized for its largest op (see {@link estimateOnChip}). The
 * PSum stage's tables are the variant's (accelerator `lutLinearAssumptions`): co-quant's 2D tables
 * per matcher, activation-only's 1D tables (in `lutPsum1d.tableMemory`), none for weight-only
 * (codebooks in registers). DSPs: the centroid search's dPE subtracts, plus for the FP32 variants
 * their PSum DSPs and one DSPFP32 per accumulator lane. The co-quantized INT look-up adds are not
 * charged to DSPs: the reference adds them in fabric (its utilisation report,
 * `qwen_block/qwen_utilization.rpt`, places 46 DSP58 beside 2,290 DSPFP32), although the `linear`
 * comparison charges them 4 lanes per DSP58 to compare the variants at equal DSPs.
 */
function lutLinearUnit(platform: PlatformConfig, maxOut: number, maxIn: number, T: number, column: LinearComparisonColumn): { banks: MemoryBank[]; dsp: number } {
  const variant: LinearVariant = column === 'weight-only-lut' ? 'weight-only' : column;
  const opts = lutLinearOptionsFor(platform, 'dse', maxOut, maxIn, T, variant);
  const cfg = resolveLutLinearConfig(column === 'weight-only-lut' ? { ...opts, weightOnlyImplementation: 'online-table' } : opts);
  const { cA, cW, v, groupSize: G, lutBits } = cfg.numerics;
  const L = cfg.positionLanes;
  const banks: MemoryBank[] = [];
  if (variant === 'co-quant') {
    const psum = cfg.lutPsum2d;
    const tablesPerMatcher = 2 * Math.ceil(cfg.outputLanes / G);
    for (let m = 0; m < L; m++) banks.push(memoryBank(`lut-psum.tables[${m}]`, psum.tableMemory, tablesPerMatcher * cA, cW * lutBits, psum.tablePartitions));
  } else if (variant === 'activation-only') {
    for (let m = 0; m < L; m++) banks.push({ ...lutPsum1dBank(`lut-psum.tables[${m}]`, cfg.lutPsum1d), name: `lut-psum.tables[${m}]` });
  }
  banks.push(memoryBank('accumulator.buffer', 'uram', T, cfg.accumulator.lanes * 32));
  banks.push(memoryBank('activations', 'uram', T * maxIn, 32));
  banks.push(memoryBank('activation-indices', 'bram', Math.ceil((T * maxIn) / v), Math.max(1, Math.ceil(Math.log2(cA)))));
  const fp32 = variant === 'co-quant' ? 0 : lutLinearAssumptions(cfg).dsps + cfg.accumulator.lanes;
  return { banks, dsp: L * cA * v + fp32 };
}

const LABEL = { bram18: 'BRAM18', uram: 'URAM', lutramLuts: 'LUTRAM LUTs', dsp: 'DSP58' } as const;

/** The platform's on-chip counts (its `onChip` budget), BRAM36 counted as 2 BRAM18 each (a RAMB36 splits into two RAMB18). */
export function onChipBudget(platform: PlatformConfig): OnChipEstimate['budget'] {
  return { bram18: 2 * platform.onChip.bram36, uram: platform.onChip.uram288, lutramLuts: platform.onChip.lutramLuts, dsp: platform.onChip.dsp58 };
}

/** Totals of banks, DSPs and FIFOs against the platform's `onChip` budget, with a problem per resource over it. */
function onChipVerdict(banks: readonly MemoryBank[], dsp: number, physical: ReadonlyMap<string, { depth: number; widthBytes: number }>, platform: PlatformConfig): OnChipEstimate {
  const used = { bram18: 0, uram: 0, lutramLuts: 0 };
  for (const b of banks) {
    if (b.kind === 'bram') used.bram18 += 2 * b.primitives;
    else if (b.kind === 'uram') used.uram += b.primitives;
    else used.lutramLuts += b.primitives;
  }
  const fifos = { count: physical.size, bram18: 0, uram: 0, lutramLuts: 0 };
  for (const f of physical.values()) {
    const m = streamFifoMemory(f.depth, f.widthBytes);
    if (m.kind === 'BRAM18') fifos.bram18 += m.count;
    else if (m.kind === 'URAM') fifos.uram += m.count;
    else fifos.lutramLuts += m.count;
  }
  used.bram18 += fifos.bram18;
  used.uram += fifos.uram;
  used.lutramLuts += fifos.lutramLuts;
  const budget = onChipBudget(platform);
  const all = { ...used, dsp };
  const problems: string[] = [];
  let maxFraction = 0;
  for (const k of ['bram18', 'uram', 'lutramLuts', 'dsp'] as const) {
    const f = all[k] / budget[k];
    maxFraction = Math.max(maxFraction, f);
    if (f > 1) {
      problems.push(
        `on-chip ${LABEL[k]}: ${all[k].toLocaleString('en-US')} needed (estimate), the platform has ${budget[k].toLocaleString('en-US')}: ` +
          `${(all[k] - budget[k]).toLocaleString('en-US')} over (${f.toFixed(2)}x)`,
      );
    }
  }
  const memoryBits = used.bram18 * 18 * 1024 + used.uram * 288 * 1024 + used.lutramLuts * 64;
  return { ...all, budget, memoryBits, maxFraction, problems, banks, fifos };
}

/** One line: each resource's estimated use of the budget ("256 of 7,482 BRAM18 (3%), ..."). */
export function onChipSummary(e: OnChipEstimate): string {
  const k4 = ['bram18', 'uram', 'lutramLuts', 'dsp'] as const;
  return k4.map((k) => `${e[k].toLocaleString('en-US')} of ${e.budget[k].toLocaleString('en-US')} ${LABEL[k]} (${((100 * e[k]) / e.budget[k]).toFixed(0)}%)`).join(', ');
}
