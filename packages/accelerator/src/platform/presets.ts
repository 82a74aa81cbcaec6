import { V80_HBM, V80_HBM_EFFICIENCY, V80_ON_CHIP } from '@lut-llm/memory';
import { DEFAULT_VQ_CONFIG } from '@lut-llm/vq';
import { deepFreeze } from './deep-freeze.js';
import type { PlatformConfig } from './schema.js';

/** Kernel clock of the first version of the LUT-LLM paper on the V80 (DESIGN.md 1.4 and 4). */
export const V80_CLOCK_MHZ = 227;

/**
 * Kernel clock of the public LUT-LLM build: 250 MHz (DESIGN.md 1.4, from the repository's
 * timing report `qwen_block/timing.rpt` and block design `create_bd_design_final.tcl`).
 */
export const V80_LATER_CLOCK_MHZ = 250;

/**
 * V80 board power in watts: DESIGN.md 4, "the V80 board about 190 W at most" (AMD's maximum
 * board power for the Alveo V80). It is a maximum, not a measurement of this design, so
 * energy = 190 W x time is an UPPER bound on the accelerator's energy (a lower bound on tokens/J).
 */
export const V80_BOARD_POWER_WATTS = 190;

/** Total HBM bandwidth of the V80 in GB/s: DESIGN.md 1.4, "The V80's HBM peaks near 820 GB/s in all". */
export const V80_HBM_DEVICE_PEAK_GBPS = 820;

/**
 * Default FIFO depth: 2 slots, the depth of a TAPA `tapa::stream<T>` (and of a Vitis HLS
 * `hls::stream`) declared without a depth, which is what the reference design's streams mostly are.
 * Deeper FIFOs are per-stream choices (overrides), sized from the emulator's depth advice.
 */
export const DEFAULT_FIFO_DEPTH = 2;

/**
 * Data formats in HBM. The paper does not state them; these follow the reference design's kernel
 * interfaces (LUT-FPGA/LUT-LLM on GitHub: activations, centroids, RoPE tables and norm weights
 * are `float` streams, attention runs in FP32 per DESIGN.md 1.2) and packages/vq's layouts.
 */
export const V80_DATA_FORMATS = {
  /** FP32: the dequantizer restores FP32 outputs (DESIGN.md 1.2) and the kernel streams `float`. */
  activationBytesPerElement: 4,
  /** FP32: attention is FP32 arithmetic (DESIGN.md 1.2) and no narrower KV format is documented. */
  kvBytesPerElement: 4,
  /** FP32: packages/vq keeps activation codebooks as Float32Array; the reference streams them as `float`. */
  centroidBytesPerElement: 4,
  /** FP32 scale + INT32 zero point per group, as packages/vq stores them (lutScale, lutZeroPoint). */
  scaleBytesPerGroup: 8,
  /** FP32 RMSNorm weights and RoPE sin/cos, streamed as `float` in the reference design. */
  ropeNormBytesPerElement: 4,
} as const;

/**
 * The idealised V80 at 227 MHz (preset `v80`; the default is {@link V80_INT4_250}): pipelined
 * attention, HBM at peak, no built limits. Otherwise: AMD Alveo V80 at 227 MHz with the reference design's HBM channel plan
 * (packages/memory `V80_HBM`: weights 32, input 4, output 4, KV 2 + 2, centroids 4, RoPE/norm 2,
 * scales 1; 32 bytes per channel per cycle; 64-cycle read latency), the V80 on-chip budget
 * (packages/memory `V80_ON_CHIP`), the paper's VQ format (packages/vq `DEFAULT_VQ_CONFIG`), no
 * stage overrides (each stage's documented defaults apply) and TAPA's default FIFO depth.
 */
export const V80_PLATFORM: PlatformConfig = deepFreeze({
  name: 'AMD Alveo V80 @ 227 MHz',
  clockMhz: V80_CLOCK_MHZ,
  hbm: {
    channels: { ...V80_HBM.channels },
    bytesPerCyclePerChannel: V80_HBM.bytesPerCyclePerChannel,
    readLatencyCycles: V80_HBM.readLatencyCycles,
    devicePeakGBps: V80_HBM_DEVICE_PEAK_GBPS,
  },
  onChip: { ...V80_ON_CHIP },
  boardPowerWatts: V80_BOARD_POWER_WATTS,
  vq: {
    v: DEFAULT_VQ_CONFIG.v,
    cA: DEFAULT_VQ_CONFIG.cA,
    cW: DEFAULT_VQ_CONFIG.cW,
    groupSize: DEFAULT_VQ_CONFIG.groupSize,
    lutBits: DEFAULT_VQ_CONFIG.lutBits,
    distance: DEFAULT_VQ_CONFIG.distance,
  },
  dataFormats: { ...V80_DATA_FORMATS },
  stages: {},
  fifoDepthDefault: DEFAULT_FIFO_DEPTH,
  fifoDepthOverrides: {},
});

/** The later build at 250 MHz; everything else as {@link V80_PLATFORM}. */
export const V80_250MHZ: PlatformConfig = deepFreeze({
  ...V80_PLATFORM,
  name: 'AMD Alveo V80 @ 250 MHz',
  clockMhz: V80_LATER_CLOCK_MHZ,
});

/**
 * Compile-time limits of the public build: MAX_SEQ_LEN = 128 (LUT-FPGA/LUT-LLM `config/config.h`;
 * tokens per prefill call: every on-chip row buffer, e.g. `residual_buf[MAX_SEQ_LEN][HIDDEN_DIM]`
 * of `qwen_block.h` and `k_buf[MAX_SEQ_LEN][HEAD_DIM]` of `gqa/gqa.h`, is that tall) and
 * MAX_KV_LEN = 256 positions of K/V in the on-chip buffers (DESIGN.md 1.4; the stored config.h
 * versions define MAX_SEQ_LEN_MUL_2 = 256 but no MAX_KV_LEN, which the decode build adds).
 */
export const V80_BUILT_LIMITS = Object.freeze({ maxSeqLen: 128, maxKvLen: 256 });

/**
 * What the V80 presets model as built: the attention unit of `gqa/gqa.h` (packages/attention
 * 'as-built'), and K/V held on chip for all MAX_KV_LEN positions: the KV prefetcher's buffer is
 * MAX_KV_LEN / kvChunkPositions = 256 / 64 = 4 chunks, so the whole history is read into it while
 * the QKV round runs (the build's on-chip K/V buffers, filled from HBM during QKV).
 */
const AS_BUILT_STAGES = {
  attention: { implementation: 'as-built' },
  'kv-prefetcher': { bufferChunks: V80_BUILT_LIMITS.maxKvLen / 64 },
} as const;

/**
 * The public build (LUT-FPGA/LUT-LLM, DESIGN.md 1.4): 250 MHz, **4-bit table entries + 4-bit
 * weight indices** (6 bits per weight streamed; DESIGN.md 1.4 from the repository's commit "int4 +
 * revert split channel": the stored `config/config.h` names no table width, its c_w = 16
 * (`w_n_cent`) gives the 4-bit indices), the attention as built, on-chip K/V up to MAX_KV_LEN, the
 * built limits, and HBM at its measured efficiency (packages/memory `V80_HBM_EFFICIENCY`). The
 * default preset.
 */
export const V80_INT4_250: PlatformConfig = deepFreeze({
  ...V80_PLATFORM,
  name: 'AMD Alveo V80 public build (INT4 tables) @ 250 MHz',
  clockMhz: V80_LATER_CLOCK_MHZ,
  hbm: { ...V80_PLATFORM.hbm, efficiency: { ...V80_HBM_EFFICIENCY } },
  vq: { ...V80_PLATFORM.vq, lutBits: 4 },
  stages: AS_BUILT_STAGES,
  builtLimits: { ...V80_BUILT_LIMITS },
});

/** The paper's first version: 227 MHz and INT8 tables (10 bits per weight); otherwise as {@link V80_INT4_250}. */
export const V80_INT8_227: PlatformConfig = deepFreeze({
  ...V80_INT4_250,
  name: 'AMD Alveo V80 paper v1 (INT8 tables) @ 227 MHz',
  clockMhz: V80_CLOCK_MHZ,
  vq: { ...V80_PLATFORM.vq, lutBits: 8 },
});

/**
 * Presets by the name a platform file's `"preset"` field (or a CLI flag) uses. `v80-int4-250` and
 * `v80-int8-227` model the hardware as built; `v80` and `v80-250mhz` are the idealised unit
 * (pipelined causal-skipping attention, HBM at peak every cycle, no built limits) that the
 * hand-derived specs use.
 */
export const PLATFORM_PRESETS = Object.freeze({
  'v80-int4-250': V80_INT4_250,
  'v80-int8-227': V80_INT8_227,
  v80: V80_PLATFORM,
  'v80-250mhz': V80_250MHZ,
} as const satisfies Record<string, PlatformConfig>);

export type PlatformPresetName = keyof typeof PLATFORM_PRESETS;

/** The preset used when nothing else is given: the public build. */
export const DEFAULT_PLATFORM_PRESET: PlatformPresetName = 'v80-int4-250';
