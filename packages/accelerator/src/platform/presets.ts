import { V80_HBM, V80_ON_CHIP } from '@lut-llm/memory';
import { DEFAULT_VQ_CONFIG } from '@lut-llm/vq';
import { deepFreeze } from './deep-freeze.js';
import type { PlatformConfig } from './schema.js';

/** Kernel clock of the first version of the LUT-LLM paper on the V80 (DESIGN.md 1.4 and 4). */
export const V80_CLOCK_MHZ = 227;

/** Kernel clock of the later LUT-LLM build (DESIGN.md 1.4: "a later build closes at 250 MHz"). */
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
 * The default platform: AMD Alveo V80 at 227 MHz with the reference design's HBM channel plan
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

/** Presets by the name a platform file's `"preset"` field (or a CLI flag) uses. */
export const PLATFORM_PRESETS = Object.freeze({
  v80: V80_PLATFORM,
  'v80-250mhz': V80_250MHZ,
} as const satisfies Record<string, PlatformConfig>);

export type PlatformPresetName = keyof typeof PLATFORM_PRESETS;

/** The preset used when nothing else is given. */
export const DEFAULT_PLATFORM_PRESET: PlatformPresetName = 'v80';
